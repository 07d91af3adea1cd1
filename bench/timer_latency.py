"""How late a 2-second boundary timer fires: the job executor (as the server runs it, in a thread) against
SQLite and PostgreSQL. Prints the median and worst delay of N timers between their due time and the moment the
task they open exists. A figure for the note, not a timed test.

    .venv/bin/python bench/timer_latency.py [--n 20] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, select, text  # noqa: E402

from app.jobs.executor import BackgroundExecutor  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Job, Task  # noqa: E402
from app.services import deployments, instances  # noqa: E402
from app.services.context import SYSTEM  # noqa: E402
from app.wiring import build_services  # noqa: E402
from tests import diagrams  # noqa: E402

TIMER = ('<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2S'
         '</bpmn:timeDuration></bpmn:timerEventDefinition>')
XML = diagrams.process("p", [
    ("startEvent", "s", ""), ("userTask", "review", 'camunda:candidateGroups="workers"'),
    ("boundaryEvent", "late", f'attachedToRef="review" cancelActivity="false"|{TIMER}'),
    ("userTask", "supervise", 'camunda:candidateGroups="workers"'), ("endEvent", "e", ""), ("endEvent", "e2", "")],
    [("s", "review", None), ("review", "e", None), ("late", "supervise", None), ("supervise", "e2", None)])


def measure(url: str, n: int) -> list[float]:
    upgrade(url)
    kb = build_services({"database_url": url, "job_executor": "off"}, handlers={})
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={"p.bpmn": XML}))
    background = BackgroundExecutor(kb).start()
    delays = []
    try:
        for _ in range(n):
            pi = instances.start(kb, SYSTEM, instances.StartCommand(key="p")).instance.id
            due = kb.read(lambda s: s.scalar(select(Job.due).where(Job.process_instance_id == pi)))
            deadline = time.monotonic() + 10
            created = None
            while created is None and time.monotonic() < deadline:
                created = kb.read(lambda s: s.scalar(select(Task.created).where(
                    Task.process_instance_id == pi, Task.task_definition_key == "supervise")))
                if created is None:
                    time.sleep(0.01)
            delays.append((created - due).total_seconds() if created else float("inf"))
    finally:
        background.stop.set()
        background.wake.set()
        background.thread.join(timeout=10)
        kb.store.engine.dispose()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    runs = [("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")]
    schema = None
    if args.postgres:
        schema = f"kb_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        runs.append(("postgresql", f"{args.postgres}{sep}options=-csearch_path%3D{schema}"))
    print(f"2-second boundary timers, n={args.n} each, fired by the in-process job executor")
    print(f"{'database':<11} {'median s':>9} {'p95 s':>7} {'max s':>7}")
    try:
        for name, url in runs:
            delays = sorted(measure(url, args.n))
            p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
            print(f"{name:<11} {statistics.median(delays):>9.3f} {p95:>7.3f} {delays[-1]:>7.3f}")
    finally:
        if schema:
            with admin.connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
