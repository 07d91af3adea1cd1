"""End to end with the real, unmodified `pycamunda` client against a running `kuaibao serve`.

Every request goes through pycamunda's request classes with HTTP Basic auth (demo/demo, an administrator);
any response pycamunda cannot parse fails the test.
"""
from __future__ import annotations

import datetime as dt
import uuid

import pycamunda
import pycamunda.deployment
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests.auth

from tests.conftest import FIXTURES

DIAGRAM = FIXTURES / "bpmn" / "review" / "claim_review.bpmn"
KEY = "claim_review"
GROUP = "changchun-hrss"
AUTH = requests.auth.HTTPBasicAuth("demo", "demo")


def send(request):
    """Authenticate a pycamunda request as demo/demo and send it."""
    request.auth = AUTH
    return request()


@pytest.fixture(scope="module")
def url(kuaibao_server) -> str:
    return kuaibao_server.base_url


@pytest.fixture(scope="module")
def deployment(url) -> pycamunda.deployment.DeploymentWithDefinitions:
    """claim_review.bpmn deployed once per server, as a file upload (the part's filename is the resource name)."""
    create = pycamunda.deployment.Create(url, name="e2e-pycamunda", source="pytest")
    with open(DIAGRAM, "rb") as resource:
        create.add_resource(resource)
        return send(create)


@pytest.fixture(scope="module")
def definition(deployment) -> pycamunda.processdef.ProcessDefinition:
    (only,) = deployment.deployed_process_definitions.values()
    return only


def start_claim(url, with_variables_in_return: bool = False) -> pycamunda.processinst.ProcessInstance:
    """Start claim_review by key for region changchun and amount 5000 (typed: String and Long)."""
    start = pycamunda.processdef.StartInstance(url, key=KEY, business_key=f"claim-{uuid.uuid4().hex[:8]}",
                                               with_variables_in_return=with_variables_in_return)
    start.add_variable("region", "changchun", "String")
    start.add_variable("amount", 5000, "Long")
    return send(start)


def review_task(url, instance_id: str) -> pycamunda.task.Task:
    """The open review task of one instance, found through its candidate group."""
    tasks = send(pycamunda.task.GetList(url, candidate_group=GROUP, process_instance_id=instance_id))
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_deployment_returns_the_claim_review_definition(deployment, definition):
    """Create returns the deployment, with a parsable time, and the one process definition it created."""
    assert deployment.id_ and deployment.name == "e2e-pycamunda" and deployment.source == "pytest"
    assert deployment.tenant_id is None
    assert isinstance(deployment.deployment_time, dt.datetime) and deployment.deployment_time.tzinfo is not None
    assert abs(dt.datetime.now(dt.timezone.utc) - deployment.deployment_time) < dt.timedelta(minutes=5)
    assert [link.rel for link in deployment.links] == ["self"]
    assert deployment.deployed_case_definitions is None
    assert list(deployment.deployed_process_definitions) == [definition.id_]
    assert definition.key == KEY and definition.id_.startswith(f"{KEY}:{definition.version}:")
    assert definition.name == "工伤申请审核 Claim review"
    assert definition.resource == "claim_review.bpmn"
    assert definition.deployment_id == deployment.id_
    assert (definition.version_tag, definition.history_time_to_live) == ("1.0", 180)
    assert definition.suspended is False and definition.startable_in_tasklist is True


def test_definition_count_and_xml_are_served(url, deployment, definition):
    """Count filters by key and deployment; GetXML returns the deployed diagram unchanged."""
    assert send(pycamunda.processdef.Count(url, key=KEY)) >= 1
    assert send(pycamunda.processdef.Count(url, deployment_id=deployment.id_)) == 1
    assert send(pycamunda.processdef.Count(url, key=KEY, latest_version=True)) == 1
    assert send(pycamunda.processdef.Count(url, key="no_such_process")) == 0
    assert send(pycamunda.processdef.GetXML(url, id_=definition.id_)) == DIAGRAM.read_text(encoding="utf-8")
    assert send(pycamunda.processdef.GetXML(url, key=KEY)) == DIAGRAM.read_text(encoding="utf-8")


