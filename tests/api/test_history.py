"""/history: process instances, activity instances, tasks, variables and the user operation log, with Camunda's
DTOs, filters, sorting, counts and 404s; deleting a finished instance's history; and what each caller may see."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.models import Authorization
from app.models.authorization import GRANT
from app.services import authz, permissions
from tests import diagrams
from tests.api.test_camunda_flow import deploy
from tests.conftest import ADMIN, WORKER, basic
from tests.integration.test_calls_and_messages import CALLED, caller_xml

H = "/engine-rest/history"
DATE = "%Y-%m-%dT%H:%M:%S.%f%z"
INSTANCE_FIELDS = {"id", "rootProcessInstanceId", "superProcessInstanceId", "superCaseInstanceId", "caseInstanceId",
                   "processDefinitionName", "processDefinitionKey", "processDefinitionVersion", "processDefinitionId",
                   "businessKey", "startTime", "endTime", "removalTime", "durationInMillis", "startUserId",
                   "startActivityId", "deleteReason", "tenantId", "state", "restartedProcessInstanceId"}
ACTIVITY_FIELDS = {"id", "parentActivityInstanceId", "activityId", "activityName", "activityType",
                   "processDefinitionKey", "processDefinitionId", "processInstanceId", "executionId", "taskId",
                   "assignee", "calledProcessInstanceId", "calledCaseInstanceId", "startTime", "endTime",
                   "durationInMillis", "canceled", "completeScope", "tenantId", "removalTime", "rootProcessInstanceId"}
TASK_FIELDS = {"id", "processDefinitionKey", "processDefinitionId", "processInstanceId", "executionId",
               "caseDefinitionKey", "caseDefinitionId", "caseInstanceId", "caseExecutionId", "activityInstanceId",
               "name", "description", "deleteReason", "owner", "assignee", "startTime", "endTime", "duration",
               "taskDefinitionKey", "priority", "due", "parentTaskId", "followUp", "tenantId", "removalTime",
               "rootProcessInstanceId", "taskState"}
VARIABLE_FIELDS = {"value", "type", "valueInfo", "id", "name", "processDefinitionKey", "processDefinitionId",
                   "processInstanceId", "executionId", "activityInstanceId", "caseDefinitionKey", "caseDefinitionId",
                   "caseInstanceId", "caseExecutionId", "taskId", "tenantId", "errorMessage", "state", "createTime",
                   "removalTime", "rootProcessInstanceId"}
OPERATION_FIELDS = {"id", "deploymentId", "processDefinitionId", "processDefinitionKey", "processInstanceId",
                    "executionId", "caseDefinitionId", "caseInstanceId", "caseExecutionId", "taskId", "externalTaskId",
                    "batchId", "jobId", "jobDefinitionId", "userId", "timestamp", "operationId", "operationType",
                    "entityType", "property", "orgValue", "newValue", "removalTime", "rootProcessInstanceId",
                    "category", "annotation"}
LISTS = ("process-instance", "activity-instance", "task", "variable-instance", "user-operation")


def start(client, key="p", business_key="B-1", **variables):
    typed = {name: {"value": value} for name, value in variables.items()}
    r = client.post(f"/engine-rest/process-definition/key/{key}/start", headers=ADMIN,
                    json={"businessKey": business_key, "variables": typed})
    assert r.status_code == 200, r.json
    return r.json["id"]


def work_on(client, instance_id, **variables):
    """worker (group `workers`) claims and completes the instance's open task."""
    [task] = client.get(f"/engine-rest/task?processInstanceId={instance_id}", headers=ADMIN).json
    assert client.post(f"/engine-rest/task/{task['id']}/claim", json={"userId": "worker"},
                       headers=WORKER).status_code == 204
    typed = {name: {"value": value} for name, value in variables.items()}
    assert client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": typed},
                       headers=WORKER).status_code == 204
    return task["id"]


@pytest.fixture
def finished(client):
    """One instance of start -> Work (candidate group `workers`) -> end, done by worker."""
    deploy(client, {"p.bpmn": diagrams.user_task_process("p")})
    instance_id = start(client, amount=5000, city="changchun")
    task_id = work_on(client, instance_id, approved=True)
    return instance_id, task_id


