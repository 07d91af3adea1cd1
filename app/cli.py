"""The `kuaibao` command: serve, db upgrade, deploy, demo. `make run` is built on it."""
from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import click

from .config import ConfigError, Settings


@click.group()
def main() -> None:
    """Kuaibao workflow service."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from .migrate import upgrade
    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}: {_redact(settings.database_url)}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Deployment name (duplicate filtering compares within a name).")
@click.option("--tenant", default=None, help="Tenant id.")
def deploy(files: tuple[Path, ...], name: str | None, tenant: str | None) -> None:
    """Deploy FILES (default: every BPMN/DMN in the workflows directory), skipping unchanged ones."""
    from .engine.deployment import is_bpmn, is_dmn
    from .services.context import SYSTEM
    from .services.deployments import DeployCommand
    from .services.deployments import deploy as run_deploy
    from .services.errors import ParseFailed
    from .wiring import build_services
    kb = build_services()
    if not files:
        files = tuple(sorted(p for p in Path(kb.settings.workflows_dir).glob("*")
                             if p.is_file() and (is_bpmn(p.name) or is_dmn(p.name))))
        name = name or "kuaibao-workflows"
        if not files:
            click.echo(f"nothing to deploy in {kb.settings.workflows_dir}")
            return
    cmd = DeployCommand(resources={p.name: p.read_bytes() for p in files}, name=name or "kuaibao-cli",
                        source="kuaibao-cli", tenant_id=tenant, duplicate_filtering=True)
    try:
        result = run_deploy(kb, SYSTEM, cmd)
    except ParseFailed as e:
        for p in e.problems:
            click.echo(f"error: {p}", err=True)
        sys.exit(1)
    if not result.processes and not result.decisions:
        click.echo(f"unchanged: {len(files)} file(s), deployment {result.deployment.id}")
    for d in result.processes + result.decisions:
        click.echo(f"deployed {d.id}")


@main.command()
def demo() -> None:
    """Create the demo users, groups and Jilin records (idempotent)."""
    from .demo import DEMO_PASSWORD, create_demo_identities, create_demo_records
    from .wiring import build_services
    kb = build_services()
    users = create_demo_identities(kb)
    records = create_demo_records(kb)
    click.echo(f"demo identities ready: {users + records.staff_users} users, password '{DEMO_PASSWORD}' "
               "(demo and jl.admin are administrators)")
    click.echo(f"demo records ready: {records.enterprises} enterprise(s), {records.outlets} outlets, "
               f"{records.couriers} couriers in changchun")


@main.group()
def history() -> None:
    """History retention."""


@history.command("cleanup")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Root instances per transaction (default: HISTORY_CLEANUP_BATCH).")
@click.option("--max-batches", type=click.IntRange(min=1), default=None, help="Stop after this many batches.")
def history_cleanup(batch: int | None, max_batches: int | None) -> None:
    """Delete ended instances whose history time to live has passed, in short transactions."""
    from .services.history_cleanup import cleanup
    from .wiring import build_services
    try:
        kb = build_services()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    report = cleanup(kb, batch_size=batch, max_batches=max_batches)
    click.echo(f"removed {report.removed_instances} process instance(s) in {report.batches} batch(es), "
               f"{report.seconds:.1f} s")


@main.command()
@click.option("--lock-seconds", type=float, default=None, help="Job lock expiry (default: JOB_LOCK_SECONDS).")
def worker(lock_seconds: float | None) -> None:
    """Run jobs (timers, async continuations, handler calls) until stopped; run as many as you like on PostgreSQL."""
    import signal

    from .jobs.executor import BackgroundExecutor
    from .wiring import build_services
    kb = build_services({"job_executor": "off"})
    if kb.settings.database_url.startswith("sqlite"):
        click.echo("note: on SQLite the server already runs the executor; run workers against PostgreSQL", err=True)
    background = BackgroundExecutor(kb)
    if lock_seconds is not None:
        background.executor.lock_seconds = lock_seconds
    signal.signal(signal.SIGTERM, lambda *_: background.stop.set())
    signal.signal(signal.SIGINT, lambda *_: background.stop.set())
    click.echo(f"kuaibao worker {background.executor.owner} running jobs")
    background.start()
    while background.thread.is_alive() and not background.stop.wait(0.5):
        pass
    background.stop.set()
    background.wake.set()
    background.thread.join(timeout=10)


@main.command()
@click.option("--port", type=int, default=None, help="Port (default: PORT or 8080).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", type=int, default=None, help="Worker processes (default: 1 on SQLite, 2×CPU on PostgreSQL).")
@click.option("--threads", type=int, default=8, show_default=True)
def serve(port: int | None, host: str, workers: int | None, threads: int) -> None:
    """Serve the API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    settings = _settings()
    sqlite = settings.database_url.startswith("sqlite")
    workers = workers or (1 if sqlite else max(2, multiprocessing.cpu_count() * 2))
    bind = f"{host}:{port or settings.port}"

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
                               "accesslog": "-", "timeout": 60, "graceful_timeout": 10,
                               "post_fork": post_fork}.items():
                self.cfg.set(key, value)

        def load(self):
            from . import create_app
            return create_app()

    def post_fork(server, worker):
        """Cap each worker's address space: a last line of defence if diagram code allocates without end."""
        if settings.worker_memory_mb:
            import resource
            limit = settings.worker_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    click.echo(f"Kuaibao on http://{bind}/engine-rest ({workers} worker(s) × {threads} threads, "
               f"{'SQLite' if sqlite else 'PostgreSQL'})")
    Server().run()


def _settings() -> Settings:
    try:
        return Settings.load()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
