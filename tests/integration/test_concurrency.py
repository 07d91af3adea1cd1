"""Racing writers: one claim wins; parallel completions never lose an update; stale versions retry."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from app.models import ProcessInstance, Variable
from app.services import deployments, instances, tasks, variables
from app.services.context import SYSTEM
from app.services.errors import TaskAlreadyClaimed
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from tests import diagrams

THREADS = 20


def run_all(fn, args):
    barrier = threading.Barrier(len(args))

    def call(arg):
        barrier.wait()
        try:
            return ("ok", fn(arg))
        except Exception as e:  # noqa: BLE001 - the test inspects every outcome
            return ("error", e)

    with ThreadPoolExecutor(len(args)) as pool:
        return list(pool.map(call, args))


def test_twenty_racing_claims_have_exactly_one_winner(kb):
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={"p.bpmn": diagrams.user_task_process("p")}))
    instances.start(kb, SYSTEM, instances.StartCommand(key="p"))
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    results = run_all(lambda user: tasks.claim(kb, SYSTEM, task.id, user), [f"user{i}" for i in range(THREADS)])
    winners = [i for i, (status, _) in enumerate(results) if status == "ok"]
    losers = [r for status, r in results if status == "error"]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1 and all(isinstance(e, TaskAlreadyClaimed) for e in losers)
    assert tasks.get_task(kb, SYSTEM, task.id).assignee == f"user{winners[0]}"


def test_twenty_parallel_completions_all_succeed_and_keep_every_variable(kb):
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(
        resources={"par.bpmn": diagrams.parallel_process("par", THREADS)}))
    pi = instances.start(kb, SYSTEM, instances.StartCommand(key="par")).instance.id
    open_tasks = tasks.list_tasks(kb, SYSTEM, TaskQuery(process_instance_id=pi))
    assert len(open_tasks) == THREADS
    results = run_all(lambda t: tasks.complete(kb, SYSTEM, t.id, {f"v_{t.task_definition_key}": TypedValue("Integer", 1)}),
                      open_tasks)
    assert [r for status, r in results if status == "error"] == []
    instance = kb.read(lambda s: s.get(ProcessInstance, pi))
    assert instance.state == "COMPLETED"
    expected = {f"v_branch_{i}" for i in range(THREADS)}
    stored = kb.read(lambda s: set(s.scalars(select(Variable.name).where(Variable.process_instance_id == pi))))
    assert stored >= expected
    engine_view = kb.read(lambda s: kb.engine.variables(kb.specs.get(s, instance.definition_id), instance.workflow))
    assert set(engine_view) >= expected


def _deployed_instance(kb) -> str:
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={"p.bpmn": diagrams.user_task_process("p")}))
    return instances.start(kb, SYSTEM, instances.StartCommand(key="p")).instance.id


def test_stale_version_is_detected_and_the_command_retried(kb):
    pi = _deployed_instance(kb)
    attempts = []

    def work(s):
        instance = s.get(ProcessInstance, pi)
        attempts.append(instance.version)
        if len(attempts) == 1:  # the row's version moves under our feet before we write
            s.execute(update(ProcessInstance).where(ProcessInstance.id == pi)
                      .values(version=ProcessInstance.version + 1)
                      .execution_options(synchronize_session=False))
        instance.business_key = "changed"

    kb.command(work)
    assert len(attempts) == 2
    assert instances.get_instance(kb, SYSTEM, pi).business_key == "changed"


def test_change_committed_between_read_and_write_is_not_lost(kb):
    if not kb.store.is_postgres:
        pytest.skip("SQLite serializes writers at BEGIN IMMEDIATE, so no commit can land between read and write")
    pi = _deployed_instance(kb)
    attempts = []

    def work(s):
        instance = s.get(ProcessInstance, pi)
        attempts.append(instance.version)
        if len(attempts) == 1:
            variables.modify_variables(kb, SYSTEM, pi, {"other": TypedValue("String", "x")})
        instance.business_key = "changed"

    kb.command(work)
    assert len(attempts) == 2 and attempts[1] == attempts[0] + 1
    assert instances.get_instance(kb, SYSTEM, pi).business_key == "changed"
    assert variables.get_variable(kb, SYSTEM, pi, "other").value == "x"
