"""/tenant: the regions are tenants whose members are the regional groups; administrators manage tenants; an
authenticated caller carries the tenants of their groups."""
from __future__ import annotations

from app.demo import AGENCIES, REGIONS
from app.services.identity import authenticate
from tests.conftest import ADMIN, basic

CASE_WORKER = basic("changchun.hrss", "demo")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json]


def test_regions_are_tenants_whose_members_are_the_regional_groups(client):
    assert client.get("/engine-rest/tenant/changchun", headers=CASE_WORKER).json == {"id": "changchun",
                                                                                   "name": "长春市"}
    assert ids(client.get("/engine-rest/tenant?groupMember=changchun-hrss", headers=CASE_WORKER)) == ["changchun"]
    assert ids(client.get("/engine-rest/tenant?userMember=changchun.hrss", headers=CASE_WORKER)) == []
    assert ids(client.get("/engine-rest/tenant?userMember=changchun.hrss&includingGroupsOfUser=true",
                          headers=CASE_WORKER)) == ["changchun"]
    # the region's agencies, its managers, and the province's process managers (deployer group "managers")
    assert client.get("/engine-rest/group/count?memberOfTenant=jilin", headers=ADMIN).json == {
        "count": len(AGENCIES) + 2}
    assert "jl" in ids(client.get("/engine-rest/tenant?nameLike=吉林%", headers=ADMIN))
    assert client.get("/engine-rest/tenant/count?idIn=jl,yanbian,nowhere", headers=ADMIN).json == {"count": 2}
    assert ids(client.get("/engine-rest/tenant?sortBy=id&sortOrder=desc&maxResults=1", headers=ADMIN)) == ["yanbian"]


def test_a_login_carries_the_tenants_of_its_groups(kb):
    actor = authenticate(kb, kb.credentials, "jilin.manager", "demo")
    assert actor.tenants == {"jilin"} and actor.groups == {"jilin-managers"}
    # demo is in the process managers' group, a member of every region (the province's process managers)
    assert authenticate(kb, kb.credentials, "demo", "demo").tenants == set(REGIONS)


def test_tenant_is_created_renamed_given_members_and_deleted(client, kb, made):
    tenant_id, user_id, group_id = made.tenant(name="试点区"), made.user(password="tenant user"), made.group()
    assert client.get(f"/engine-rest/tenant/{tenant_id}", headers=ADMIN).json == {"id": tenant_id, "name": "试点区"}
    again = client.post("/engine-rest/tenant/create", headers=ADMIN, json={"id": tenant_id, "name": "again"})
    assert (again.status_code, again.json["message"]) == (400, "The tenant already exists")
    assert client.put(f"/engine-rest/tenant/{tenant_id}", headers=ADMIN,
                      json={"id": tenant_id, "name": "示范区"}).status_code == 204
    assert client.get(f"/engine-rest/tenant/{tenant_id}", headers=ADMIN).json["name"] == "示范区"

    assert authenticate(kb, kb.credentials, user_id, "tenant user").tenants == frozenset()
    for _ in range(2):  # PUT is idempotent
        assert client.put(f"/engine-rest/tenant/{tenant_id}/user-members/{user_id}", headers=ADMIN).status_code == 204
        assert client.put(f"/engine-rest/tenant/{tenant_id}/group-members/{group_id}",
                          headers=ADMIN).status_code == 204
    assert authenticate(kb, kb.credentials, user_id, "tenant user").tenants == {tenant_id}  # not a stale cache
    assert ids(client.get(f"/engine-rest/user?memberOfTenant={tenant_id}", headers=ADMIN)) == [user_id]
    assert ids(client.get(f"/engine-rest/group?memberOfTenant={tenant_id}", headers=ADMIN)) == [group_id]
    assert ids(client.get(f"/engine-rest/tenant?userMember={user_id}", headers=ADMIN)) == [tenant_id]
    r = client.put(f"/engine-rest/tenant/{tenant_id}/group-members/no-such-group", headers=ADMIN)
    assert (r.status_code, r.json["message"]) == (404, "No group found with id 'no-such-group'.")

    assert client.delete(f"/engine-rest/tenant/{tenant_id}/user-members/{user_id}", headers=ADMIN).status_code == 204
    assert client.delete(f"/engine-rest/tenant/{tenant_id}/group-members/{group_id}",
                         headers=ADMIN).status_code == 204
    assert ids(client.get(f"/engine-rest/group?memberOfTenant={tenant_id}", headers=ADMIN)) == []
    assert authenticate(kb, kb.credentials, user_id, "tenant user").tenants == frozenset()

    assert client.delete(f"/engine-rest/tenant/{tenant_id}", headers=ADMIN).status_code == 204
    r = client.get(f"/engine-rest/tenant/{tenant_id}", headers=ADMIN)
    assert (r.status_code, r.json["type"], r.json["message"]) == (
        404, "InvalidRequestException", f"Tenant with id {tenant_id} does not exist")


def test_only_administrators_change_tenants(client):
    for method, path, body in (("post", "/engine-rest/tenant/create", {"id": "mine", "name": "Mine"}),
                               ("put", "/engine-rest/tenant/changchun", {"name": "Renamed"}),
                               ("delete", "/engine-rest/tenant/changchun", None),
                               ("put", "/engine-rest/tenant/jilin/user-members/changchun.hrss", None),
                               ("delete", "/engine-rest/tenant/changchun/group-members/changchun-hrss", None)):
        r = getattr(client, method)(path, headers=CASE_WORKER, json=body)
        assert (r.status_code, r.json["type"]) == (403, "AuthorizationException"), path
    assert client.get("/engine-rest/tenant/changchun", headers=ADMIN).json["name"] == "长春市"


def test_tenant_ids_fit_the_columns_that_carry_them(client):
    r = client.post("/engine-rest/tenant/create", headers=ADMIN, json={"id": "t" * 65, "name": "too long"})
    assert r.status_code == 400 and "invalid id" in r.json["message"]
    r = client.post("/engine-rest/tenant/create", headers=ADMIN, json={"name": "no id"})
    assert r.status_code == 400
