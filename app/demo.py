"""Demo identities for the Jilin pack: an administrator, managers, and case workers per agency and region."""
from __future__ import annotations

from .services.context import Kuaibao
from .services.identity import ensure_group, ensure_membership, ensure_user

REGIONS = {"changchun": "长春市", "jilin": "吉林市", "siping": "四平市", "liaoyuan": "辽源市", "tonghua": "通化市",
           "baishan": "白山市", "songyuan": "松原市", "baicheng": "白城市", "yanbian": "延边州",
           "changbaishan": "长白山管委会", "jl": "吉林省"}
AGENCIES = {"hrss": "人社局", "postal": "邮政管理局", "tax": "税务局", "ssb": "社保经办机构",
            "appraisal": "劳动能力鉴定委员会", "outlet": "快递网点"}
DEMO_PASSWORD = "demo"
# Case workers with a login: one per agency in the two largest regions, plus the province's appraisal committee.
WORKER_REGIONS = ("changchun", "jilin")


def create_demo_identities(kb: Kuaibao) -> int:
    """Create groups for every agency in every region and a few users; safe to run again."""
    users = 0
    with kb.store.transaction() as s:
        ensure_group(s, kb.settings.admin_group, "Administrators", "SYSTEM")
        for group in kb.settings.deployer_groups:
            ensure_group(s, group, "流程管理员 Process managers")
        for region, region_zh in REGIONS.items():
            for agency, agency_zh in AGENCIES.items():
                ensure_group(s, f"{region}-{agency}", f"{region_zh}{agency_zh}")
        s.flush()
        ensure_user(s, "demo", DEMO_PASSWORD, "Demo", "Demo", "demo@example.org")
        ensure_user(s, "manager", DEMO_PASSWORD, "流程", "管理员", "manager@example.org")
        s.flush()
        ensure_membership(s, "demo", kb.settings.admin_group)
        for group in kb.settings.deployer_groups:
            ensure_membership(s, "demo", group)
            ensure_membership(s, "manager", group)
        users = 2
        for region in WORKER_REGIONS:
            for agency in AGENCIES:
                user_id = f"{region}.{agency}"
                ensure_user(s, user_id, DEMO_PASSWORD, REGIONS[region], AGENCIES[agency])
                s.flush()
                ensure_membership(s, user_id, f"{region}-{agency}")
                users += 1
        ensure_user(s, "jl.appraisal", DEMO_PASSWORD, REGIONS["jl"], AGENCIES["appraisal"])
        s.flush()
        ensure_membership(s, "jl.appraisal", "jl-appraisal")
        users += 1
    return users
