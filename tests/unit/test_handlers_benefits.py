"""Benefit handlers (B1–B3) with worked numbers: who pays, the clamped base wage, the grade's benefits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers import benefits
from handlers.records import Claim, ContributionPeriod
from tests.fakes import call
from tests.jilin_data import PROVINCE_WAGE_2021, SETTINGS, insured, world

# benefit_grades (B3) rows as the DMN gives them, and placeholder leaving lump sums (not Jilin law).
GRADE_ROWS = {1: ("27", "90", "fund"), 5: ("18", "70", "employer"), 7: ("13", "0", "none")}
LUMP_SUMS = {"medical_months": "6", "employment_months": "12"}


def insured_world(accident: date = date(2022, 5, 10), late_employer: bool = False):
    """JL-KD-0001 enrolled since March with C-1 on its roster, May's premium paid, and claim GS-1 for C-1."""
    records = world()
    insured(records, "JL-KD-0001", ["C-1"], date(2022, 3, 1))
    records.record_contribution(ContributionPeriod("JL-KD-0001", "2022-05", "average_wage", rate=Decimal("0.004"),
                                                   premium=Decimal("25.54"), due_date=date(2022, 5, 31), status="paid"))
    records.upsert_claim(Claim("GS-1", "C-1", "JL-KD-0001", "changchun", accident, "employer", date(2022, 5, 20),
                               status="decided", late_employer=late_employer))
    return records


def payer(records, courier_id: str = "C-1", accident: str = "2022-05-10"):
    return benefits.determine_payer(call(records, claim_no="GS-1", courier_id=courier_id, outlet_id="JL-KD-0001",
                                         accident_date=accident))


def test_the_fund_pays_when_enrolled_paid_up_and_on_the_roster():
    records = insured_world()
    out = payer(records)
    assert out["payer"] == "fund" and out["on_roster"] is True and "基金" in out["payer_reason"]
    assert out["employer_group"] == "outlet-JL-KD-0001"
    assert (out["accident_year"], out["previous_year"]) == (2022, 2021)
    assert records.get_claim("GS-1").payer == "fund"


def test_a_courier_not_on_the_filed_roster_at_the_accident_makes_the_employer_pay():
    out = payer(insured_world(), courier_id="C-2")
    assert out["payer"] == "employer" and out["on_roster"] is False
    assert "花名册" in out["payer_reason"] and "第六十二条" in out["payer_reason"]


@pytest.mark.parametrize("accident, gap", [("2022-06-10", "2022-06的工伤保险费未缴纳"),
                                           ("2022-02-20", "网点未参保登记")])
def test_an_unpaid_month_or_an_accident_before_enrolment_makes_the_employer_pay(accident, gap):
    out = payer(insured_world(), accident=accident)
    assert out["payer"] == "employer" and gap in out["payer_reason"]


def test_a_late_employer_filing_is_noted_in_the_payers_reason():
    assert "逾期申请工伤认定" in payer(insured_world(late_employer=True))["payer_reason"]


def compute(records=None, grade="7", own="5000", payer_="fund", care_pct="0", lump_sums=None, **extra):
    row = GRADE_ROWS.get(int(grade)) if grade != "none" else None
    variables = dict(claim_no="GS-1", payer=payer_, grade=grade, average_wage=PROVINCE_WAGE_2021,
                     average_contribution_wage=own, settings=SETTINGS, care_pct=care_pct, lump_sums=lump_sums,
                     grade_table=row and {"grant_months": row[0], "allowance_pct": row[1], "allowance_payer": row[2]})
    return benefits.compute_benefits(call(records or insured_world(), **(variables | extra)))


@pytest.mark.parametrize("own, base", [("3000", "3830.90"),      # 6384.83 × 60 % = 3830.898 → floor
                                       ("25000", "19154.49"),    # 6384.83 × 300 % = 19154.49 → ceiling
                                       ("5000", "5000.00")])
def test_the_base_wage_is_clamped_to_60_and_300_percent_of_the_regional_average(own, base):
    out = compute(own=own)
    assert out["base_wage"] == base and out["base_wage_calc"]["amount"] == base
    assert out["base_wage_calc"]["inputs"]["floor"] == "3830.90"
    assert out["base_wage_calc"]["inputs"]["ceiling"] == "19154.49"


