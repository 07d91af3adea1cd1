"""/user, /group and /identity with Camunda's shapes and statuses: everyone reads the directory, administrators
change it, and everyone may change their own password."""
from __future__ import annotations

from app.models import Group, User
from tests.conftest import ADMIN, basic

PROFILE_FIELDS = {"id", "firstName", "lastName", "email"}
CASE_WORKER = basic("changchun.hrss", "demo")


def test_users_are_listed_with_camunda_filters_sorting_and_paging(client):
    r = client.get("/engine-rest/user?memberOfGroup=changchun-hrss", headers=CASE_WORKER)
    assert r.status_code == 200 and [u["id"] for u in r.json] == ["changchun.hrss"]
    assert set(r.json[0]) == PROFILE_FIELDS and r.json[0]["lastName"] == "人社局"
    r = client.get("/engine-rest/user?idIn=jilin.tax,changchun.tax&idIn=demo&sortBy=userId&sortOrder=desc",
                   headers=ADMIN)
    assert [u["id"] for u in r.json] == ["jilin.tax", "demo", "changchun.tax"]
    r = client.get("/engine-rest/user?lastNameLike=税务%&sortBy=userId&sortOrder=asc&firstResult=1&maxResults=2",
                   headers=ADMIN)
    assert [u["id"] for u in r.json] == ["baishan.tax", "changbaishan.tax"]
    assert client.get("/engine-rest/user/count?lastNameLike=税务%", headers=ADMIN).json == {"count": 11}


