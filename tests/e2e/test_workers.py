"""Several `kuaibao worker` processes on one PostgreSQL: every job runs exactly once, and a worker killed with
SIGKILL in the middle of a job loses nothing (its job runs again after the lock expires)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.models import Incident, Job, ProcessInstance, Variable
from app.services import deployments, instances
from app.services.context import SYSTEM
from app.services.typed_values import TypedValue
from app.wiring import build_services
from tests import diagrams

REPO = Path(__file__).resolve().parents[2]
INSTANCES = 500  # each with an async continuation and a timer: 1,000 jobs


def work_xml() -> bytes:
    timer = ('<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S'
             '</bpmn:timeDuration></bpmn:timerEventDefinition>')
    return diagrams.process("jobs", [
        ("startEvent", "s", ""),
        ("scriptTask", "count", 'scriptFormat="python" camunda:asyncBefore="true"|'
                                '<bpmn:script>runs = runs + 1</bpmn:script>'),
        ("intermediateCatchEvent", "pause", f"|{timer}"),
        ("scriptTask", "again", 'scriptFormat="python"|<bpmn:script>timer_runs = timer_runs + 1</bpmn:script>'),
        ("endEvent", "e", "")], [("s", "count", None), ("count", "pause", None), ("pause", "again", None),
                                 ("again", "e", None)])


def slow_xml() -> bytes:
    loop = "n = 0\nfor i in range(900000):\n    for j in range(3):\n        n = n + 1\nslow_runs = slow_runs + 1"
    return diagrams.process("slow", [
        ("startEvent", "s", ""),
        ("scriptTask", "slow_step", f'scriptFormat="python" camunda:asyncBefore="true"|<bpmn:script>{loop}</bpmn:script>'),
        ("userTask", "after", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
        [("s", "slow_step", None), ("slow_step", "after", None), ("after", "e", None)])


@pytest.fixture
def pg(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share one PostgreSQL; SQLite runs a single executor")
    kb = build_services({"database_url": database_url, "job_executor": "off", "script_time_seconds": 5.0},
                        handlers={})
    with kb.store.engine.begin() as c:
        from tests.conftest import RUNTIME_TABLES
        for table in RUNTIME_TABLES:
            c.execute(text(f"DELETE FROM {table}"))
    yield kb
    kb.store.engine.dispose()


def worker(database_url: str, lock_seconds: float) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SCRIPT_TIME_SECONDS": "5"}
    return subprocess.Popen([str(Path(sys.executable).with_name("kuaibao")), "worker", "--lock-seconds",
                             str(lock_seconds)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def count(kb, stmt) -> int:
    return kb.read(lambda s: s.scalar(stmt))


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_three_workers_run_a_thousand_jobs_each_exactly_once(pg, database_url):
    deployments.deploy(pg, SYSTEM, deployments.DeployCommand(resources={"jobs.bpmn": work_xml()}))
    for i in range(INSTANCES):
        instances.start(pg, SYSTEM, instances.StartCommand(key="jobs", variables={
            "runs": TypedValue("Integer", 0), "timer_runs": TypedValue("Integer", 0)}))
    workers = [worker(database_url, 30) for _ in range(3)]
    try:
        done = wait_until(lambda: count(pg, select(func.count()).select_from(ProcessInstance)
                                        .where(ProcessInstance.state == "COMPLETED")) == INSTANCES, 180)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=20)
    assert done, f"{count(pg, select(func.count()).select_from(Job))} jobs left"
    for name in ("runs", "timer_runs"):
        values = pg.read(lambda s, name=name: list(s.scalars(select(Variable.long_value).where(Variable.name == name))))
        assert sorted(set(values)) == [1] and len(values) == INSTANCES, name
    assert count(pg, select(func.count()).select_from(Job)) == 0
    assert count(pg, select(func.count()).select_from(Incident)) == 0


def test_a_killed_workers_job_runs_again_and_nothing_is_half_done(pg, database_url):
    deployments.deploy(pg, SYSTEM, deployments.DeployCommand(resources={"slow.bpmn": slow_xml()}))
    pi = instances.start(pg, SYSTEM, instances.StartCommand(key="slow", variables={
        "slow_runs": TypedValue("Integer", 0)})).instance.id
    before = pg.read(lambda s: s.get(ProcessInstance, pi).version)
    doomed = worker(database_url, 3)
    try:
        assert wait_until(lambda: count(pg, select(func.count()).select_from(Job).where(
            Job.lock_owner.is_not(None))) == 1, 20), "the worker never took the job"
        time.sleep(0.2)  # inside the slow script now
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert pg.read(lambda s: s.get(ProcessInstance, pi).version) == before  # nothing half-advanced
    rescuer = worker(database_url, 30)
    try:
        assert wait_until(lambda: count(pg, select(func.count()).select_from(Job)) == 0, 30)
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=20)
    runs = pg.read(lambda s: s.scalar(select(Variable.long_value).where(Variable.process_instance_id == pi,
                                                                        Variable.name == "slow_runs")))
    assert runs == 1
    assert pg.read(lambda s: s.get(ProcessInstance, pi).version) == before + 1


