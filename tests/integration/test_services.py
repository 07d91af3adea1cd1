"""Service layer against a real database (SQLite and PostgreSQL): one transaction per command."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import ProcessInstance, Task, Variable
from app.services import deployments, instances, tasks, variables
from app.services.context import SYSTEM, Actor
from app.services.errors import EngineFailure, Forbidden, InvalidRequest, NotFound, ParseFailed, TaskAlreadyClaimed
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from tests import diagrams
from tests.conftest import FIXTURES

REVIEW = (FIXTURES / "bpmn/review/claim_review.bpmn").read_bytes()
WORKER = Actor("changchun.hrss", frozenset({"changchun-hrss"}), tenants=frozenset({"changchun"}))
OTHER_REGION = Actor("jilin.hrss", frozenset({"jilin-hrss"}), tenants=frozenset({"jilin"}))


def deploy(kb, resources: dict[str, bytes], **kw):
    return deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources=resources, **kw))


def start_review(kb, amount=5000, key="CLAIM-1"):
    return instances.start(kb, SYSTEM, instances.StartCommand(
        key="claim_review", business_key=key,
        variables={"region": TypedValue("String", "changchun"), "amount": TypedValue("Long", amount)}))


def count(kb, model) -> int:
    return kb.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_duplicate_filtering_returns_the_existing_deployment(kb):
    first = deploy(kb, {"r.bpmn": REVIEW}, name="pack", duplicate_filtering=True)
    again = deploy(kb, {"r.bpmn": REVIEW}, name="pack", duplicate_filtering=True)
    assert again.deployment.id == first.deployment.id and again.processes == []
    changed = deploy(kb, {"r.bpmn": REVIEW.replace(b"Claim review", b"Claim review v2")}, name="pack",
                     duplicate_filtering=True)
    assert [p.version for p in changed.processes] == [2]


def test_invalid_deployment_stores_nothing(kb):
    with pytest.raises(ParseFailed):
        deploy(kb, {"ok.bpmn": REVIEW, "evil.bpmn": diagrams.script_process("evil", "import os")})
    assert count(kb, ProcessInstance) == 0
    assert deployments.count_deployments(kb, SYSTEM, deployments.DeploymentQuery()) == 0


def test_work_queue_claim_and_complete(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    started = start_review(kb)
    queue = tasks.list_tasks(kb, WORKER, TaskQuery(candidate_group="changchun-hrss"))
    assert [t.task_definition_key for t in queue] == ["review"]
    assert tasks.list_tasks(kb, OTHER_REGION, TaskQuery()) == []
    tasks.claim(kb, WORKER, queue[0].id, WORKER.user_id)
    assert tasks.list_tasks(kb, WORKER, TaskQuery(candidate_group="changchun-hrss")) == []
    assert tasks.count_tasks(kb, WORKER, TaskQuery(assignee=WORKER.user_id)) == 1
    result = tasks.complete(kb, WORKER, queue[0].id, {"approved": TypedValue("Boolean", True)},
                            with_variables_in_return=True)
    assert result["benefit"].value == 4000.0 and result["amount"].type == "Long"
    assert kb.read(lambda s: s.get(ProcessInstance, started.instance.id).state) == "COMPLETED"
    assert count(kb, Task) == 0


def test_second_claim_of_same_task_is_rejected(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    start_review(kb)
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    tasks.claim(kb, SYSTEM, task.id, "ann")
    tasks.claim(kb, SYSTEM, task.id, "ann")  # idempotent for the same user
    with pytest.raises(TaskAlreadyClaimed):
        tasks.claim(kb, SYSTEM, task.id, "bob")


def test_worker_cannot_work_another_regions_task(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    start_review(kb)
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    with pytest.raises(Forbidden):
        tasks.claim(kb, OTHER_REGION, task.id, OTHER_REGION.user_id)
    with pytest.raises(Forbidden):
        tasks.complete(kb, OTHER_REGION, task.id, {})


def test_failing_script_leaves_nothing_half_written(kb):
    deploy(kb, {"p.bpmn": diagrams.script_process("p", "x = missing_variable + 1")})
    with pytest.raises(EngineFailure) as info:
        instances.start(kb, SYSTEM, instances.StartCommand(key="p", variables={"a": TypedValue("Integer", 1)}))
    assert "the_script" in str(info.value)
    assert count(kb, ProcessInstance) == 0 and count(kb, Variable) == 0


def test_failing_completion_keeps_the_task_open(kb):
    xml = diagrams.process("p", [("startEvent", "s", ""), ("userTask", "u", 'camunda:candidateGroups="workers"'),
                                 ("scriptTask", "boom", 'scriptFormat="python"|<bpmn:script>y = 1 / x</bpmn:script>'),
                                 ("endEvent", "e", "")], [("s", "u", None), ("u", "boom", None), ("boom", "e", None)])
    deploy(kb, {"p.bpmn": xml})
    instances.start(kb, SYSTEM, instances.StartCommand(key="p", variables={"x": TypedValue("Integer", 0)}))
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    with pytest.raises(EngineFailure):
        tasks.complete(kb, SYSTEM, task.id, {"note": TypedValue("String", "hi")})
    assert [t.id for t in tasks.list_tasks(kb, SYSTEM, TaskQuery())] == [task.id]
    assert "note" not in variables.get_variables(kb, SYSTEM, task.process_instance_id)


def test_variables_keep_their_declared_types(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    pi = start_review(kb).instance.id
    variables.modify_variables(kb, SYSTEM, pi, {"limit": TypedValue("Long", 7), "meta": TypedValue("Json", {"a": 1})},
                               ["starter"])
    stored = variables.get_variables(kb, SYSTEM, pi)
    assert (stored["limit"].type, stored["meta"].value, "starter" in stored) == ("Long", {"a": 1}, False)
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    assert tasks.form_variables(kb, SYSTEM, task.id)["limit"].value == 7


def test_start_and_deploy_need_a_manager(kb):
    with pytest.raises(Forbidden):
        deployments.deploy(kb, WORKER, deployments.DeployCommand(resources={"r.bpmn": REVIEW}))
    with pytest.raises(InvalidRequest):
        deploy(kb, {})


def test_delete_deployment_cascades_to_instances(kb):
    result = deploy(kb, {"r.bpmn": REVIEW})
    start_review(kb)
    with pytest.raises(InvalidRequest):
        deployments.delete_deployment(kb, SYSTEM, result.deployment.id, cascade=False)
    deployments.delete_deployment(kb, SYSTEM, result.deployment.id, cascade=True)
    assert count(kb, ProcessInstance) == 0 and count(kb, Task) == 0 and count(kb, Variable) == 0
    with pytest.raises(NotFound):
        deployments.get_deployment(kb, SYSTEM, result.deployment.id)


def test_deleting_an_instance_closes_its_tasks(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    pi = start_review(kb).instance.id
    instances.delete_instance(kb, SYSTEM, pi)
    assert count(kb, Task) == 0
    with pytest.raises(NotFound):
        instances.get_instance(kb, SYSTEM, pi)
    assert instances.get_any_instance(kb, SYSTEM, pi).state == "EXTERNALLY_TERMINATED"


def test_latest_version_is_started_by_key(kb):
    deploy(kb, {"r.bpmn": REVIEW})
    deploy(kb, {"r.bpmn": REVIEW.replace(b"Claim review", b"v2")})
    assert start_review(kb).instance.definition_id.startswith("claim_review:2:")


def test_candidate_starter_groups_decide_who_may_start(kb):
    xml = REVIEW.replace(b'<bpmn:process id="claim_review"',
                         b'<bpmn:process id="claim_review" camunda:candidateStarterGroups="*-hrss,special"')
    deploy(kb, {"r.bpmn": xml})
    cmd = instances.StartCommand(key="claim_review", variables={"region": TypedValue("String", "changchun"),
                                                                "amount": TypedValue("Long", 1)})
    assert instances.start(kb, WORKER, cmd).instance.start_user_id == WORKER.user_id
    with pytest.raises(Forbidden):
        instances.start(kb, Actor("postal", frozenset({"changchun-postal"})), cmd)
    from app.services import definitions
    startable = definitions.list_definitions(kb, SYSTEM, definitions.DefinitionQuery(startable_by="changchun.hrss"))
    assert [d.key for d in startable] == ["claim_review"]
    assert definitions.list_definitions(kb, SYSTEM, definitions.DefinitionQuery(startable_by="jilin.postal")) == []
