"""Benchmark: start -> claim -> complete on the claim_review diagram, raw SpiffWorkflow vs. Kuaibao.

Prints figures, not a test. Run from the repo root:
    .venv/bin/python bench/start_claim_complete.py [--n 200] [--postgres URL]
PostgreSQL is measured when --postgres or TEST_DATABASE_URL is given (in a private schema, dropped afterwards).
"""
from __future__ import annotations

import argparse
import base64
import io
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DIAGRAM = ROOT / "tests" / "fixtures" / "bpmn" / "review" / "claim_review.bpmn"
KEY, REGION, AMOUNT = "claim_review", "changchun", 5000
WARMUP = 5
STEPS = ("start", "find", "claim", "complete")


def python_diagram() -> bytes:
    """claim_review with its JUEL conditions written as Python, for the stock CamundaParser."""
    xml = DIAGRAM.read_text(encoding="utf-8")
    xml = xml.replace("${approved &amp;&amp; amount &gt; 0}", "approved and amount &gt; 0")
    xml = xml.replace("${!approved || amount &lt;= 0}", "not approved or amount &lt;= 0")
    return xml.encode()


def bench_raw(n: int) -> dict:
    """Parse once, then n in-memory instances: start, complete the user task, run to the end."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.camunda.parser import CamundaParser
    from SpiffWorkflow.util.task import TaskState

    parser = CamundaParser()
    parser.add_bpmn_io(io.BytesIO(python_diagram()), "claim_review.bpmn")
    spec = parser.get_spec(KEY)

    def one() -> None:
        wf = BpmnWorkflow(spec)
        wf.task_tree.data.update(region=REGION, amount=AMOUNT, starter="bench")
        wf.do_engine_steps()
        (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
        task.data.update(approved=True)
        task.run()
        wf.do_engine_steps()
        assert wf.is_completed() and wf.data["benefit"] == 4000.0, wf.data

    for _ in range(WARMUP):
        one()
    started = time.perf_counter()
    for _ in range(n):
        one()
    return {"seconds": time.perf_counter() - started}


@contextmanager
def fresh_database(kind: str, postgres: str | None):
    """A migrated, empty database: a temp SQLite file, or a private PostgreSQL schema dropped afterwards."""
    from app.migrate import upgrade
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            upgrade(url)
            yield url
        return
    schema = f"kb_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class Meter:
    """Wall time and SQL statements (before_cursor_execute) per step, over the measured instances."""

    def __init__(self, engine):
        self.statements = 0
        self.counting = False
        self.time = dict.fromkeys(STEPS, 0.0)
        self.sql = dict.fromkeys(STEPS, 0)
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    @contextmanager
    def step(self, name: str):
        before, started = self.statements, time.perf_counter()
        yield
        if self.counting:
            self.time[name] += time.perf_counter() - started
            self.sql[name] += self.statements - before


def run_instances(n: int, meter: Meter, start, find, claim, complete) -> float:
    """WARMUP unmeasured instances, then n measured ones; returns the measured wall time."""
    started = 0.0
    for i in range(WARMUP + n):
        if i == WARMUP:
            meter.counting, started = True, time.perf_counter()
        with meter.step("start"):
            instance_id = start(f"bench-{i}")
        with meter.step("find"):
            task_id = find(instance_id)
        with meter.step("claim"):
            claim(task_id)
        with meter.step("complete"):
            complete(task_id)
    return time.perf_counter() - started


def build(url: str):
    from app.wiring import build_services
    return build_services({"database_url": url}, handlers={})


def bench_services(n: int, url: str) -> dict:
    """start -> find -> claim -> complete through app.services, as the SYSTEM administrator."""
    from app.services import instances, tasks
    from app.services.context import SYSTEM
    from app.services.deployments import DeployCommand, deploy
    from app.services.task_queries import TaskQuery
    from app.services.typed_values import TypedValue

    kb = build(url)
    deploy(kb, SYSTEM, DeployCommand(resources={DIAGRAM.name: DIAGRAM.read_bytes()}, name="bench"))
    meter = Meter(kb.store.engine)
    variables = {"region": TypedValue("String", REGION), "amount": TypedValue("Long", AMOUNT)}
    approved = {"approved": TypedValue("Boolean", True)}

    def find(instance_id):
        (task,) = tasks.list_tasks(kb, SYSTEM, TaskQuery(process_instance_id=instance_id,
                                                         candidate_group=f"{REGION}-hrss"))
        return task.id

    seconds = run_instances(
        n, meter,
        lambda bk: instances.start(kb, SYSTEM, instances.StartCommand(key=KEY, business_key=bk,
                                                                      variables=variables)).instance.id,
        find,
        lambda task_id: tasks.claim(kb, SYSTEM, task_id, f"{REGION}.hrss"),
        lambda task_id: tasks.complete(kb, SYSTEM, task_id, approved))
    assert instances.count_instances(kb, SYSTEM, instances.InstanceQuery(definition_key=KEY)) == 0
    kb.store.engine.dispose()
    return {"seconds": seconds, "meter": meter}


def bench_rest(n: int, url: str) -> dict:
    """The same calls as HTTP JSON with Basic auth (demo/demo), through Flask's test client."""
    from app import create_app
    from app.demo import create_demo_identities

    kb = build(url)
    create_demo_identities(kb)
    client = create_app(services=kb).test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(b"demo:demo").decode()}
    base = "/engine-rest"

    def call(method, path, expect, **kwargs):
        response = client.open(base + path, method=method, headers=auth, **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.get_data(as_text=True))
        return response.get_json(silent=True)

    call("POST", "/deployment/create", 200, content_type="multipart/form-data",
         data={"deployment-name": "bench", "data": (io.BytesIO(DIAGRAM.read_bytes()), DIAGRAM.name)})
    meter = Meter(kb.store.engine)
    start_body = {"variables": {"region": {"value": REGION, "type": "String"},
                                "amount": {"value": AMOUNT, "type": "Long"}}}

    def find(instance_id):
        (task,) = call("GET", f"/task?processInstanceId={instance_id}&candidateGroup={REGION}-hrss", 200)
        return task["id"]

    seconds = run_instances(
        n, meter,
        lambda bk: call("POST", f"/process-definition/key/{KEY}/start", 200, json={**start_body, "businessKey": bk})["id"],
        find,
        lambda task_id: call("POST", f"/task/{task_id}/claim", 204, json={"userId": f"{REGION}.hrss"}),
        lambda task_id: call("POST", f"/task/{task_id}/complete", 204,
                             json={"variables": {"approved": {"value": True, "type": "Boolean"}}}))
    assert call("GET", f"/process-instance/count?processDefinitionKey={KEY}", 200) == {"count": 0}
    kb.store.engine.dispose()
    return {"seconds": seconds, "meter": meter}


