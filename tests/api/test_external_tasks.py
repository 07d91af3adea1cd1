"""External tasks over REST as Camunda workers use them: fetch and lock (long polling), complete, failure,
BPMN errors, locks, retries, and the incidents they raise."""
from __future__ import annotations

import io
import threading
import time
from datetime import datetime

import pytest

from tests import diagrams
from tests.conftest import ADMIN, WORKER

BASE = "/engine-rest/external-task"
TASK_FIELDS = {"activityId", "activityInstanceId", "errorMessage", "executionId", "id", "lockExpirationTime",
               "createTime", "processDefinitionId", "processDefinitionKey", "processDefinitionVersionTag",
               "processInstanceId", "tenantId", "retries", "suspended", "workerId", "priority", "topicName",
               "businessKey"}
LOCKED_FIELDS = TASK_FIELDS | {"errorDetails", "variables", "extensionProperties"}
INCIDENT_FIELDS = {"id", "processDefinitionId", "processInstanceId", "executionId", "incidentTimestamp",
                   "incidentType", "activityId", "failedActivityId", "causeIncidentId", "rootCauseIncidentId",
                   "configuration", "tenantId", "incidentMessage", "jobDefinitionId", "annotation"}
PROPERTIES = ('<bpmn:extensionElements><camunda:properties><camunda:property name="endpoint" value="https://x" />'
              '</camunda:properties></bpmn:extensionElements>')


def deploy(client, xml: bytes, name: str = "p.bpmn") -> None:
    r = client.post("/engine-rest/deployment/create", headers=ADMIN, content_type="multipart/form-data",
                    data={"deployment-name": "external", "file": (io.BytesIO(xml), name)})
    assert r.status_code == 200, r.json


def start(client, key: str = "svc", business_key: str | None = None, variables: dict | None = None) -> str:
    r = client.post(f"/engine-rest/process-definition/key/{key}/start", headers=ADMIN,
                    json={"businessKey": business_key, "variables": variables or {}})
    assert r.status_code == 200, r.json
    return r.json["id"]


def fetch(client, worker: str = "w1", topic: str = "pay", max_tasks: int = 10, lock: int = 60_000,
          options: dict | None = None, **extra):
    """POST fetchAndLock for one topic; `options` go into the topic, `extra` into the request."""
    body = {"workerId": worker, "maxTasks": max_tasks,
            "topics": [{"topicName": topic, "lockDuration": lock, **(options or {})}], **extra}
    r = client.post(f"{BASE}/fetchAndLock", headers=ADMIN, json=body)
    assert r.status_code == 200 and r.mimetype == "application/json", r.json
    return r.json


def open_tasks(client, instance_id: str) -> list[str]:
    return [t["taskDefinitionKey"] for t in
            client.get(f"/engine-rest/task?processInstanceId={instance_id}", headers=ADMIN).json]


@pytest.fixture
def service(client):
    xml = diagrams.service_process("svc", "pay")
    xml = xml.replace(b'camunda:topic="pay">', f'camunda:topic="pay">{PROPERTIES}'.encode())
    deploy(client, xml)
    return client


