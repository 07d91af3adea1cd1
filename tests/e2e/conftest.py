"""A real Kuaibao server (the `kuaibao serve` command, gunicorn) per database, for end-to-end client tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 20


@dataclass
class RunningServer:
    """A started `kuaibao serve` process and where it logs."""

    base_url: str  # …/engine-rest
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_ready(server: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"kuaibao serve exited with {server.process.returncode} before answering:\n{server.log()}")
        try:
            if requests.get(f"{server.base_url}/engine", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"kuaibao serve did not answer GET /engine-rest/engine within {STARTUP_SECONDS} s:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _serve(database_url: str, tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("kuaibao-server") / "server.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("PORT", None)
    command = [str(Path(sys.executable).with_name("kuaibao")), "serve", "--port", str(port),
               "--workers", "1", "--threads", "4"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = RunningServer(f"http://127.0.0.1:{port}/engine-rest", process, log_path)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def kuaibao_server(database_url, tmp_path_factory):
    """`kuaibao serve` on a free port against `database_url`, with the demo identities (demo/demo is admin)."""
    from app.demo import create_demo_identities
    from app.wiring import build_services

    kb = build_services({"database_url": database_url}, handlers={})
    try:
        create_demo_identities(kb)
    finally:
        kb.store.engine.dispose()
    yield from _serve(database_url, tmp_path_factory)


@pytest.fixture(scope="module")
def pack_server(database_url, tmp_path_factory):
    """What `make run` sets up, on an emptied database: `kuaibao deploy` (workflows/) and `kuaibao demo`, then serve."""
    from sqlalchemy import create_engine, text

    from tests.conftest import RUNTIME_TABLES

    engine = create_engine(database_url)
    with engine.begin() as connection:
        for table in RUNTIME_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": database_url}
    kuaibao = str(Path(sys.executable).with_name("kuaibao"))
    for args in (["deploy"], ["demo"]):
        done = subprocess.run([kuaibao, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"kuaibao {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    yield from _serve(database_url, tmp_path_factory)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's log to the report of any failing test that used the server."""
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("kuaibao_server") or funcargs.get("pack_server")
    if report.failed and isinstance(server, RunningServer):
        report.sections.append(("kuaibao serve log", server.log()[-20000:]))