def get(client, path, headers=ADMIN):
    r = client.get(f"{H}/{path}", headers=headers)
    assert r.status_code == 200, r.json
    return r.json


def test_a_completed_instance_shows_its_whole_history(client, finished):
    instance_id, task_id = finished
    instance = get(client, f"process-instance/{instance_id}")
    assert set(instance) == INSTANCE_FIELDS
    assert (instance["state"], instance["businessKey"], instance["startUserId"], instance["startActivityId"]) == (
        "COMPLETED", "B-1", "demo", "start")
    assert instance["processDefinitionVersion"] == 1 and instance["rootProcessInstanceId"] == instance_id
    began, ended = (datetime.strptime(instance[k], DATE) for k in ("startTime", "endTime"))
    assert instance["durationInMillis"] == int((ended - began).total_seconds() * 1000)
    assert datetime.strptime(instance["removalTime"], DATE) > ended  # end + historyTimeToLive

    activities = get(client, f"activity-instance?processInstanceId={instance_id}&sortBy=occurrence&sortOrder=asc")
    assert set(activities[0]) == ACTIVITY_FIELDS
    assert [(a["activityId"], a["activityType"]) for a in activities] == [
        ("start", "startEvent"), ("work", "userTask"), ("end", "noneEndEvent")]
    assert all(a["endTime"] and a["durationInMillis"] is not None and not a["canceled"] for a in activities)
    assert activities[1]["taskId"] == task_id and activities[1]["assignee"] == "worker"
    assert [a["completeScope"] for a in activities] == [False, False, True]
    newest_first = get(client, f"activity-instance?processInstanceId={instance_id}&sortBy=occurrence&sortOrder=desc")
    assert [a["activityId"] for a in newest_first] == ["end", "work", "start"]

    [task] = get(client, f"task?processInstanceId={instance_id}")
    assert set(task) == TASK_FIELDS
    assert (task["id"], task["taskDefinitionKey"], task["name"], task["assignee"], task["deleteReason"],
            task["taskState"]) == (task_id, "work", "Work", "worker", "completed", "Completed")
    assert task["duration"] >= 0 and task["endTime"] is not None and task["activityInstanceId"] == task_id

    variables = {v["name"]: v for v in get(client, f"variable-instance?processInstanceId={instance_id}")}
    assert set(variables["amount"]) == VARIABLE_FIELDS
    assert (variables["amount"]["value"], variables["amount"]["type"], variables["amount"]["state"]) == (
        5000, "Integer", "CREATED")
    assert variables["approved"]["value"] is True and variables["city"]["value"] == "changchun"
    datetime.strptime(variables["amount"]["createTime"], DATE)
    one = get(client, f"variable-instance/{variables['amount']['id']}")
    assert one == variables["amount"]

    log = get(client, f"user-operation?processInstanceId={instance_id}&sortBy=timestamp&sortOrder=asc")
    assert set(log[0]) == OPERATION_FIELDS
    operations = [(e["operationType"], e["entityType"], e["userId"]) for e in log]
    assert operations.index(("Create", "ProcessInstance", "demo")) < operations.index(("Claim", "Task", "worker")) \
        < operations.index(("Complete", "Task", "worker"))
    claim = next(e for e in log if e["operationType"] == "Claim")
    assert (claim["taskId"], claim["property"], claim["newValue"], claim["category"]) == (
        task_id, "assignee", "worker", "TaskWorker")
    datetime.strptime(claim["timestamp"], DATE)


def test_counts_equal_list_lengths_for_get_and_post(client, finished):
    instance_id, _ = finished
    start(client, business_key="B-2")  # a second instance, still running
    for path in LISTS:
        listed = get(client, path)
        assert get(client, f"{path}/count") == {"count": len(listed)} and listed, path
        if path != "user-operation":
            posted = client.post(f"{H}/{path}", headers=ADMIN, json={"processInstanceId": instance_id})
            counted = client.post(f"{H}/{path}/count", headers=ADMIN, json={"processInstanceId": instance_id})
            assert counted.json == {"count": len(posted.json)} and posted.json, path
            assert {row.get("processInstanceId", row["id"]) for row in posted.json} == {instance_id}
    paged = get(client, "activity-instance?firstResult=1&maxResults=2")
    assert len(paged) == 2 and paged == get(client, "activity-instance")[1:3]