def test_fetch_and_lock_returns_camunda_shapes_with_the_requested_variables(service):
    client = service
    pi = start(client, business_key="B-1", variables={"amount": {"value": 5000, "type": "Long"},
                                                      "name": {"value": "Li"}})
    [task] = fetch(client, options={"variables": ["amount"], "includeExtensionProperties": True})
    assert set(task) == LOCKED_FIELDS
    assert (task["topicName"], task["workerId"], task["activityId"], task["processInstanceId"]) == (
        "pay", "w1", "call", pi)
    assert task["businessKey"] == "B-1" and task["processDefinitionKey"] == "svc" and task["retries"] is None
    assert task["variables"] == {"amount": {"type": "Long", "value": 5000, "valueInfo": {}}}
    assert task["extensionProperties"] == {"endpoint": "https://x"}
    for key in ("lockExpirationTime", "createTime"):
        datetime.strptime(task[key], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert fetch(client, worker="w2") == []  # locked

    one = client.get(f"{BASE}/{task['id']}", headers=ADMIN).json
    assert set(one) == TASK_FIELDS and one["workerId"] == "w1"
    assert client.get(f"{BASE}/count?topicName=pay&locked=true", headers=ADMIN).json == {"count": 1}
    assert client.get(f"{BASE}?notLocked=true", headers=ADMIN).json == []
    assert client.post(BASE, headers=ADMIN, json={"processInstanceId": pi}).json[0]["id"] == task["id"]
    assert client.get(f"{BASE}/topic-names", headers=ADMIN).json == ["pay"]
    r = client.get(f"{BASE}/nope", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")

    client.post(f"{BASE}/{task['id']}/unlock", headers=ADMIN)
    [again] = fetch(client)  # variables: null means all; extension properties only on request
    assert set(again["variables"]) == {"amount", "name"} and again["extensionProperties"] == {}
    client.post(f"{BASE}/{task['id']}/unlock", headers=ADMIN)
    assert fetch(client, options={"variables": []})[0]["variables"] == {}


def test_fetch_filters_by_business_key_and_process_variables(service):
    north = start(service, business_key="N", variables={"region": {"value": "north"}, "size": {"value": 3}})
    south = start(service, business_key="S", variables={"region": {"value": "south"}})
    assert fetch(service, options={"processVariables": {"region": "nowhere"}}) == []
    [task] = fetch(service, options={"processVariables": {"region": "south", "size": 99}})  # any entry matches
    assert task["processInstanceId"] == south
    [task] = fetch(service, options={"businessKey": "N", "processDefinitionKey": "svc", "withoutTenantId": True})
    assert task["processInstanceId"] == north
    r = service.post(f"{BASE}/fetchAndLock", headers=ADMIN, json={"workerId": "w", "maxTasks": 1,
                                                                   "topics": [{"topicName": "pay"}]})
    assert (r.status_code, r.json["type"]) == (500, "ProcessEngineException")  # Camunda: lockTime must be > 0


def test_incidents_sort_by_timestamp(service):
    for key in ("A", "B"):
        start(service, business_key=key)
        [task] = fetch(service)
        service.post(f"{BASE}/{task['id']}/failure", headers=ADMIN,
                     json={"workerId": "w1", "errorMessage": f"failed {key}", "retries": 0})
        time.sleep(0.01)
    r = service.get("/engine-rest/incident?sortBy=incidentTimestamp&sortOrder=desc", headers=ADMIN)
    assert [i["incidentMessage"] for i in r.json] == ["failed B", "failed A"]
    assert service.get("/engine-rest/incident?incidentMessageLike=%25A", headers=ADMIN).json[0][
        "incidentMessage"] == "failed A"
    r = service.get("/engine-rest/incident?sortBy=bogus&sortOrder=asc", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    r = service.get("/engine-rest/incident/nope", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")


def test_only_managers_may_work_external_tasks(service):
    r = service.post(f"{BASE}/fetchAndLock", headers=WORKER, json={"workerId": "w", "maxTasks": 1, "topics": []})
    assert (r.status_code, r.json["type"]) == (403, "AuthorizationException")


def test_two_workers_never_get_the_same_task(service, app):
    for i in range(20):
        start(service, business_key=f"B-{i}")
    got: dict[str, list[str]] = {}

    def work(worker: str) -> None:
        client, mine = app.test_client(), []
        while batch := fetch(client, worker=worker, max_tasks=3):
            mine += [t["id"] for t in batch]
        got[worker] = mine

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    ids = [i for mine in got.values() for i in mine]
    assert len(got) == 4 and len(ids) == 20 and len(set(ids)) == 20


def test_an_expired_lock_makes_the_task_fetchable_again(service):
    start(service)
    [task] = fetch(service, worker="w1", lock=150)
    assert fetch(service, worker="w2") == []
    time.sleep(0.2)
    [again] = fetch(service, worker="w2")
    assert again["id"] == task["id"] and again["workerId"] == "w2"
    r = service.post(f"{BASE}/{task['id']}/complete", headers=ADMIN, json={"workerId": "w1"})
    assert (r.status_code, r.json["type"]) == (400, "RestException")


def test_complete_continues_the_instance_and_a_wrong_worker_is_refused(service):
    client = service
    pi = start(client)
    [task] = fetch(client)
    r = client.post(f"{BASE}/{task['id']}/complete", headers=ADMIN, json={"workerId": "w9"})
    assert (r.status_code, r.json["type"]) == (400, "RestException")
    assert r.json["message"] == (f"External Task {task['id']} cannot be completed by worker 'w9'. "
                                 "It is locked by worker 'w1'.")
    r = client.post(f"{BASE}/nope/complete", headers=ADMIN, json={"workerId": "w1"})
    assert (r.status_code, r.json["message"]) == (404, "External task with id nope does not exist")

    r = client.post(f"{BASE}/{task['id']}/complete", headers=ADMIN, json={
        "workerId": "w1", "variables": {"paid": {"value": True}}, "localVariables": {"receipt": {"value": "R-1"}}})
    assert r.status_code == 204 and r.data == b""
    assert open_tasks(client, pi) == ["check"]
    variables = client.get(f"/engine-rest/process-instance/{pi}/variables", headers=ADMIN).json
    assert variables["paid"]["value"] is True and variables["receipt"]["value"] == "R-1"
    assert client.get(f"{BASE}/{task['id']}", headers=ADMIN).status_code == 404


def test_failure_without_retries_raises_an_incident_and_new_retries_resolve_it(service):
    client = service
    pi = start(client)
    [task] = fetch(client)
    r = client.post(f"{BASE}/{task['id']}/failure", headers=ADMIN, json={
        "workerId": "w1", "errorMessage": "bank down", "errorDetails": "trace", "retries": 0, "retryTimeout": 0})
    assert r.status_code == 204
    [incident] = client.get(f"/engine-rest/incident?processInstanceId={pi}", headers=ADMIN).json
    assert set(incident) == INCIDENT_FIELDS
    assert (incident["incidentType"], incident["configuration"], incident["incidentMessage"],
            incident["activityId"]) == ("failedExternalTask", task["id"], "bank down", "call")
    datetime.strptime(incident["incidentTimestamp"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert client.get(f"/engine-rest/incident/{incident['id']}", headers=ADMIN).json == incident
    assert client.get("/engine-rest/incident/count?incidentType=failedExternalTask", headers=ADMIN).json == {
        "count": 1}
    assert client.delete(f"/engine-rest/incident/{incident['id']}", headers=ADMIN).status_code == 400
    stored = client.get(f"{BASE}/{task['id']}", headers=ADMIN).json
    assert (stored["retries"], stored["errorMessage"]) == (0, "bank down")
    assert client.get(f"{BASE}/{task['id']}/errorDetails", headers=ADMIN).data == b"trace"
    assert fetch(client) == []

    assert client.put(f"{BASE}/{task['id']}/retries", headers=ADMIN, json={"retries": 2}).status_code == 204
    assert client.get(f"/engine-rest/incident?processInstanceId={pi}", headers=ADMIN).json == []
    [again] = fetch(client, worker="w2")
    assert (again["id"], again["retries"], again["errorMessage"], again["errorDetails"]) == (
        task["id"], 2, "bank down", "trace")


def test_failure_with_retries_left_hides_the_task_for_the_retry_timeout(service):
    start(service)
    [task] = fetch(service)
    service.post(f"{BASE}/{task['id']}/failure", headers=ADMIN, json={
        "workerId": "w1", "errorMessage": "busy", "retries": 2, "retryTimeout": 200})
    assert fetch(service) == []
    assert service.get("/engine-rest/incident/count", headers=ADMIN).json == {"count": 0}
    time.sleep(0.25)
    assert fetch(service)[0]["retries"] == 2


def test_bpmn_error_is_caught_by_the_error_boundary_event(client):
    deploy(client, diagrams.error_boundary_process("svc", "pay"))
    pi = start(client)
    [task] = fetch(client)
    r = client.post(f"{BASE}/{task['id']}/bpmnError", headers=ADMIN, json={
        "workerId": "w2", "errorCode": "NOT_FOUND"})
    assert r.status_code == 400  # wrong worker
    r = client.post(f"{BASE}/{task['id']}/bpmnError", headers=ADMIN, json={
        "workerId": "w1", "errorCode": "NOT_FOUND", "errorMessage": "no such account",
        "variables": {"reason": {"value": "closed", "type": "String"}}})
    assert r.status_code == 204
    assert open_tasks(client, pi) == ["handle"]
    assert client.get(f"/engine-rest/process-instance/{pi}/variables/reason", headers=ADMIN).json["value"] == "closed"
    assert client.get(f"{BASE}/count", headers=ADMIN).json == {"count": 0}


def test_an_uncaught_bpmn_error_raises_an_incident(client):
    deploy(client, diagrams.error_boundary_process("svc", "pay"))
    pi = start(client)
    [task] = fetch(client)
    r = client.post(f"{BASE}/{task['id']}/bpmnError", headers=ADMIN, json={"workerId": "w1", "errorCode": "OTHER"})
    assert r.status_code == 204
    [incident] = client.get(f"/engine-rest/incident?processInstanceId={pi}", headers=ADMIN).json
    assert incident["incidentType"] == "failedExternalTask" and "OTHER" in incident["incidentMessage"]
    assert client.get(f"{BASE}/{task['id']}", headers=ADMIN).json["retries"] == 0
    assert open_tasks(client, pi) == []


def test_extend_lock_unlock_and_lock(service):
    client = service
    start(client)
    [task] = fetch(client, lock=1000)
    url = f"{BASE}/{task['id']}"
    r = client.post(f"{url}/extendLock", headers=ADMIN, json={"workerId": "w2", "newDuration": 5000})
    assert (r.status_code, r.json["type"]) == (400, "RestException")
    assert client.post(f"{url}/extendLock", headers=ADMIN, json={"workerId": "w1", "newDuration": 0}).status_code == 400
    r = client.post(f"{url}/extendLock", headers=ADMIN, json={"workerId": "w1", "newDuration": 60000})
    assert r.status_code == 204
    assert client.get(url, headers=ADMIN).json["lockExpirationTime"] > task["lockExpirationTime"]

    r = client.post(f"{url}/unlock", headers=ADMIN)  # no body, no content type (the JS client)
    assert r.status_code == 204
    unlocked = client.get(url, headers=ADMIN).json
    assert (unlocked["workerId"], unlocked["lockExpirationTime"]) == (None, None)
    r = client.post(f"{url}/extendLock", headers=ADMIN, json={"workerId": "w1", "newDuration": 1000})
    assert r.status_code == 400

    assert client.post(f"{url}/lock", headers=ADMIN, json={"workerId": "w2", "lockDuration": 60000}).status_code == 204
    r = client.post(f"{url}/lock", headers=ADMIN, json={"workerId": "w1", "lockDuration": 60000})
    assert (r.status_code, r.json["type"]) == (400, "RestException")
    assert client.put(f"{url}/priority", headers=ADMIN, json={"priority": 7}).status_code == 204
    assert client.get(url, headers=ADMIN).json["priority"] == 7
    assert client.post(f"{BASE}/nope/unlock", headers=ADMIN).status_code == 404


def _fetch_later(app, delay: float, action) -> threading.Thread:
    def run():
        time.sleep(delay)
        action(app.test_client())
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_long_poll_returns_as_soon_as_a_task_is_committed(service, app):
    thread = _fetch_later(app, 0.3, lambda client: start(client))
    began = time.monotonic()
    tasks = fetch(service, asyncResponseTimeout=5000)
    elapsed = time.monotonic() - began
    thread.join(5)
    assert len(tasks) == 1 and 0.25 <= elapsed < 2.5


def test_long_poll_wakes_when_a_task_is_unlocked(service, app):
    start(service)
    [task] = fetch(service, worker="w1")
    thread = _fetch_later(app, 0.3, lambda client: client.post(f"{BASE}/{task['id']}/unlock", headers=ADMIN))
    began = time.monotonic()
    tasks = fetch(service, worker="w2", asyncResponseTimeout=5000)
    thread.join(5)
    assert [t["id"] for t in tasks] == [task["id"]] and time.monotonic() - began < 2.5


def test_long_poll_answers_an_empty_list_at_the_timeout(service):
    began = time.monotonic()
    assert fetch(service, asyncResponseTimeout=400) == []
    assert 0.35 <= time.monotonic() - began < 2.0


def test_async_response_timeout_above_thirty_minutes_is_refused(service):
    r = service.post(f"{BASE}/fetchAndLock", headers=ADMIN, json={
        "workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 1_800_001,
        "topics": [{"topicName": "pay", "lockDuration": 1000}]})
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    assert r.json["message"] == ("The asynchronous response timeout cannot be set to a value greater than "
                                 "1800000 milliseconds")
