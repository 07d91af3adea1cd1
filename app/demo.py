"""Demo identities and records for the Jilin pack: administrators, managers and case workers for every agency
and region (each region, and the province `jl`, is a tenant whose members are its groups), and a few outlets,
an enterprise and couriers in changchun, each with its own staff login.

Everything is created only when missing, so running it again changes nothing (and leaves alone what the
processes did to the records since). Every demo login has the password DEMO_PASSWORD; argon2 is slow on
purpose, so the password is hashed once and the hash shared.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from handlers.records import Courier, Enterprise, Outlet

from .services import permissions
from .services.authorizations import ensure_grant
from .services.context import Kuaibao
from .services.identity import (
    ensure_group,
    ensure_membership,
    ensure_tenant,
    ensure_tenant_group,
    ensure_user,
    hash_password,
)
from .services.jilin_records import SqlRecords

REGIONS = {"changchun": "长春市", "jilin": "吉林市", "siping": "四平市", "liaoyuan": "辽源市", "tonghua": "通化市",
           "baishan": "白山市", "songyuan": "松原市", "baicheng": "白城市", "yanbian": "延边州",
           "changbaishan": "长白山管委会", "jl": "吉林省"}
AGENCIES = {"hrss": "人社局", "postal": "邮政管理局", "tax": "税务局", "ssb": "社保经办机构",
            "appraisal": "劳动能力鉴定委员会", "outlet": "快递网点"}
DEMO_PASSWORD = "demo"
DEMO_REGION = "changchun"

ENTERPRISES = (Enterprise("ENT-0001", "吉林省示例快递有限公司", DEMO_REGION, "吉快许-2019-0001"),)
OUTLETS = (
    # Eligible; licensed with employer status: registers its couriers itself (E2).
    Outlet("JL-KD-0001", "长春市朝阳区红旗街快递网点", DEMO_REGION, "licensed", has_employer_status=True,
           flexible_staffing=True, uses_labour_dispatch=False, insured_before_notice=False, industry_class=2,
           floating_grade=3),
    # Eligible; a filed terminal without employer status: ENT-0001 registers it and is the employer of record.
    Outlet("JL-BA-0002", "长春市南关区自由大路末端网点", DEMO_REGION, "filed_terminal", has_employer_status=False,
           flexible_staffing=True, uses_labour_dispatch=False, insured_before_notice=False,
           parent_enterprise_id="ENT-0001", industry_class=2, floating_grade=3),
    # Out of the priority scope: labour dispatch (the dispatch company insures), E1.
    Outlet("JL-KD-0003", "长春市绿园区西安大路快递网点", DEMO_REGION, "licensed", has_employer_status=True,
           flexible_staffing=True, uses_labour_dispatch=True, insured_before_notice=False, industry_class=2,
           floating_grade=3),
    # Out of the priority scope: already insured before the notice, E1.
    Outlet("JL-KD-0004", "长春市二道区东盛大街快递网点", DEMO_REGION, "licensed", has_employer_status=True,
           flexible_staffing=True, uses_labour_dispatch=False, insured_before_notice=True, industry_class=2,
           floating_grade=3),
)
# Fictitious people: made-up identity numbers (born 1990-01-01, sequence n, check character X).
COURIERS = tuple(Courier(f"C-{n:04d}", name, f"22010219900101{n:03d}X")
                 for n, name in enumerate(("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"), start=1))


@dataclass(frozen=True)
class DemoRecords:
    """What the demo records comprise (for the CLI's summary)."""

    enterprises: int
    outlets: int
    couriers: int
    staff_users: int


def create_demo_identities(kb: Kuaibao) -> int:
    """Create the agencies' groups and a login for every agency and manager in every region; returns the number
    of demo users (safe to run again)."""
    users: list[tuple[str, str | None, str | None, tuple[str, ...]]] = [
        ("demo", "Demo", "Demo", (kb.settings.admin_group, *kb.settings.deployer_groups)),
        ("manager", "流程", "管理员", tuple(kb.settings.deployer_groups)),
        ("jl.admin", REGIONS["jl"], "系统管理员", (kb.settings.admin_group,))]
    with kb.store.transaction() as s:
        ensure_group(s, kb.settings.admin_group, "Administrators", "SYSTEM")
        for group in kb.settings.deployer_groups:
            ensure_group(s, group, "流程管理员 Process managers")
        for region, region_zh in REGIONS.items():
            for agency, agency_zh in AGENCIES.items():
                ensure_group(s, f"{region}-{agency}", f"{region_zh}{agency_zh}")
                users.append((f"{region}.{agency}", region_zh, agency_zh, (f"{region}-{agency}",)))
            ensure_group(s, f"{region}-managers", f"{region_zh}督办主管")
            users.append((f"{region}.manager", region_zh, "督办主管", (f"{region}-managers",)))
            ensure_tenant(s, region, region_zh)
        s.flush()
        for region in REGIONS:
            for group in (*(f"{region}-{agency}" for agency in AGENCIES), f"{region}-managers",
                          *kb.settings.deployer_groups):
                ensure_tenant_group(s, region, group)
            for resource, bits in MANAGER_GRANTS:
                ensure_grant(s, f"{region}-managers", None, resource, "*", bits)
        _ensure_users(s, users)
    return len(users)


# A region's managers follow every case of their region (the tenant check keeps them to it): instances, tasks
# and history, read-only. Case workers need no rows: their tasks' candidate groups are their grants.
MANAGER_GRANTS = ((permissions.PROCESS_INSTANCE, permissions.READ),
                  (permissions.PROCESS_DEFINITION, permissions.READ | permissions.READ_INSTANCE | permissions.READ_TASK
                   | permissions.READ_HISTORY),
                  (permissions.TASK, permissions.READ), (permissions.HISTORIC_PROCESS_INSTANCE, permissions.READ),
                  (permissions.HISTORIC_TASK, permissions.READ))


def create_demo_records(kb: Kuaibao) -> DemoRecords:
    """Create the changchun demo enterprise, outlets and couriers (rosters are filed only through the enrolment
    process) and one staff login per outlet and enterprise; safe to run again."""
    staff: list[tuple[str, str | None, str | None, tuple[str, ...]]] = []
    with kb.store.transaction() as s:
        records = SqlRecords(s)
        for enterprise in ENTERPRISES:
            if records.get_enterprise(enterprise.id) is None:
                records.upsert_enterprise(enterprise)
            ensure_group(s, f"enterprise-{enterprise.id}", enterprise.name)
            ensure_tenant(s, enterprise.region, REGIONS.get(enterprise.region))
            s.flush()
            ensure_tenant_group(s, enterprise.region, f"enterprise-{enterprise.id}")
            staff.append((f"enterprise.{enterprise.id.lower()}", enterprise.name, "经办人",
                          (f"enterprise-{enterprise.id}",)))
        for outlet in OUTLETS:
            if records.get_outlet(outlet.id) is None:
                records.upsert_outlet(outlet)
            ensure_group(s, f"outlet-{outlet.id}", outlet.name)
            ensure_tenant(s, outlet.region, REGIONS.get(outlet.region))
            s.flush()
            ensure_tenant_group(s, outlet.region, f"outlet-{outlet.id}")
            staff.append((f"outlet.{outlet.id.lower()}", outlet.name, "经办人", (f"outlet-{outlet.id}",)))
        for courier in COURIERS:
            if records.get_courier(courier.id) is None:
                records.upsert_courier(courier)
        _ensure_users(s, staff)
    return DemoRecords(len(ENTERPRISES), len(OUTLETS), len(COURIERS), len(staff))


@cache
def _demo_hash() -> str:
    """The demo password's argon2 hash, computed once per process and shared by every demo user."""
    return hash_password(DEMO_PASSWORD)


def _ensure_users(s: Session, users: list[tuple[str, str | None, str | None, tuple[str, ...]]]) -> None:
    """Create missing users with the shared demo hash, then their memberships (groups must exist first)."""
    s.flush()
    for user_id, first, last, _ in users:
        ensure_user(s, user_id, None, first, last, password_hash=_demo_hash())
    s.flush()
    for user_id, _, _, groups in users:
        for group in groups:
            ensure_membership(s, user_id, group)
