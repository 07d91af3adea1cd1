"""Benchmark: how fast the web pages answer with a realistic amount of data, against the REST call for the same queue.

Prints figures, not a test. Run from the repo root:
    .venv/bin/python bench/pages.py [--cases 200] [--repeat 30] [--postgres URL]
Each database is fresh and migrated: a temporary SQLite file, and a private PostgreSQL schema (dropped afterwards)
when --postgres or TEST_DATABASE_URL is given. The Jilin pack (workflows/) is deployed with the demo users and
records, N injury claims are filed in changchun through the services and spread over the stages; then each page is
requested through Flask's test client, logged in as a user who would open it (3 warm-up requests, then --repeat
measured ones), and compared with GET /engine-rest/task for the changchun-hrss queue with HTTP Basic auth.
"""
from __future__ import annotations

import argparse
import base64
import logging
import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from start_claim_complete import fresh_database  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import create_demo_identities  # noqa: E402
from app.services import definitions  # noqa: E402
from app.services.context import SYSTEM, Kuaibao  # noqa: E402
from app.services.definitions import DefinitionQuery  # noqa: E402
from app.services.jilin_records import today_in_jilin  # noqa: E402
from app.wiring import build_services  # noqa: E402
from tests.integration.test_jilin_rules import appraised, decide_work_injury, file_claim  # noqa: E402
from tests.jilin_flow import deploy_pack, task, work  # noqa: E402

WARMUP = 3
WORKER, MANAGER, REGION_MANAGER = "changchun.hrss", "manager", "changchun.manager"
# Where the claims stop, in turn, 20 a round: 17 wait at a task of the changchun-hrss queue, one is closed (not a work
# injury), one waits at the appraisal committee (受理鉴定申请), one is graded and waits at the SSB (核定本人工资).
PLAN = ("受理审核",) * 10 + ("调查核实",) * 4 + ("作出认定决定",) * 3 + ("closed", "appraisal", "benefits")
REST_QUEUE = "/engine-rest/task?candidateGroup=changchun-hrss&maxResults=50"


@dataclass
class Figures:
    """One URL's measured requests: wall seconds each, SQL statements and response bytes per request."""

    page: str
    user: str
    seconds: list[float]
    statements: float
    size: int

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.seconds)

    @property
    def p90_ms(self) -> float:
        return 1000 * statistics.quantiles(self.seconds, n=10, method="inclusive")[8]


def build(url: str) -> Kuaibao:
    """The services with the Jilin pack's handlers, jobs run right after each command (as the tests run them)."""
    kb = build_services({"database_url": url, "job_executor": "eager", "secret_key": secrets.token_hex(32)},
                        handlers={})
    deploy_pack(kb)
    create_demo_identities(kb)
    return kb


def claim_no(i: int) -> str:
    return f"GS-{i + 1:05d}"


def seed(kb: Kuaibao, cases: int) -> None:
    """File `cases` claims (employer filings today of accidents over the last 25 days, six couriers of JL-KD-0001)
    and move each to its stop in PLAN with the Jilin tests' helpers, through the services."""
    today = today_in_jilin()
    for i in range(cases):
        number, stop = claim_no(i), PLAN[i % len(PLAN)]
        file_claim(kb, number, today - timedelta(days=i % 25), today, courier=f"C-{i % 6 + 1:04d}")
        if stop in ("appraisal", "benefits"):
            decide_work_injury(kb, number)
            if stop == "benefits":
                appraised(kb, number, "7")
            continue
        if stop != "受理审核":
            work(kb, number, "受理审核", materials_complete=True, missing_materials="", clear_case=i % 2 == 0)
        if stop in ("作出认定决定", "closed"):
            work(kb, number, "调查核实", findings="属实", conclusion_pending=False)
        if stop == "closed":
            work(kb, number, "作出认定决定", decision="not_work_injury", decision_reason="醉酒导致伤亡（第十六条第二项）",
                 disability_remains=False)


