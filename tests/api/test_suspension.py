"""Suspending and activating process instances and definitions: a suspended instance does not move, and the
operation log records who suspended it."""
from __future__ import annotations

import io

from tests import diagrams
from tests.conftest import ADMIN, WORKER

R = "/engine-rest"


def deploy(client, xml: bytes) -> None:
    r = client.post(f"{R}/deployment/create", headers=ADMIN, content_type="multipart/form-data",
                    data={"deployment-name": "suspension", "file": (io.BytesIO(xml), "p.bpmn")})
    assert r.status_code == 200, r.json


def start(client, key: str) -> str:
    r = client.post(f"{R}/process-definition/key/{key}/start", headers=ADMIN, json={})
    assert r.status_code == 200, r.json
    return r.json["id"]


def test_a_suspended_instance_keeps_still_until_it_is_activated(client):
    deploy(client, diagrams.service_process("svc", "pay"))
    instance = start(client, "svc")
    fetch = {"workerId": "w", "maxTasks": 5, "topics": [{"topicName": "pay", "lockDuration": 10_000}]}

    assert client.put(f"{R}/process-instance/{instance}/suspended", headers=WORKER,
                      json={"suspended": True}).status_code in (403, 404)
    assert client.put(f"{R}/process-instance/{instance}/suspended", headers=ADMIN,
                      json={"suspended": True}).status_code == 204
    assert client.get(f"{R}/process-instance/{instance}", headers=ADMIN).json["suspended"] is True
    assert client.post(f"{R}/external-task/fetchAndLock", headers=ADMIN, json=fetch).json == []
    assert client.get(f"{R}/history/process-instance/{instance}", headers=ADMIN).json["state"] == "SUSPENDED"

    assert client.put(f"{R}/process-instance/{instance}/suspended", headers=ADMIN,
                      json={"suspended": False}).status_code == 204
    [locked] = client.post(f"{R}/external-task/fetchAndLock", headers=ADMIN, json=fetch).json
    assert client.put(f"{R}/process-instance/{instance}/suspended", headers=ADMIN,
                      json={"suspended": True}).status_code == 204
    refused = client.post(f"{R}/external-task/{locked['id']}/complete", headers=ADMIN, json={"workerId": "w"})
    assert refused.status_code == 500 and refused.json["type"] == "SuspendedEntityInteractionException"
    client.put(f"{R}/process-instance/{instance}/suspended", headers=ADMIN, json={"suspended": False})
    assert client.post(f"{R}/external-task/{locked['id']}/complete", headers=ADMIN,
                       json={"workerId": "w"}).status_code == 204

    log = client.get(f"{R}/history/user-operation?processInstanceId={instance}&entityType=ProcessInstance"
                     "&sortBy=timestamp&sortOrder=asc", headers=ADMIN).json
    changes = [(e["operationType"], e["userId"], e["orgValue"], e["newValue"]) for e in log
               if e["property"] == "suspensionState"]
    assert changes == [("Suspend", "demo", "active", "suspended"), ("Activate", "demo", "suspended", "active")] * 2


def test_a_suspended_definition_cannot_start_and_takes_its_instances_along(client):
    deploy(client, diagrams.user_task_process("ut"))
    running = start(client, "ut")
    [definition] = client.get(f"{R}/process-definition?key=ut", headers=ADMIN).json
    assert client.put(f"{R}/process-definition/key/ut/suspended", headers=WORKER,
                      json={"suspended": True}).status_code == 403
    assert client.put(f"{R}/process-definition/{definition['id']}/suspended", headers=ADMIN,
                      json={"suspended": True, "includeProcessInstances": True}).status_code == 204
    assert client.get(f"{R}/process-definition/{definition['id']}", headers=ADMIN).json["suspended"] is True
    assert client.post(f"{R}/process-definition/key/ut/start", headers=ADMIN, json={}).status_code == 500
    assert client.get(f"{R}/process-instance/{running}", headers=ADMIN).json["suspended"] is True
    [task] = client.get(f"{R}/task?processInstanceId={running}", headers=ADMIN).json
    refused = client.post(f"{R}/task/{task['id']}/complete", headers=ADMIN, json={})
    assert refused.status_code == 500 and refused.json["type"] == "SuspendedEntityInteractionException"

    assert client.put(f"{R}/process-definition/key/ut/suspended", headers=ADMIN,
                      json={"suspended": False, "includeProcessInstances": True}).status_code == 204
    assert client.post(f"{R}/task/{task['id']}/complete", headers=ADMIN, json={}).status_code == 204
    assert client.put(f"{R}/process-definition/key/nope/suspended", headers=ADMIN,
                      json={"suspended": True}).status_code == 404
    log = client.get(f"{R}/history/user-operation?entityType=ProcessDefinition&property=suspensionState"
                     "&sortBy=timestamp&sortOrder=asc", headers=ADMIN).json
    assert [(e["operationType"], e["processDefinitionKey"]) for e in log] == [("Suspend", "ut"), ("Activate", "ut")]
