"""/task/{id}/comment: whoever may see a task comments on it; CommentDto has Camunda's fields; comments outlive the
task for those who may read history."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.api.test_camunda_flow import REVIEW, deploy, start_review
from tests.conftest import ADMIN, basic

CASE_WORKER = basic("changchun.hrss", "demo")
OTHER_REGION = basic("jilin.hrss", "demo")
COMMENT_FIELDS = {"id", "userId", "taskId", "processInstanceId", "time", "message", "removalTime",
                  "rootProcessInstanceId", "links"}


@pytest.fixture
def task(client) -> dict:
    """An open review task offered to changchun-hrss."""
    deploy(client, {"claim_review.bpmn": REVIEW})
    start_review(client)
    [open_task] = client.get("/engine-rest/task?candidateGroup=changchun-hrss", headers=ADMIN).json
    return open_task


def comment(client, task_id: str, message: str, headers=CASE_WORKER):
    return client.post(f"/engine-rest/task/{task_id}/comment/create", headers=headers, json={"message": message})


def test_case_worker_comments_on_a_task_offered_to_their_group(client, task):
    r = comment(client, task["id"], "材料齐全，建议受理")
    assert r.status_code == 200 and r.mimetype == "application/json"
    created = r.json
    assert set(created) == COMMENT_FIELDS
    assert (created["userId"], created["taskId"]) == ("changchun.hrss", task["id"])
    assert created["message"] == "材料齐全，建议受理"
    assert created["processInstanceId"] == created["rootProcessInstanceId"] == task["processInstanceId"]
    assert created["removalTime"] is None
    datetime.strptime(created["time"], "%Y-%m-%dT%H:%M:%S.%f%z")
    [self_link] = created["links"]
    assert self_link["rel"] == "self" and self_link["method"] == "GET"
    assert self_link["href"].endswith(f"/engine-rest/task/{task['id']}/comment/{created['id']}")

    one = client.get(f"/engine-rest/task/{task['id']}/comment/{created['id']}", headers=CASE_WORKER).json
    assert one == {**created, "links": []}
    second = comment(client, task["id"], "second", headers=ADMIN).json
    listed = client.get(f"/engine-rest/task/{task['id']}/comment", headers=CASE_WORKER).json
    assert [c["id"] for c in listed] == [second["id"], created["id"]]  # newest first


def test_someone_who_cannot_see_the_task_finds_no_task_to_comment_on(client, task):
    comment(client, task["id"], "internal note")
    r = comment(client, task["id"], "from another region", headers=OTHER_REGION)
    assert (r.status_code, r.json["message"]) == (400, f"No task found for task id {task['id']}")
    r = client.get(f"/engine-rest/task/{task['id']}/comment", headers=OTHER_REGION)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")
    assert len(client.get(f"/engine-rest/task/{task['id']}/comment", headers=ADMIN).json) == 1


def test_unknown_tasks_and_comments_are_reported_as_camunda_does(client, task):
    r = client.get("/engine-rest/task/no-such-task/comment", headers=ADMIN)
    assert (r.status_code, r.json["type"], r.json["message"]) == (
        404, "InvalidRequestException", "No task found for task id no-such-task")
    r = comment(client, "no-such-task", "hello", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    r = client.get(f"/engine-rest/task/{task['id']}/comment/no-such-comment", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (
        404, f"Task comment with id no-such-comment does not exist for task id '{task['id']}'.")
    r = client.post(f"/engine-rest/task/{task['id']}/comment/create", headers=CASE_WORKER, json={})
    assert r.status_code == 400
    assert comment(client, task["id"], "x" * 4001).status_code == 400


def test_comments_outlive_the_task_for_those_who_may_read_its_history(client, task):
    assert client.post(f"/engine-rest/task/{task['id']}/claim", headers=CASE_WORKER,
                       json={"userId": "changchun.hrss"}).status_code == 204
    created = comment(client, task["id"], "approve").json
    assert client.post(f"/engine-rest/task/{task['id']}/complete", headers=CASE_WORKER, json={
        "variables": {"approved": {"value": True, "type": "Boolean"}}}).status_code == 204
    for reader in (ADMIN, CASE_WORKER):  # the case worker worked on the case
        listed = client.get(f"/engine-rest/task/{task['id']}/comment", headers=reader)
        assert [c["id"] for c in listed.json] == [created["id"]]
        one = client.get(f"/engine-rest/task/{task['id']}/comment/{created['id']}", headers=reader)
        assert one.status_code == 200
    assert client.get(f"/engine-rest/task/{task['id']}/comment", headers=OTHER_REGION).status_code == 404
    r = comment(client, task["id"], "too late", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (400, f"No task found for task id {task['id']}")
