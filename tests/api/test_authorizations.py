"""/authorization: administrators grant and revoke; the rows take effect at once, a user's own row beats their
group's, and lists, counts and checks answer as Camunda's do."""
from __future__ import annotations

import io

from app.models import User
from tests import diagrams
from tests.conftest import ADMIN, WORKER, basic

R = "/engine-rest"
OUTSIDER = basic("outsider", "outsider")


def grant(client, body: dict) -> dict:
    r = client.post(f"{R}/authorization/create", headers=ADMIN, json=body)
    assert r.status_code == 200, r.json
    return r.json


def test_a_group_grant_lets_a_help_desk_create_users_until_a_users_own_revoke(client, made):
    user = made.unique("hd")
    refused = client.post(f"{R}/user/create", headers=WORKER, json={"profile": {"id": user}})
    assert refused.status_code == 403 and refused.json["type"] == "AuthorizationException"
    row = grant(client, {"type": 1, "permissions": ["CREATE"], "groupId": "workers", "resourceType": 1,
                         "resourceId": "*"})
    assert set(row) >= {"id", "type", "permissions", "userId", "groupId", "resourceType", "resourceId", "links"}
    assert (row["permissions"], row["groupId"], row["userId"]) == (["CREATE"], "workers", None)
    assert client.post(f"{R}/user/create", headers=WORKER, json={"profile": {"id": user}}).status_code == 204
    made.remember(User, user)
    check = client.get(f"{R}/authorization/check?permissionName=CREATE&resourceName=User&resourceType=1",
                       headers=WORKER).json
    assert check == {"permissionName": "CREATE", "resourceName": "User", "resourceId": None, "authorized": True}

    grant(client, {"type": 2, "permissions": ["CREATE"], "userId": "worker", "resourceType": 1, "resourceId": "*"})
    again = made.unique("hd")
    assert client.post(f"{R}/user/create", headers=WORKER, json={"profile": {"id": again}}).status_code == 403

    assert client.delete(f"{R}/authorization/{row['id']}", headers=ADMIN).status_code == 204
    assert client.get(f"{R}/authorization/{row['id']}", headers=ADMIN).status_code == 404


def test_a_grant_on_one_instance_shows_it_and_its_removal_hides_it(client):
    client.post(f"{R}/deployment/create", headers=ADMIN, content_type="multipart/form-data",
                data={"deployment-name": "a", "file": (io.BytesIO(diagrams.user_task_process("ut")), "p.bpmn")})
    instance = client.post(f"{R}/process-definition/key/ut/start", headers=ADMIN, json={}).json["id"]
    assert client.get(f"{R}/process-instance/count", headers=OUTSIDER).json == {"count": 0}
    row = grant(client, {"type": 1, "permissions": ["READ"], "userId": "outsider", "resourceType": 8,
                         "resourceId": instance})
    assert [i["id"] for i in client.get(f"{R}/process-instance", headers=OUTSIDER).json] == [instance]
    assert client.get(f"{R}/history/process-instance/{instance}", headers=OUTSIDER).status_code == 200
    assert client.get(f"{R}/task/count", headers=OUTSIDER).json == {"count": 0}  # the case, not its tasks
    assert client.put(f"{R}/authorization/{row['id']}", headers=ADMIN, json={
        "type": 1, "permissions": ["READ"], "userId": "outsider", "resourceType": 8, "resourceId": "other"}
    ).status_code == 204
    assert client.get(f"{R}/process-instance/count", headers=OUTSIDER).json == {"count": 0}


def test_authorizations_are_listed_to_administrators_and_validated(client):
    row = grant(client, {"type": 1, "permissions": ["READ", "TASK_WORK"], "groupId": "workers", "resourceType": 7,
                         "resourceId": "*"})
    listed = client.get(f"{R}/authorization?groupIdIn=workers&resourceType=7", headers=ADMIN).json
    assert [(a["id"], sorted(a["permissions"])) for a in listed] == [(row["id"], ["READ", "TASK_WORK"])]
    assert client.get(f"{R}/authorization/count?groupIdIn=workers", headers=ADMIN).json == {"count": 1}
    assert client.get(f"{R}/authorization", headers=WORKER).json == []
    assert client.get(f"{R}/authorization/{row['id']}", headers=WORKER).status_code == 404
    bad = client.post(f"{R}/authorization/create", headers=ADMIN, json={
        "type": 1, "permissions": ["FLY"], "groupId": "workers", "resourceType": 7, "resourceId": "*"})
    assert bad.status_code == 400 and "FLY" in bad.json["message"]
    both = client.post(f"{R}/authorization/create", headers=ADMIN, json={
        "type": 1, "permissions": ["READ"], "userId": "a", "groupId": "b", "resourceType": 7, "resourceId": "*"})
    assert both.status_code == 400
    assert client.post(f"{R}/authorization/create", headers=WORKER, json={
        "type": 1, "permissions": ["READ"], "userId": "worker", "resourceType": 4, "resourceId": "*"}).status_code == 403
    log = client.get(f"{R}/history/user-operation?entityType=Authorization", headers=ADMIN).json
    assert [(e["operationType"], e["userId"]) for e in log] == [("Create", "demo")]
