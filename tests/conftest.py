"""Shared fixtures: the same service and API tests run on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL; each test session works in its own schema so that
concurrent runs on one database never meet. Without TEST_DATABASE_URL the PostgreSQL variants are
skipped with a visible reason; with REQUIRE_POSTGRES=1 a missing database is a failure.
"""
from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.migrate import upgrade
from app.models import Base

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SECRET_KEY = "test-only-session-secret-0123456789abcdef"
RUNTIME_TABLES = ("comment", "operation_log", "authorization_rule", "incident", "job", "external_task", "task_candidate", "task",
                  "history_activity", "variable", "event_subscription", "process_instance", "process_definition",
                  "decision_definition", "deployment_resource", "deployment",
                  "jl_claim", "jl_contribution_period", "jl_enrolment", "jl_roster_period", "jl_courier", "jl_outlet",
                  "jl_enterprise")


def _postgres_url(schema: str) -> str | None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database of each kind, once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kuaibao.sqlite3'}"
        upgrade(url)
        yield url
        return
    schema = f"kb_test_{uuid.uuid4().hex[:10]}"
    url = _postgres_url(schema)
    if url is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL variant skipped: set TEST_DATABASE_URL (e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test) to run it")
    admin = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - report any connection problem the same way
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not usable: {e}")
        pytest.skip(f"PostgreSQL not reachable: {e}")
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def session_services(database_url):
    """One service context per database; identities are created once (argon2 is slow on purpose)."""
    from app.demo import create_demo_identities
    from app.services.identity import ensure_group, ensure_membership, ensure_user
    from app.wiring import build_services

    kb = build_services({"database_url": database_url, "job_executor": "eager", "secret_key": TEST_SECRET_KEY},
                        handlers={})
    create_demo_identities(kb)
    with kb.store.transaction() as s:
        ensure_group(s, "workers")
        ensure_user(s, "worker", "worker")
        ensure_user(s, "outsider", "outsider")
        s.flush()
        ensure_membership(s, "worker", "workers")
    with kb.store.engine.connect() as c:  # the demo's grants (regional managers) survive every test's clean-up
        kb.demo_grants = {row[0] for row in c.execute(text("SELECT id FROM authorization_rule"))}
    yield kb
    kb.store.engine.dispose()


@pytest.fixture
def kb(session_services):
    """The service context with empty runtime tables and no handlers; of the authorization rows only the demo's
    remain."""
    from app.services import authz, gate
    with session_services.store.engine.begin() as c:
        for table in RUNTIME_TABLES:
            if table == "authorization_rule":
                kept = sorted(session_services.demo_grants)
                c.execute(text("DELETE FROM authorization_rule WHERE id NOT IN (SELECT value FROM json_each(:ids))"
                               if c.dialect.name == "sqlite" else
                               "DELETE FROM authorization_rule WHERE NOT (id = ANY(:ids))"),
                          {"ids": json.dumps(kept) if c.dialect.name == "sqlite" else kept})
            else:
                c.execute(text(f"DELETE FROM {table}"))
    session_services.engine.handlers.clear()
    session_services.specs._items.clear()
    authz.cache_of(session_services).changed()
    gate._TENANTS.clear()
    yield session_services
    session_services.engine.handlers.clear()


@pytest.fixture
def app(kb):
    from app import create_app
    application = create_app(services=kb)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


def basic(user: str, password: str | None = None) -> dict:
    token = base64.b64encode(f"{user}:{password or user}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN = basic("demo", "demo")
WORKER = basic("worker", "worker")

__all__ = ["ADMIN", "WORKER", "basic", "FIXTURES", "Base"]