def table(rows: list[dict], n: int, raw_rate: float) -> str:
    head = ["mode", "database", "inst/s", "x raw", "ms/inst", *(f"ms {s}" for s in STEPS), *(f"SQL {s}" for s in STEPS)]
    lines = []
    for r in rows:
        rate = n / r["seconds"]
        meter = r.get("meter")
        cells = [r["mode"], r["db"], f"{rate:,.0f}", f"{rate / raw_rate:.3f}", f"{1000 / rate:.2f}"]
        cells += [f"{1000 * meter.time[s] / n:.2f}" if meter else "-" for s in STEPS]
        cells += [f"{meter.sql[s] / n:.1f}" if meter else "-" for s in STEPS]
        lines.append(cells)
    widths = [max(len(str(row[i])) for row in [head, *lines]) for i in range(len(head))]
    fmt = lambda row: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, lines)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="measured instances per mode (default 200)")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default: TEST_DATABASE_URL); omitted: SQLite only")
    args = parser.parse_args()
    import logging
    logging.getLogger("alembic").setLevel(logging.WARNING)

    rows = [{"mode": "raw SpiffWorkflow", "db": "memory", **bench_raw(args.n)}]
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    for mode, bench in (("service layer", bench_services), ("REST test client", bench_rest)):
        for kind in kinds:
            with fresh_database(kind, args.postgres) as url:
                rows.append({"mode": mode, "db": kind, **bench(args.n, url)})
    raw_rate = args.n / rows[0]["seconds"]
    print(f"claim_review: start -> find task (candidateGroup) -> claim -> complete(approved) -> end; "
          f"n={args.n} measured after {WARMUP} warm-up instances; Python {sys.version.split()[0]}")
    print(table(rows, args.n, raw_rate))
    print("raw = parse once, then per instance BpmnWorkflow(spec), do_engine_steps, complete the user task "
          "(no 'find'; total in ms/inst).\nSQL = statements per instance seen by before_cursor_execute "
          "(includes SQLite's BEGIN IMMEDIATE; COMMIT is not a cursor statement).")
    if not args.postgres:
        print("PostgreSQL skipped: pass --postgres URL or set TEST_DATABASE_URL.")


if __name__ == "__main__":
    main()