def pages(kb: Kuaibao) -> list[tuple[str, str, str]]:
    """(page as shown, user, URL) of every page measured, with ids from the seeded data."""
    (claim,) = definitions.list_definitions(kb, SYSTEM, DefinitionQuery(key="injury_claim"))
    review = task(kb, claim_no(0), "受理审核").id
    return [("/tasks", WORKER, "/tasks"),
            ("/tasks/<review task>", WORKER, f"/tasks/{review}"),
            ("/tracker?q=JL-KD-0001", WORKER, "/tracker?q=JL-KD-0001"),
            ("/tracker/<claim at benefits>", WORKER, f"/tracker/{claim_no(PLAN.index('benefits'))}"),
            ("/cockpit", MANAGER, "/cockpit"),
            ("/cockpit/definitions/<injury_claim>", MANAGER, f"/cockpit/definitions/{claim.id}"),
            ("/cockpit/instances", MANAGER, "/cockpit/instances"),
            ("/dashboards (region)", REGION_MANAGER, "/dashboards"),
            ("/dashboards (province)", MANAGER, "/dashboards"),
            ("/modeler", MANAGER, "/modeler")]


def measure(client: FlaskClient, engine: Engine, page: str, user: str, url: str, repeat: int,
            headers: dict | None = None) -> Figures:
    """WARMUP unmeasured requests, then `repeat` measured ones; each must answer 200."""
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    seconds, size = [], 0
    for i in range(WARMUP + repeat):
        if i == WARMUP:
            event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{url} as {user}: {response.status_code}\n{response.get_data(as_text=True)[:800]}")
        if i >= WARMUP:
            seconds.append(elapsed)
            size = len(response.get_data())
    event.remove(engine, "before_cursor_execute", count)
    return Figures(page, user, seconds, statements / repeat, size)


def bench(url: str, cases: int, repeat: int) -> tuple[float, list[Figures]]:
    """Seed, then measure the REST baseline and every page; the seeding seconds and the figures. PostgreSQL is
    analyzed first: a live database has statistics, and without them a fresh schema gets worse plans."""
    kb = build(url)
    started = time.perf_counter()
    seed(kb, cases)
    seeding = time.perf_counter() - started
    app, engine = create_app(services=kb), kb.store.engine
    if engine.dialect.name == "postgresql":  # the planner statistics autovacuum would have gathered by now
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    basic = {"Authorization": "Basic " + base64.b64encode(f"{WORKER}:demo".encode()).decode()}
    rows = [measure(app.test_client(), engine, REST_QUEUE, f"{WORKER} (Basic)", REST_QUEUE, repeat, basic)]
    clients = {}
    for page, user, url in pages(kb):
        if user not in clients:
            clients[user] = app.test_client()
            answer = clients[user].post("/login", json={"username": user, "password": "demo"})
            if answer.status_code != 200:
                sys.exit(f"login {user}: {answer.status_code}\n{answer.get_data(as_text=True)[:800]}")
        rows.append(measure(clients[user], engine, page, user, url, repeat))
    engine.dispose()
    return seeding, rows


def table(rows: list[Figures]) -> str:
    base = rows[0].median_ms
    head = ["page", "user", "median ms", "p90 ms", "x REST", "SQL/req", "bytes"]
    lines = [[r.page, r.user, f"{r.median_ms:.1f}", f"{r.p90_ms:.1f}", f"{r.median_ms / base:.1f}",
              f"{r.statements:.1f}", f"{r.size:,}"] for r in rows]
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, lines)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="injury claims filed in changchun (default 200)")
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page (default 30)")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default: TEST_DATABASE_URL); omitted: SQLite only")
    args = parser.parse_args()
    if args.cases < len(PLAN) or args.repeat < 2:
        parser.error(f"--cases must be at least {len(PLAN)} and --repeat at least 2")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    for kind in ["sqlite"] + (["postgresql"] if args.postgres else []):
        with fresh_database(kind, args.postgres) as url:
            seeding, rows = bench(url, args.cases, args.repeat)
        print(f"\n{kind}: {args.cases} claims seeded in {seeding:.1f} s ({1000 * seeding / args.cases:.0f} ms each); "
              f"{WARMUP} warm-up + {args.repeat} measured requests per page; Python {sys.version.split()[0]}")
        print(table(rows))
    print("\nx REST = median / the median of the first row (the same queue as JSON: the REST baseline).\n"
          "SQL/req = statements per request seen by before_cursor_execute (SQLite's BEGIN included, COMMIT not).")
    if not args.postgres:
        print("PostgreSQL skipped: pass --postgres URL or set TEST_DATABASE_URL.")


if __name__ == "__main__":
    main()
