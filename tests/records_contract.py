"""What every `handlers.records.Records` must do: run on FakeRecords (unit) and on SqlRecords (integration),
so the fake the handler tests trust behaves like the database."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from handlers.records import Claim, ContributionPeriod, Courier, Enrolment, Enterprise, Outlet, RosterPeriod

ENTERPRISE = Enterprise("ENT-9", "示例快递有限公司", "changchun", "LIC-9")
OUTLET = Outlet("OUT-1", "红旗街网点", "changchun", "licensed", True, True, False, False, industry_class=2,
                floating_grade=3)
TERMINAL = Outlet("OUT-2", "自由大路末端网点", "changchun", "filed_terminal", False, True, False, False,
                  parent_enterprise_id="ENT-9")


def seed(records) -> None:
    """An enterprise, two outlets and three couriers."""
    records.upsert_enterprise(ENTERPRISE)
    records.upsert_outlet(OUTLET)
    records.upsert_outlet(TERMINAL)
    for n, name in enumerate(("张伟", "王芳", "李娜"), start=1):
        records.upsert_courier(Courier(f"C-{n}", name, f"ID-{n}"))


def outlets_round_trip(records) -> None:
    seed(records)
    assert records.get_enterprise("ENT-9") == ENTERPRISE and records.get_enterprise("nope") is None
    assert records.get_outlet("OUT-1") == OUTLET and records.get_outlet("OUT-2") == TERMINAL
    assert records.get_outlet("nope") is None
    records.upsert_outlet(replace(OUTLET, name="红旗街网点（新址）", floating_grade=4))
    assert records.get_outlet("OUT-1").name == "红旗街网点（新址）" and records.get_outlet("OUT-1").floating_grade == 4
    published = records.set_outlet_status("OUT-1", "enrolled", published_on=date(2022, 3, 1))
    assert published.status == "enrolled" and published.status_published_on == date(2022, 3, 1)
    assert records.set_outlet_status("OUT-1", "enrolled").status_published_on == date(2022, 3, 1)
    assert records.get_courier("C-2") == Courier("C-2", "王芳", "ID-2")
    records.upsert_courier(Courier("C-2", "王芳", "ID-2B"))
    assert records.get_courier("C-2").id_number == "ID-2B"


def roster_periods(records) -> None:
    """On the roster: started, filed, and not yet ended (the end date is the first day off)."""
    seed(records)
    records.add_roster_period(RosterPeriod("C-1", "OUT-1", start_date=date(2022, 3, 1), filed_on=date(2022, 3, 10)))
    records.add_roster_period(RosterPeriod("C-2", "OUT-1", start_date=date(2022, 3, 5), filed_on=date(2022, 3, 5)))
    records.add_roster_period(RosterPeriod("C-3", "OUT-2", start_date=date(2022, 3, 1), filed_on=date(2022, 3, 1)))
    assert not records.on_roster("C-1", "OUT-1", date(2022, 3, 9))  # working, but not yet filed
    assert records.on_roster("C-1", "OUT-1", date(2022, 3, 10))
    assert not records.on_roster("C-1", "OUT-2", date(2022, 3, 10))
    assert records.insured_headcount("OUT-1", date(2022, 3, 31)) == 2
    assert records.insured_headcount("OUT-1", date(2022, 3, 6)) == 1
    assert records.insured_headcount("OUT-9", date(2022, 3, 31)) == 0
    assert records.open_roster_period("C-2", "OUT-1").start_date == date(2022, 3, 5)
    ended = records.end_roster_period("C-2", "OUT-1", date(2022, 4, 1))
    assert ended.end_date == date(2022, 4, 1) and records.open_roster_period("C-2", "OUT-1") is None
    assert records.on_roster("C-2", "OUT-1", date(2022, 3, 31))
    assert not records.on_roster("C-2", "OUT-1", date(2022, 4, 1))
    assert records.insured_headcount("OUT-1", date(2022, 4, 30)) == 1
    with pytest.raises(LookupError):
        records.end_roster_period("C-2", "OUT-1", date(2022, 5, 1))
    with pytest.raises(ValueError):
        records.end_roster_period("C-1", "OUT-1", date(2022, 2, 1))
    records.add_roster_period(RosterPeriod("C-2", "OUT-1", start_date=date(2022, 6, 1), filed_on=date(2022, 6, 1)))
    assert records.on_roster("C-2", "OUT-1", date(2022, 6, 2))
    assert not records.on_roster("C-2", "OUT-1", date(2022, 5, 2))


def enrolments(records) -> None:
    """One enrolment per outlet: recording again replaces it."""
    seed(records)
    assert records.enrolment_for("OUT-1") is None
    first = records.record_enrolment(Enrolment("OUT-1", "out_of_scope", reason="使用劳务派遣", process_instance_id="p1"))
    second = records.record_enrolment(Enrolment("OUT-1", "enrolled", employer_id="OUT-1", employer_kind="outlet",
                                                registration_no="220100-001", registered_on=date(2022, 3, 1)))
    found = records.enrolment_for("OUT-1")
    assert found == second and found.id == first.id and found.reason is None and found.status == "enrolled"
    assert found.registered_on == date(2022, 3, 1)


def contributions(records) -> None:
    """Money and rates come back as the same Decimals; the calc as the same Json."""
    seed(records)
    calc = {"amount": "76.62", "formula": "province_wage × insured_headcount × rate",
            "inputs": {"province_wage": "6384.83", "insured_headcount": 3, "rate": "0.004"}}
    assessed = records.record_contribution(ContributionPeriod(
        "OUT-1", "2022-03", "average_wage", Decimal("0.004"), Decimal("76.62"), date(2022, 3, 31), calc))
    found = records.contribution_for("OUT-1", "2022-03")
    assert found == assessed and found.rate == Decimal("0.004") and found.premium == Decimal("76.62")
    assert found.calc == calc and records.contribution_for("OUT-1", "2022-04") is None
    assert not records.premium_paid_for("OUT-1", date(2022, 3, 15))
    records.record_contribution(replace(found, paid_on=date(2022, 4, 10), late_fee=Decimal("0.38"), status="paid"))
    paid = records.contribution_for("OUT-1", "2022-03")
    assert paid.id == assessed.id and paid.late_fee == Decimal("0.38") and paid.status == "paid"
    assert records.premium_paid_for("OUT-1", date(2022, 3, 15))
    assert not records.premium_paid_for("OUT-1", date(2022, 4, 15))


def claims(records) -> None:
    """Claims are found and replaced by claim number; amounts are Json."""
    claim = Claim("GS-2022-001", "C-1", "OUT-1", "changchun", date(2022, 5, 3), "employer", date(2022, 5, 10),
                  status="filed")
    saved = records.upsert_claim(claim)
    assert records.get_claim("GS-2022-001") == saved and records.get_claim("nope") is None
    amounts = {"base_wage": "5000.00", "fund_items": [{"item": "一次性伤残补助金", "amount": "65000.00"}]}
    records.upsert_claim(replace(claim, status="benefits_assessed", grade="7", self_care="none", payer="fund",
                                 amounts=amounts, late_employer=True))
    found = records.get_claim("GS-2022-001")
    assert found.id == saved.id and found.amounts == amounts and found.grade == "7" and found.late_employer


SCENARIOS = [outlets_round_trip, roster_periods, enrolments, contributions, claims]