def test_start_by_key_returns_the_instance_and_its_typed_variables(url, definition):
    """StartInstance by key answers the instance with a self link and, on request, its typed variables."""
    instance = start_claim(url, with_variables_in_return=True)
    assert instance.definition_id == definition.id_
    assert instance.business_key.startswith("claim-")
    assert instance.suspended is False
    assert [(link.rel, link.href.endswith(f"/process-instance/{instance.id_}")) for link in instance.links] \
        == [("self", True)]
    variables = {name: (v.type_, v.value) for name, v in instance.variables.items()}
    assert variables["region"] == ("String", "changchun")
    assert variables["amount"] == ("Long", 5000)
    assert variables["starter"] == ("String", "demo")  # camunda:initiator
    assert send(pycamunda.processinst.Get(url, id_=instance.id_)).id_ == instance.id_


def test_candidate_group_query_finds_the_unassigned_review_task(url, definition):
    """The review task is offered to ${region}-hrss, with its Camunda attributes and parsable dates."""
    instance = start_claim(url)
    task = review_task(url, instance.id_)
    assert (task.task_definition_key, task.name, task.assignee) == ("review", "受理审核", None)
    assert task.process_definition_id == definition.id_ and task.process_instance_id == instance.id_
    assert task.form_key == "embedded:app:forms/review.html"
    assert task.priority == 50  # ${amount > 10000 ? 80 : 50}
    assert isinstance(task.created, dt.datetime) and task.created.tzinfo is not None
    assert isinstance(task.due, dt.datetime)  # camunda:dueDate="P15D", counted from (about) creation
    assert abs(task.due - task.created - dt.timedelta(days=15)) < dt.timedelta(seconds=2)
    assert task.follow_up is None and task.suspended is False
    others = send(pycamunda.task.GetList(url, candidate_group="jilin-hrss", process_instance_id=instance.id_))
    assert others == ()


def test_second_claim_for_another_user_fails_as_already_claimed(url):
    """Claiming a claimed task for someone else is Camunda's 500 TaskAlreadyClaimedException."""
    instance = start_claim(url)
    task = review_task(url, instance.id_)
    send(pycamunda.task.Claim(url, id_=task.id_, user_id="changchun.hrss"))
    send(pycamunda.task.Claim(url, id_=task.id_, user_id="changchun.hrss"))  # the same user again: idempotent
    with pytest.raises(pycamunda.NoSuccess) as refused:
        send(pycamunda.task.Claim(url, id_=task.id_, user_id="jilin.hrss"))
    assert refused.type is pycamunda.NoSuccess  # not BadRequest/NotFound/...: a 500
    assert "TaskAlreadyClaimedException" in str(refused.value) and "already claimed" in str(refused.value)
    (claimed,) = send(pycamunda.task.GetList(url, process_instance_id=instance.id_))
    assert claimed.assignee == "changchun.hrss"
    assert send(pycamunda.task.GetList(url, candidate_group=GROUP, process_instance_id=instance.id_)) == ()


def test_completing_the_approved_review_ends_the_instance_with_the_benefit(url):
    """Complete (approved=true, variables in return) runs the script task to the end: benefit 4000.0."""
    instance = start_claim(url)
    task = review_task(url, instance.id_)
    send(pycamunda.task.Claim(url, id_=task.id_, user_id="changchun.hrss"))
    complete = pycamunda.task.Complete(url, id_=task.id_, with_variables_in_return=True)
    complete.add_variable("approved", True, "Boolean")
    complete.add_variable("comment", "材料齐全", "String")
    variables = send(complete)

    assert (variables["benefit"].type_, variables["benefit"].value) == ("Double", 4000.0)
    assert (variables["status"].type_, variables["status"].value) == ("String", "approved")
    assert (variables["approved"].type_, variables["approved"].value) == ("Boolean", True)
    assert (variables["amount"].type_, variables["amount"].value) == ("Long", 5000)
    assert send(pycamunda.processinst.GetList(url, process_instance_ids=[instance.id_])) == ()
    assert instance.id_ not in {i.id_ for i in send(pycamunda.processinst.GetList(url, process_definition_key=KEY))}
    with pytest.raises(pycamunda.NotFound):
        send(pycamunda.processinst.Get(url, id_=instance.id_))
    assert send(pycamunda.task.GetList(url, process_instance_id=instance.id_)) == ()
