"""History cleanup: how fast N expired instances go, and what the cleanup costs the work queue meanwhile.

Prints figures, not a test. Inserts N ended instances (the rows a one-task case leaves, as in
tests/history_data.py) next to 20 running ones with open tasks, then measures, in one process:
  - task-queue latency without cleanup: a Tasklist refresh (list + count of candidate group `workers`), and a
    claim followed by an unclaim (writes, which on SQLite queue for the one write lock);
  - the same while `cleanup(batch_size=--batch)` runs in a thread;
  - cleanup throughput in instances per second.

    .venv/bin/python bench/history_cleanup.py [--n 10000] [--batch 500] [--database-url URL]

The database is DATABASE_URL (or --database-url): on PostgreSQL a private schema, dropped afterwards (the cleanup
would otherwise remove that database's own expired history); anything else runs on a fresh temporary SQLite file. PostgreSQL gets an ANALYZE after the bulk insert (which
autovacuum would do soon enough): without statistics the planner scans a candidate group's history rows for every
open task, and the baseline measures that instead of the queue.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.migrate import upgrade  # noqa: E402
from app.models import utcnow  # noqa: E402
from app.services import deployments, instances, tasks  # noqa: E402
from app.services.context import SYSTEM  # noqa: E402
from app.services.history_cleanup import cleanup  # noqa: E402
from app.services.task_queries import TaskQuery  # noqa: E402
from app.wiring import build_services  # noqa: E402
from tests import diagrams, history_data  # noqa: E402

RUNNING = 20
BASELINE_ROUNDS = 300
XML = diagrams.user_task_process("short").replace(b'isExecutable="true"',
                                                  b'isExecutable="true" camunda:historyTimeToLive="1"')
QUEUE = TaskQuery(candidate_group="workers")


@contextmanager
def fresh_database(url: str | None):
    """A migrated, empty database: a private schema on PostgreSQL, else a temporary SQLite file."""
    if not (url or "").startswith("postgresql"):
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            sqlite = f"sqlite:///{tmp}/bench.sqlite3"
            upgrade(sqlite)
            yield "sqlite", sqlite
        return
    schema = f"kb_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        private = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        private = private.render_as_string(hide_password=False)
        upgrade(private)
        yield "postgresql", private
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def queue_round(kb, task_id: str, reads: list[float], writes: list[float]) -> None:
    """One Tasklist refresh and one claim + unclaim, each timed."""
    def refresh():
        assert len(tasks.list_tasks(kb, SYSTEM, QUEUE)) == RUNNING
        assert tasks.count_tasks(kb, SYSTEM, QUEUE) == RUNNING

    def claim_unclaim():
        tasks.claim(kb, SYSTEM, task_id, "demo")
        tasks.claim(kb, SYSTEM, task_id, None)

    reads.append(timed(refresh))
    writes.append(timed(claim_unclaim))


def figures(samples: list[float]) -> tuple[float, float, float]:
    """median, p95, max in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="expired instances to clean up")
    parser.add_argument("--batch", type=int, default=500, help="root instances per cleanup transaction")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # the private database below is passed explicitly
    with fresh_database(args.database_url) as (kind, url):
        kb = build_services({"database_url": url, "job_executor": "off"}, handlers={})
        definition = deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={"short.bpmn": XML})
                                        ).processes[0]
        for _ in range(RUNNING):
            instances.start(kb, SYSTEM, instances.StartCommand(key="short"))
        task_id = tasks.list_tasks(kb, SYSTEM, QUEUE)[0].id
        history_data.ended_instances(kb, definition, args.n, ended=utcnow() - timedelta(days=2))
        if kind == "postgresql":  # as autovacuum would: fresh bulk rows otherwise leave the planner guessing
            with kb.store.engine.connect() as c:
                c.execute(text("ANALYZE"))
                c.commit()

        idle_reads, idle_writes = [], []
        for _ in range(BASELINE_ROUNDS):
            queue_round(kb, task_id, idle_reads, idle_writes)

        busy_reads, busy_writes, result = [], [], {}
        cleaner = threading.Thread(target=lambda: result.update(report=cleanup(kb, batch_size=args.batch)))
        cleaner.start()
        while cleaner.is_alive():
            queue_round(kb, task_id, busy_reads, busy_writes)
        cleaner.join()
        report = result["report"]
        assert report.removed_instances == args.n, report
        kb.store.engine.dispose()

    print(f"history cleanup on {kind}: {args.n} expired instances, batch {args.batch}, {RUNNING} open tasks")
    print(f"cleanup: {report.removed_instances} instances in {report.batches} batches, {report.seconds:.2f} s = "
          f"{report.removed_instances / report.seconds:,.0f} instances/s")
    print(f"{'ms':<42} {'median':>7} {'p95':>7} {'max':>7} {'count':>6}")
    for label, idle, busy in (("task query (list + count)", idle_reads, busy_reads),
                              ("claim + unclaim", idle_writes, busy_writes)):
        before, during = figures(idle), figures(busy)
        print(f"{label + ', no cleanup':<42} {before[0]:>7.2f} {before[1]:>7.2f} {before[2]:>7.1f} {len(idle):>6}")
        print(f"{label + ', during cleanup':<42} {during[0]:>7.2f} {during[1]:>7.2f} {during[2]:>7.1f} "
              f"{len(busy):>6}")
        print(f"{'  ratio during / without':<42} {during[0] / before[0]:>7.2f} {during[1] / before[1]:>7.2f}")


if __name__ == "__main__":
    main()
