"""The demo: every region's agencies and managers can log in, and the changchun records are there, once."""
from __future__ import annotations

from sqlalchemy import func, select

from app.demo import AGENCIES, COURIERS, DEMO_PASSWORD, OUTLETS, REGIONS, create_demo_identities, create_demo_records
from app.models import JlCourier, JlOutlet, Membership, TenantMembership, User
from app.services.identity import CredentialCache, authenticate, tenants_of
from app.services.jilin_records import SqlRecords
from handlers.employer import employer_of


def count(kb, model) -> int:
    return kb.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def groups_of(kb, user_id: str) -> set[str]:
    return set(kb.read(lambda s: s.scalars(select(Membership.group_id).where(Membership.user_id == user_id)).all()))


def test_demo_identities_cover_every_region_and_agency(kb):
    # session_services already ran create_demo_identities; running it again changes nothing.
    users = count(kb, User)
    assert create_demo_identities(kb) == len(REGIONS) * (len(AGENCIES) + 1) + 3
    assert count(kb, User) == users
    assert groups_of(kb, "yanbian.tax") == {"yanbian-tax"}
    assert groups_of(kb, "baicheng.manager") == {"baicheng-managers"}
    assert groups_of(kb, "jl.admin") == {kb.settings.admin_group}
    actor = authenticate(kb, CredentialCache(0), "changbaishan.appraisal", DEMO_PASSWORD)
    assert actor is not None and actor.groups == {"changbaishan-appraisal"}


def test_every_region_is_a_tenant_whose_members_are_its_groups(kb):
    create_demo_identities(kb)  # again: no duplicate memberships

    def region_memberships(s):
        return s.scalar(select(func.count()).select_from(TenantMembership).where(
            TenantMembership.tenant_id.in_(list(REGIONS)), TenantMembership.group_id.not_like("outlet-%"),
            TenantMembership.group_id.not_like("enterprise-%")))
    # each region's agencies and managers, and the province's process managers (DEPLOYER_GROUPS); outlets and
    # enterprises belong to their own region (create_demo_records)
    assert kb.read(region_memberships) == len(REGIONS) * (len(AGENCIES) + 1 + len(kb.settings.deployer_groups))
    assert kb.read(lambda s: tenants_of(s, "x", frozenset({"yanbian-tax", "jl-managers", "outlet-x"}))) == {
        "yanbian", "jl"}
    assert kb.read(lambda s: tenants_of(s, "x", frozenset({"managers"}))) == set(REGIONS)
    assert authenticate(kb, CredentialCache(0), "siping.postal", DEMO_PASSWORD).tenants == {"siping"}


def test_demo_records_are_created_once_with_a_login_per_outlet_and_enterprise(kb):
    first = create_demo_records(kb)
    again = create_demo_records(kb)
    assert first == again and (first.outlets, first.couriers, first.staff_users) == (4, 6, 5)
    assert count(kb, JlOutlet) == len(OUTLETS) and count(kb, JlCourier) == len(COURIERS)
    assert groups_of(kb, "outlet.jl-kd-0001") == {"outlet-JL-KD-0001"}
    assert groups_of(kb, "enterprise.ent-0001") == {"enterprise-ENT-0001"}
    assert authenticate(kb, CredentialCache(0), "outlet.jl-ba-0002", DEMO_PASSWORD) is not None

    def facts(s):
        records = SqlRecords(s)
        terminal = records.get_outlet("JL-BA-0002")
        return employer_of(records, terminal).group, records.get_courier("C-0001").name
    assert kb.read(facts) == ("enterprise-ENT-0001", "张伟")


def test_demo_records_leave_what_the_processes_changed_alone(kb):
    create_demo_records(kb)
    with kb.store.transaction() as s:
        SqlRecords(s).set_outlet_status("JL-KD-0001", "enrolled")
    create_demo_records(kb)
    assert kb.read(lambda s: SqlRecords(s).get_outlet("JL-KD-0001").status) == "enrolled"
