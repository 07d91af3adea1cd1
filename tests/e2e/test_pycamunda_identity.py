"""End to end with the real, unmodified `pycamunda` client: users, groups, memberships, tenants and identity
checks against a running `kuaibao serve`, as an administrator (demo/demo) and as the new user."""
from __future__ import annotations

import uuid

import pycamunda
import pycamunda.group
import pycamunda.identity
import pycamunda.tenant
import pycamunda.user
import pytest
import requests.auth

ADMIN = requests.auth.HTTPBasicAuth("demo", "demo")


def send(request, auth=ADMIN):
    request.auth = auth
    return request()


@pytest.fixture(scope="module")
def url(kuaibao_server) -> str:
    return kuaibao_server.base_url


@pytest.fixture
def ids(url):
    """Fresh ids for a user, a group and a tenant; whatever the test made is deleted afterwards."""
    suffix = uuid.uuid4().hex[:8]
    made = {"user": f"e2e.user-{suffix}", "group": f"e2e-group-{suffix}", "tenant": f"e2e-tenant-{suffix}"}
    yield made
    for request in (pycamunda.user.Delete(url, made["user"]), pycamunda.group.Delete(url, made["group"]),
                    pycamunda.tenant.Delete(url, made["tenant"])):
        try:
            send(request)
        except pycamunda.NotFound:
            pass


def test_user_group_and_membership_through_pycamunda(url, ids):
    send(pycamunda.user.Create(url, id_=ids["user"], first_name="Wang", last_name="Fang",
                               email="wang.fang@example.org", password="pycamunda password"))
    send(pycamunda.group.Create(url, id_=ids["group"], name="E2E reviewers", type_="WORKFLOW"))
    send(pycamunda.group.MemberCreate(url, id_=ids["group"], user_id=ids["user"]))

    profile = send(pycamunda.user.GetProfile(url, id_=ids["user"]))
    assert (profile.id_, profile.first_name, profile.last_name, profile.email) == (
        ids["user"], "Wang", "Fang", "wang.fang@example.org")
    members = send(pycamunda.user.GetList(url, member_of_group=ids["group"], sort_by="id_", ascending=True))
    assert [u.id_ for u in members] == [ids["user"]]
    assert send(pycamunda.user.Count(url, member_of_group=ids["group"])) == 1
    [group] = send(pycamunda.group.GetList(url, member=ids["user"]))
    assert (group.id_, group.name, group.type_) == (ids["group"], "E2E reviewers", "WORKFLOW")

    as_user = requests.auth.HTTPBasicAuth(ids["user"], "pycamunda password")
    mine = send(pycamunda.identity.GetGroups(url, user_id=ids["user"]), auth=as_user)
    assert [g.id_ for g in mine.groups] == [ids["group"]] and mine.group_users == ()
    status = send(pycamunda.identity.VerifyUser(url, username=ids["user"], password="pycamunda password"))
    assert (status.user_id, status.authenticated) == (ids["user"], True)
    with pytest.raises(pycamunda.Forbidden):
        send(pycamunda.group.Create(url, id_=f"{ids['group']}-x", name="not mine", type_="WORKFLOW"), auth=as_user)

    send(pycamunda.user.UpdateCredentials(url, id_=ids["user"], password="changed password",
                                          authenticated_user_password="pycamunda password"), auth=as_user)
    with pytest.raises(pycamunda.Unauthorized):
        send(pycamunda.user.Count(url), auth=as_user)
    send(pycamunda.group.MemberDelete(url, id_=ids["group"], user_id=ids["user"]))
    assert send(pycamunda.user.Count(url, member_of_group=ids["group"])) == 0


def test_tenant_and_its_members_through_pycamunda(url, ids):
    send(pycamunda.user.Create(url, id_=ids["user"], first_name="Li", last_name="Lei", password="tenant password"))
    send(pycamunda.group.Create(url, id_=ids["group"], name="E2E regional group", type_="WORKFLOW"))
    send(pycamunda.tenant.Create(url, id_=ids["tenant"], name="E2E region"))
    send(pycamunda.tenant.UserMemberCreate(url, id_=ids["tenant"], user_id=ids["user"]))
    send(pycamunda.tenant.GroupMemberCreate(url, id_=ids["tenant"], group_id=ids["group"]))

    tenant = send(pycamunda.tenant.Get(url, id_=ids["tenant"]))
    assert (tenant.id_, tenant.name) == (ids["tenant"], "E2E region")
    assert [t.id_ for t in send(pycamunda.tenant.GetList(url, user_member=ids["user"]))] == [ids["tenant"]]
    assert [t.id_ for t in send(pycamunda.tenant.GetList(url, group_member=ids["group"]))] == [ids["tenant"]]
    assert send(pycamunda.tenant.Count(url, name_like="E2E%", id_=ids["tenant"])) == 1
    regions = send(pycamunda.tenant.GetList(url, user_member="changchun.hrss", including_groups_of_user=True))
    assert [t.id_ for t in regions] == ["changchun"]
