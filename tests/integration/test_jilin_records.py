"""SqlRecords on SQLite and PostgreSQL: the records contract, one transaction per command, and handlers
reaching the records through the service."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import JlOutlet, Job
from app.services import deployments, instances, variables
from app.services.context import SYSTEM
from app.services.jilin_records import SqlRecords
from app.services.typed_values import TypedValue
from handlers import HANDLERS
from handlers.records import Records
from tests import diagrams
from tests.records_contract import OUTLET, SCENARIOS, seed


def test_the_service_builds_sql_records_for_every_command(kb):
    assert kb.records_factory is SqlRecords
    assert kb.read(lambda s: isinstance(kb.records_factory(s), Records))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_sql_records_keep_the_records_contract(kb, scenario):
    with kb.store.transaction() as session:
        scenario(SqlRecords(session, clock=lambda: date(2022, 6, 15)))


def test_records_written_in_a_failed_command_are_rolled_back(kb):
    with pytest.raises(RuntimeError), kb.store.transaction() as session:
        seed(SqlRecords(session))
        raise RuntimeError("the command failed after writing")
    assert kb.read(lambda s: s.scalar(select(func.count()).select_from(JlOutlet))) == 0


def test_a_later_command_sees_what_an_earlier_one_committed(kb):
    with kb.store.transaction() as session:
        seed(SqlRecords(session))
    assert kb.read(lambda s: SqlRecords(s).get_outlet("OUT-1")) == OUTLET


def start(kb, topic: str, **variables):
    resources = {"p.bpmn": diagrams.service_process("p", topic)}
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources=resources))
    return instances.start(kb, SYSTEM, instances.StartCommand(
        key="p", business_key="OUT-1", variables={k: TypedValue("String", v) for k, v in variables.items()}))


def test_the_service_hands_handlers_records_bound_to_the_command(kb):
    with kb.store.transaction() as session:
        seed(SqlRecords(session))
    kb.engine.handlers["jilin.determine_employer"] = HANDLERS["jilin.determine_employer"]
    started = start(kb, "jilin.determine_employer", outlet_id="OUT-2")
    found = variables.get_variables(kb, SYSTEM, started.instance.id)
    assert found["employer_group"].value == "enterprise-ENT-9" and found["employer_kind"].value == "enterprise"


def test_a_failing_handler_leaves_no_records_behind(kb):
    def writes_then_fails(call):
        seed(call.records)
        raise ValueError("variable 'x' is missing")

    kb.engine.handlers["jilin.broken"] = writes_then_fails
    start(kb, "jilin.broken")  # the handler runs as a job after the start commits; the job fails
    [job] = kb.read(lambda s: list(s.scalars(select(Job))))
    assert "variable 'x' is missing" in job.exception_message and job.retries == 2
    assert kb.read(lambda s: s.scalar(select(func.count()).select_from(JlOutlet))) == 0