def test_sorting_needs_both_parameters_and_a_known_key(client, finished):
    for path in LISTS:
        r = client.get(f"{H}/{path}?sortBy=startTime", headers=ADMIN)
        assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException"), path
        r = client.get(f"{H}/{path}/count?sortBy=bogus&sortOrder=asc", headers=ADMIN)
        assert r.status_code == 400 and "bogus" in r.json["message"], path
    r = client.post(f"{H}/task", headers=ADMIN, json={"sorting": [{"sortBy": "duration"}]})
    assert r.status_code == 400
    start(client, business_key="A-0")
    keys = [i["businessKey"] for i in get(client, "process-instance?sortBy=businessKey&sortOrder=desc")]
    assert keys == ["B-1", "A-0"]
    r = client.post(f"{H}/process-instance", headers=ADMIN,
                    json={"sorting": [{"sortBy": "duration", "sortOrder": "desc"}]})
    assert r.status_code == 200 and len(r.json) == 2  # where a running one (no duration) goes depends on the database


def test_unknown_ids_are_camunda_404s(client):
    for path, message in (("process-instance", "Historic process instance with id nope does not exist"),
                          ("activity-instance", "Historic activity instance with id nope does not exist"),
                          ("variable-instance", "Historic variable instance with Id 'nope' does not exist.")):
        r = client.get(f"{H}/{path}/nope", headers=ADMIN)
        assert r.status_code == 404 and r.json == {"type": "InvalidRequestException", "message": message,
                                                   "code": None}
    r = client.delete(f"{H}/process-instance/nope", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")
    assert client.delete(f"{H}/process-instance/nope?failIfNotExists=false", headers=ADMIN).status_code == 204


def test_a_call_activity_names_the_instance_it_called(client):
    deploy(client, {"called.bpmn": CALLED, "caller.bpmn": caller_xml()})
    caller = start(client, "monthly", outlet="JL-001", region="jilin")
    [call] = get(client, f"activity-instance?processInstanceId={caller}&activityId=call")
    child = call["calledProcessInstanceId"]
    assert child and call["endTime"] is None and call["activityType"] == "callActivity"
    called = get(client, f"process-instance/{child}")
    assert (called["superProcessInstanceId"], called["rootProcessInstanceId"], called["state"]) == (
        caller, caller, "ACTIVE")
    assert [i["id"] for i in get(client, "process-instance?rootProcessInstances=true")] == [caller]
    assert [i["id"] for i in get(client, f"process-instance?superProcessInstanceId={caller}")] == [child]
    assert [i["id"] for i in get(client, f"process-instance?subProcessInstanceId={child}")] == [caller]
    [check] = get(client, f"task?processInstanceId={child}")
    assert check["rootProcessInstanceId"] == caller


def test_a_deleted_running_instance_is_externally_terminated_and_its_task_deleted(client):
    deploy(client, {"p.bpmn": diagrams.user_task_process("p")})
    instance_id = start(client)
    assert client.delete(f"/engine-rest/process-instance/{instance_id}", headers=ADMIN).status_code == 204
    instance = get(client, f"process-instance/{instance_id}")
    assert instance["state"] == "EXTERNALLY_TERMINATED" and instance["endTime"] is not None
    [work] = get(client, f"activity-instance?processInstanceId={instance_id}&canceled=true")
    assert work["activityId"] == "work" and work["endTime"] is not None
    [task] = get(client, "task")
    assert (task["deleteReason"], task["taskState"]) == ("deleted", "Deleted")
    assert get(client, "process-instance/count?externallyTerminated=true") == {"count": 1}
    assert get(client, "process-instance/count?completed=true") == {"count": 0}
    r = client.get(f"{H}/process-instance?completed=true&active=true", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "BadUserRequestException")


def test_deleting_the_history_of_a_finished_instance_removes_all_of_it(client, finished):
    instance_id, _ = finished
    running = start(client, business_key="B-2")
    assert client.delete(f"{H}/process-instance/{instance_id}", headers=ADMIN).status_code == 204
    assert client.get(f"{H}/process-instance/{instance_id}", headers=ADMIN).status_code == 404
    for path in ("activity-instance", "task", "variable-instance", "user-operation"):
        assert get(client, f"{path}/count?processInstanceId={instance_id}") == {"count": 0}, path
    [entry] = get(client, "user-operation?operationType=DeleteHistory&property=nrOfInstances")
    assert (entry["userId"], entry["processDefinitionKey"], entry["entityType"]) == ("demo", "p", "ProcessInstance")
    assert client.delete(f"{H}/process-instance/{instance_id}", headers=ADMIN).status_code == 404
    assert get(client, f"process-instance/{running}")["state"] == "ACTIVE"


def test_the_history_of_a_running_instance_cannot_be_deleted(client):
    deploy(client, {"p.bpmn": diagrams.user_task_process("p")})
    instance_id = start(client)
    r = client.delete(f"{H}/process-instance/{instance_id}", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "BadUserRequestException")
    assert "still running" in r.json["message"]
    assert get(client, f"process-instance/{instance_id}")["state"] == "ACTIVE"


def test_an_uninvolved_user_sees_nothing_and_gets_404s(client, made, finished):
    instance_id, task_id = finished
    stranger = basic(made.user("a stranger's password"), "a stranger's password")
    for path in LISTS:
        assert get(client, f"{path}/count", headers=stranger) == {"count": 0}, path
        assert get(client, path, headers=stranger) == [], path
    assert client.post(f"{H}/task/count", headers=stranger, json={}).json == {"count": 0}
    [activity] = get(client, "activity-instance?activityId=work")
    [variable] = get(client, "variable-instance?variableName=amount")
    for path in (f"process-instance/{instance_id}", f"activity-instance/{activity['id']}",
                 f"variable-instance/{variable['id']}"):
        assert client.get(f"{H}/{path}", headers=stranger).status_code == 404, path
    assert client.delete(f"{H}/process-instance/{instance_id}", headers=stranger).status_code == 404


def test_a_worker_sees_the_case_they_worked_but_not_unattached_log_entries(client, finished):
    instance_id, task_id = finished
    assert [t["id"] for t in get(client, "task", headers=WORKER)] == [task_id]
    assert [i["id"] for i in get(client, "process-instance", headers=WORKER)] == [instance_id]
    entries = get(client, "user-operation", headers=WORKER)
    assert entries and all(e["processInstanceId"] == instance_id for e in entries)
    assert get(client, "user-operation/count?entityType=Deployment") != {"count": 0}  # the administrator sees them


def test_a_finished_task_stays_visible_to_the_group_it_was_offered_to(client, made):
    deploy(client, {"p.bpmn": diagrams.user_task_process("p")})
    instance_id = start(client)
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    assert client.post(f"/engine-rest/task/{task['id']}/complete", json={}, headers=ADMIN).status_code == 204
    assert [t["id"] for t in get(client, "task?finished=true", headers=WORKER)] == [task["id"]]
    assert get(client, "task/count?taskHadCandidateGroup=workers", headers=WORKER) == {"count": 1}
    assert get(client, f"process-instance/{instance_id}", headers=WORKER)["state"] == "COMPLETED"


def test_deleting_history_needs_delete_history_on_the_definition(client, kb, finished):
    instance_id, _ = finished
    r = client.delete(f"{H}/process-instance/{instance_id}", headers=WORKER)
    assert (r.status_code, r.json["type"]) == (403, "AuthorizationException")
    assert "DELETE_HISTORY" in r.json["message"]
    with kb.store.transaction() as s:
        s.add(Authorization(type=GRANT, user_id="worker", resource_type=permissions.PROCESS_DEFINITION,
                            resource_id="p", permissions=permissions.DELETE_HISTORY))
    authz.cache_of(kb).changed()
    try:
        assert client.delete(f"{H}/process-instance/{instance_id}", headers=WORKER).status_code == 204
    finally:
        authz.cache_of(kb).changed()
    assert client.get(f"{H}/process-instance/{instance_id}", headers=ADMIN).status_code == 404


def test_variable_filters_compare_typed_values(client, finished):
    instance_id, _ = finished
    other = start(client, business_key="B-2", amount=20, city="jilin_north")

    def ids(query):
        return [i["id"] for i in get(client, f"process-instance?{query}")]
    assert ids("variables=amount_gt_100") == [instance_id]
    assert ids("variables=amount_lteq_20") == [other]
    assert ids("variables=city_eq_changchun") == [instance_id]
    assert ids("variables=city_like_jilin%25,amount_eq_20") == [other]
    assert ids("variables=city_eq_jilin_north") == [other]  # the first operator word splits name and value
    assert ids("variables=city_eq_CHANGCHUN&variableValuesIgnoreCase=true") == [instance_id]
    assert ids("variables=approved_eq_true") == [instance_id]
    assert ids("variables=city_neq_changchun") == [other]
    r = client.post(f"{H}/process-instance/count", headers=ADMIN,
                    json={"variables": [{"name": "amount", "operator": "gteq", "value": 20}]})
    assert r.json == {"count": 2}
    r = client.post(f"{H}/task", headers=ADMIN,
                    json={"processVariables": [{"name": "city", "operator": "eq", "value": "changchun"}]})
    assert [t["processInstanceId"] for t in r.json] == [instance_id]
    r = client.get(f"{H}/process-instance?variables=amount_between_1", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    values = get(client, "variable-instance?variableName=amount&variableValue=20")
    assert [v["processInstanceId"] for v in values] == [other]
    r = client.get(f"{H}/variable-instance?variableValue=20", headers=ADMIN)
    assert r.status_code == 400


def test_query_filters_of_each_history_list(client, finished):
    instance_id, task_id = finished
    running = start(client, business_key="B-2", amount=7)

    def count(path, query):
        return get(client, f"{path}/count?{query}")["count"]
    assert count("process-instance", "finished=true") == 1 and count("process-instance", "unfinished=true") == 1
    assert count("process-instance", "processInstanceBusinessKeyLike=B-%25&processDefinitionKey=p") == 2
    assert count("process-instance", f"processInstanceIds={instance_id},{running}&active=true") == 1
    assert count("process-instance", "executedActivityIdIn=work") == 1
    assert count("process-instance", "activeActivityIdIn=work") == 1
    assert count("process-instance", "startedBy=demo&startedAfter=2000-01-01T00:00:00.000%2B0000") == 2
    assert count("process-instance", "caseInstanceId=x") == 0
    assert count("activity-instance", "activityType=userTask&unfinished=true") == 1
    assert count("activity-instance", "taskAssignee=worker") == 1
    assert count("activity-instance", "completeScope=true") == 1
    assert count("task", "taskAssignee=worker&finished=true") == 1
    assert count("task", "unassigned=true&withCandidateGroups=true") == 1
    assert count("task", "taskInvolvedGroup=workers") == 2 and count("task", "withoutCandidateGroups=true") == 0
    assert count("task", "processFinished=true") == 1 and count("task", "taskDeleteReasonLike=comp%25") == 1
    assert count("task", f"taskId={task_id}&taskDefinitionKey=work&taskNameLike=W%25") == 1
    assert count("variable-instance", "variableNameLike=amo%25&variableTypeIn=integer") == 2
    assert count("variable-instance", f"processInstanceIdIn={running}&variableNameIn=amount,approved") == 1
    assert count("user-operation", "operationType=Claim&userId=worker&entityTypeIn=Task,Variable") == 1
    assert count("user-operation", f"taskId={task_id}&category=TaskWorker") >= 2
    assert count("user-operation", "afterTimestamp=2999-01-01T00:00:00.000%2B0000") == 0
    r = client.get(f"{H}/process-instance?incidentStatus=resolved", headers=ADMIN)
    assert r.status_code == 400 and "incidentStatus" in r.json["message"]