def test_user_query_rejects_half_or_unknown_sorting(client):
    r = client.get("/engine-rest/user?sortBy=userId", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    r = client.get("/engine-rest/user?sortBy=password&sortOrder=asc", headers=ADMIN)
    assert r.status_code == 400 and "sortBy" in r.json["message"]


def test_user_is_created_from_the_nested_body_read_updated_and_deleted(client, made):
    user_id = made.unique("user")
    made.remember(User, user_id)
    r = client.post("/engine-rest/user/create", headers=ADMIN, json={
        "profile": {"id": user_id, "firstName": "Li", "lastName": "Na", "email": "li.na@example.org"},
        "credentials": {"password": "a good password"}})
    assert r.status_code == 204 and r.data == b""
    assert client.get(f"/engine-rest/user/{user_id}/profile", headers=CASE_WORKER).json == {
        "id": user_id, "firstName": "Li", "lastName": "Na", "email": "li.na@example.org"}
    assert client.get("/engine-rest/user", headers=basic(user_id, "a good password")).status_code == 200

    again = client.post("/engine-rest/user/create", headers=ADMIN, json={"profile": {"id": user_id}})
    assert (again.status_code, again.json["type"], again.json["message"]) == (
        400, "BadUserRequestException", "The user already exists")

    r = client.put(f"/engine-rest/user/{user_id}/profile", headers=ADMIN,
                   json={"id": user_id, "firstName": "Li", "lastName": "Ming", "email": None})
    assert r.status_code == 204
    assert client.get(f"/engine-rest/user/{user_id}/profile", headers=ADMIN).json["lastName"] == "Ming"

    assert client.delete(f"/engine-rest/user/{user_id}", headers=ADMIN).status_code == 204
    r = client.get(f"/engine-rest/user/{user_id}/profile", headers=ADMIN)
    assert (r.status_code, r.json["type"], r.json["message"]) == (
        404, "InvalidRequestException", f"User with id {user_id} does not exist")
    assert client.delete(f"/engine-rest/user/{user_id}", headers=ADMIN).status_code == 404
    assert client.get("/engine-rest/user", headers=basic(user_id, "a good password")).status_code == 401


def test_user_creation_checks_id_and_password(client, made):
    r = client.post("/engine-rest/user/create", headers=ADMIN, json={"credentials": {"password": "long enough"}})
    assert (r.status_code, r.json["message"]) == (
        400, "request object must provide profile information with valid id.")
    r = client.post("/engine-rest/user/create", headers=ADMIN, json={"profile": {"id": "has space"}})
    assert r.status_code == 400 and "invalid id" in r.json["message"]
    r = client.post("/engine-rest/user/create", headers=ADMIN,
                    json={"profile": {"id": made.unique("user")}, "credentials": {"password": "short"}})
    assert r.status_code == 400 and "Password does not match policy" in r.json["message"]
    r = client.post("/engine-rest/user/create", headers=ADMIN, json={"profile": {"id": "x", "email": "e" * 256}})
    assert r.status_code == 400


def test_users_without_a_password_exist_but_cannot_log_in(client, made):
    user_id = made.unique("user")
    made.remember(User, user_id)
    assert client.post("/engine-rest/user/create", headers=ADMIN, json={
        "profile": {"id": user_id}, "credentials": None}).status_code == 204
    assert client.get(f"/engine-rest/user/{user_id}/profile", headers=ADMIN).status_code == 200
    assert client.get("/engine-rest/user", headers=basic(user_id, "")).status_code == 401


def test_case_worker_reads_the_directory_but_changes_nothing(client, made):
    other = made.user()
    for method, path, body in (("post", "/engine-rest/user/create", {"profile": {"id": "intruder"}}),
                               ("put", "/engine-rest/user/changchun.hrss/profile", {"firstName": "Boss"}),
                               ("delete", f"/engine-rest/user/{other}", None),
                               ("post", "/engine-rest/group/create", {"id": "intruders"}),
                               ("put", "/engine-rest/group/camunda-admin/members/changchun.hrss", None),
                               ("delete", "/engine-rest/group/changchun-hrss", None)):
        r = getattr(client, method)(path, headers=CASE_WORKER, json=body)
        assert (r.status_code, r.json["type"]) == (403, "AuthorizationException"), path
        assert r.json["userId"] == "changchun.hrss"
    assert client.get(f"/engine-rest/user/{other}/profile", headers=CASE_WORKER).status_code == 200
    assert client.get("/engine-rest/group/camunda-admin", headers=CASE_WORKER).json["name"] == "Administrators"


def test_user_changes_own_password_with_the_current_one_and_the_old_one_stops_working(client, made):
    user_id = made.user(password="first password")
    old, new = basic(user_id, "first password"), basic(user_id, "second password")
    assert client.get("/engine-rest/user/count", headers=old).status_code == 200  # now cached

    r = client.put(f"/engine-rest/user/{user_id}/credentials", headers=old,
                   json={"password": "second password", "authenticatedUserPassword": "wrong"})
    assert (r.status_code, r.json["message"]) == (400, "The given authenticated user password is not valid.")
    r = client.put(f"/engine-rest/user/{user_id}/credentials", headers=old,
                   json={"password": "second password", "authenticatedUserPassword": "first password"})
    assert r.status_code == 204
    assert client.get("/engine-rest/user/count", headers=old).status_code == 401
    assert client.get("/engine-rest/user/count", headers=new).status_code == 200


def test_only_administrators_set_other_peoples_passwords_and_confirm_with_their_own(client, made):
    victim, attacker = made.user(password="victim password"), made.user(password="attacker password")
    r = client.put(f"/engine-rest/user/{victim}/credentials", headers=basic(attacker, "attacker password"),
                   json={"password": "owned owned", "authenticatedUserPassword": "attacker password"})
    assert (r.status_code, r.json["type"]) == (403, "AuthorizationException")
    r = client.put(f"/engine-rest/user/{victim}/credentials", headers=ADMIN,
                   json={"password": "reset by admin", "authenticatedUserPassword": "not demo"})
    assert r.status_code == 400
    r = client.put(f"/engine-rest/user/{victim}/credentials", headers=ADMIN,
                   json={"password": "reset by admin", "authenticatedUserPassword": "demo"})
    assert r.status_code == 204
    assert client.get("/engine-rest/user/count", headers=basic(victim, "reset by admin")).status_code == 200


def test_group_is_created_queried_updated_given_members_and_deleted(client, made):
    group_id = made.group(name="Inspectors", kind="WORKFLOW")
    user_id = made.user()
    assert client.get(f"/engine-rest/group/{group_id}", headers=CASE_WORKER).json == {
        "id": group_id, "name": "Inspectors", "type": "WORKFLOW"}
    again = client.post("/engine-rest/group/create", headers=ADMIN, json={"id": group_id})
    assert (again.status_code, again.json["message"]) == (400, "The group already exists")

    for _ in range(2):  # PUT is idempotent
        assert client.put(f"/engine-rest/group/{group_id}/members/{user_id}", headers=ADMIN).status_code == 204
    assert [g["id"] for g in client.get(f"/engine-rest/group?member={user_id}", headers=ADMIN).json] == [group_id]
    assert [u["id"] for u in client.get(f"/engine-rest/user?memberOfGroup={group_id}", headers=ADMIN).json] == [
        user_id]
    assert client.get(f"/engine-rest/group/count?nameLike=Insp%&id={group_id}", headers=ADMIN).json == {"count": 1}
    r = client.put(f"/engine-rest/group/{group_id}/members/nobody-{user_id}", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (404, f"No user found with id 'nobody-{user_id}'.")

    assert client.put(f"/engine-rest/group/{group_id}", headers=ADMIN,
                      json={"id": group_id, "name": "Senior inspectors", "type": "SYSTEM"}).status_code == 204
    assert client.get(f"/engine-rest/group?type=SYSTEM&idIn={group_id}", headers=ADMIN).json == [
        {"id": group_id, "name": "Senior inspectors", "type": "SYSTEM"}]
    assert client.delete(f"/engine-rest/group/{group_id}/members/{user_id}", headers=ADMIN).status_code == 204
    assert client.get(f"/engine-rest/group?member={user_id}", headers=ADMIN).json == []

    assert client.delete(f"/engine-rest/group/{group_id}", headers=ADMIN).status_code == 204
    r = client.get(f"/engine-rest/group/{group_id}", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (404, f"Group with id {group_id} does not exist")


def test_new_group_membership_applies_to_a_login_the_server_already_remembers(client, made):
    user_id = made.user(password="member password")
    me = basic(user_id, "member password")
    assert client.post("/engine-rest/group/create", headers=me, json={"id": "nope"}).status_code == 403
    assert client.put(f"/engine-rest/group/camunda-admin/members/{user_id}", headers=ADMIN).status_code == 204
    group_id = made.unique("group")
    made.remember(Group, group_id)
    assert client.post("/engine-rest/group/create", headers=me, json={"id": group_id}).status_code == 204
    assert client.delete(f"/engine-rest/group/camunda-admin/members/{user_id}", headers=ADMIN).status_code == 204
    assert client.delete(f"/engine-rest/group/{group_id}", headers=me).status_code == 403


def test_identity_groups_lists_a_users_groups_and_colleagues(client):
    r = client.get("/engine-rest/identity/groups?userId=demo", headers=CASE_WORKER)
    assert r.status_code == 200
    assert {g["id"] for g in r.json["groups"]} == {"camunda-admin", "managers"}
    assert all(set(g) == {"id", "name"} for g in r.json["groups"])
    colleagues = {u["id"]: u for u in r.json["groupUsers"]}
    assert "demo" not in colleagues and {"jl.admin", "manager"} <= set(colleagues)
    assert colleagues["manager"] == {"id": "manager", "firstName": "流程", "lastName": "管理员",
                                     "displayName": "流程 管理员"}
    r = client.get("/engine-rest/identity/groups", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (400, "No user id was supplied")


def test_identity_verify_checks_a_password(client):
    r = client.post("/engine-rest/identity/verify", headers=ADMIN, json={"username": "changchun.hrss",
                                                                         "password": "demo"})
    assert r.json == {"authenticatedUser": "changchun.hrss", "authenticated": True, "tenants": None, "groups": None}
    r = client.post("/engine-rest/identity/verify", headers=ADMIN, json={"username": "changchun.hrss",
                                                                         "password": "nope"})
    assert r.json["authenticated"] is False
    r = client.post("/engine-rest/identity/verify", headers=ADMIN, json={"username": "changchun.hrss"})
    assert (r.status_code, r.json["message"]) == (400, "Username and password are required")