def test_grade_7_gets_13_months_of_base_wage_and_the_leaving_lump_sums():
    records = insured_world()
    out = compute(records, grade="7", own="5000", lump_sums=LUMP_SUMS)
    assert out["one_off_grant"] == "65000.00"  # 13 × 5000.00
    assert out["one_off_grant_calc"]["formula"] == "grant_months × base_wage = 13 × 5000.00"
    assert (out["monthly_allowance"], out["care_allowance_amount"]) == ("0.00", "0.00")
    assert out["medical_lump_sum"] == "38308.98"      # 6 × 6384.83
    assert out["employment_lump_sum"] == "76617.96"   # 12 × 6384.83
    assert [(i["item"], i["amount"], i["when"]) for i in out["fund_items"]] == [
        ("一次性伤残补助金", "65000.00", "once"), ("一次性工伤医疗补助金（终止或解除劳动关系时）", "38308.98", "on_leaving")]
    assert [(i["amount"], i["when"]) for i in out["employer_items"]] == [("76617.96", "on_leaving")]
    claim = records.get_claim("GS-1")
    assert claim.status == "benefits_assessed" and claim.amounts["one_off_grant"] == "65000.00"


def test_grade_5_allowance_is_70_percent_paid_by_the_employer():
    out = compute(grade="5", own="5000")
    assert out["one_off_grant"] == "90000.00" and out["monthly_allowance"] == "3500.00"
    assert out["monthly_allowance_payer"] == "employer"
    assert [i["item"] for i in out["employer_items"]] == ["伤残津贴（按月）"]


def test_grade_1_allowance_from_the_fund_and_care_on_the_regional_average():
    out = compute(grade="1", own="5000", care_pct="50")
    assert out["one_off_grant"] == "135000.00" and out["monthly_allowance"] == "4500.00"
    assert out["care_allowance_amount"] == "3192.42"  # 50 % × 6384.83 = 3192.415
    assert len(out["fund_items"]) == 3 and out["employer_items"] == []


def test_when_the_employer_is_the_payer_every_item_is_the_employers():
    out = compute(grade="7", payer_="employer", lump_sums=LUMP_SUMS)
    assert out["fund_items"] == []
    assert [i["amount"] for i in out["employer_items"]] == ["65000.00", "38308.98", "76617.96"]


def test_lump_sums_may_be_set_on_the_base_wage_and_no_grade_means_no_items():
    out = compute(grade="7", own="5000", lump_sums=LUMP_SUMS | {"base": "base_wage"})
    assert out["medical_lump_sum"] == "30000.00"  # 6 × 5000.00
    none = compute(grade="none", own="5000")
    assert none["one_off_grant"] == "0.00" and none["fund_items"] == none["employer_items"] == []


@pytest.mark.parametrize("extra, message", [
    ({"average_contribution_wage": None}, "'average_contribution_wage' is missing"),
    ({"settings": SETTINGS | {"base_wage_floor_pct": "400"}}, "is above 'base_wage_ceiling_pct'"),
    ({"settings": SETTINGS | {"base_wage_ceiling_pct": None}},
     "setting 'base_wage_ceiling_pct' in variable 'settings' is missing"),
    ({"settings": None}, "variable 'settings' .* is missing"),
    ({"grade_table": None}, "'grade_table' is missing"),
    ({"grade_table": {"grant_months": "13", "allowance_pct": "0", "allowance_payer": "state"}},
     "'grade_table': variable 'allowance_payer' must be one of"),
    ({"lump_sums": {"medical_months": "6"}}, "'lump_sums' lacks employment_months"),
    ({"payer": "insurer"}, "'payer' must be one of fund, employer"),
])
def test_benefit_inputs_are_checked(extra, message):
    with pytest.raises(ValueError, match=message):
        compute(**extra)


def test_payments_record_the_one_off_items_paid_now():
    records = insured_world()
    out = compute(records, grade="5", own="5000", lump_sums=LUMP_SUMS)
    fund = benefits.record_fund_payment(call(records, claim_no="GS-1", fund_items=out["fund_items"],
                                             employer_items=out["employer_items"]))
    assert fund["fund_paid_total"] == "90000.00" and fund["has_employer_items"] is True
    assert fund["fund_paid_on"] == "2022-06-15" and records.get_claim("GS-1").status == "fund_paid"
    employer = benefits.record_employer_payment(call(records, claim_no="GS-1", employer_items=out["employer_items"],
                                                     employer_paid_on="2022-06-20"))
    assert employer["employer_paid_total"] == "0.00"  # the allowance is monthly, the lump sum on leaving
    claim = records.get_claim("GS-1")
    assert claim.status == "paid" and claim.amounts["employer_paid_on"] == "2022-06-20"


def test_a_fund_payment_without_employer_items_closes_the_payments():
    records = insured_world()
    out = compute(records, grade="1", own="5000", care_pct="50")
    fund = benefits.record_fund_payment(call(records, claim_no="GS-1", fund_items=out["fund_items"],
                                             employer_items=out["employer_items"]))
    assert fund["fund_paid_total"] == "135000.00" and fund["has_employer_items"] is False
    assert records.get_claim("GS-1").status == "paid"
    with pytest.raises(ValueError, match="'fund_items' must be a list of"):
        benefits.record_fund_payment(call(records, claim_no="GS-1", fund_items=[{"amount": "1"}]))
