"""A small Jilin world for the handler tests: an enterprise, its outlets and couriers in FakeRecords."""
from __future__ import annotations

from datetime import date

from handlers.records import Courier, Enrolment, Enterprise, Outlet, RosterPeriod
from tests.fakes import FakeRecords

# The `settings` variable: the pack_settings decision's single result, as 读取参数 hands it on (all strings).
SETTINGS = {"late_fee_rate_per_day": "0.0005", "enrolment_reminder_after": "P15D", "enrolment_escalate_after": "P30D",
            "employer_filing_days": "30", "personal_filing_days": "365", "acceptance_days": "15",
            "decision_days": "60", "clear_case_days": "15", "delivery_days": "20", "appraisal_days": "60",
            "appraisal_extension_days": "30", "reappraisal_days": "15", "base_wage_floor_pct": "60",
            "base_wage_ceiling_pct": "300", "roster_filing_days": "30"}
PROVINCE_WAGE_2021 = "6384.83"  # [U] demo figure, FACTS.md §4.2


def outlet(outlet_id: str, **facts) -> Outlet:
    """An eligible licensed outlet with employer status in changchun, unless `facts` say otherwise."""
    values = dict(name=f"网点{outlet_id}", region="changchun", kind="licensed", has_employer_status=True,
                  flexible_staffing=True, uses_labour_dispatch=False, insured_before_notice=False, industry_class=2,
                  floating_grade=3)
    values.update(facts)
    return Outlet(outlet_id, **values)


def world(today: date = date(2022, 6, 15)) -> FakeRecords:
    """ENT-0001 with its filed terminal JL-BA-0002, a licensed outlet JL-KD-0001, and couriers C-1…C-4."""
    records = FakeRecords(today_is=today)
    records.upsert_enterprise(Enterprise("ENT-0001", "吉林省示例快递有限公司", "changchun", "LIC-1"))
    records.upsert_outlet(outlet("JL-KD-0001"))
    records.upsert_outlet(outlet("JL-BA-0002", kind="filed_terminal", has_employer_status=False,
                                 parent_enterprise_id="ENT-0001"))
    for n, name in enumerate(("张伟", "王芳", "李娜", "刘洋"), start=1):
        records.upsert_courier(Courier(f"C-{n}", name, f"ID-{n}"))
    return records


def insured(records: FakeRecords, outlet_id: str, couriers: list[str], since: date) -> None:
    """Enrol the outlet (as its own employer) on `since` and file the couriers on its roster that day."""
    records.record_enrolment(Enrolment(outlet_id, "enrolled", employer_id=outlet_id, employer_kind="outlet",
                                       registration_no="220100-0001", registered_on=since))
    records.set_outlet_status(outlet_id, "enrolled")
    for courier_id in couriers:
        records.add_roster_period(RosterPeriod(courier_id, outlet_id, start_date=since, filed_on=since))
