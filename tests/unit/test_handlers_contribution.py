"""Contribution handlers (C1–C3) with worked numbers: the monthly premium and the late fee."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers import contribution
from handlers.records import RosterPeriod
from tests.fakes import call
from tests.jilin_data import PROVINCE_WAGE_2021, SETTINGS, insured, world

RATE_TABLE = {"base_rate": "0.004", "multiplier": "1.0", "rate": "0.004"}  # class 2, grade 100 %


def assess(records, **variables):
    values = dict(outlet_id="JL-KD-0001", region="changchun", period="2022-06", rate_table=RATE_TABLE,
                  province_wage=PROVINCE_WAGE_2021, previous_year=2021, wages_usable=False)
    values.update(variables)
    return contribution.assess_premium(call(records, **values))


def test_premium_on_the_average_wage_is_wage_times_headcount_times_rate():
    records = world()
    insured(records, "JL-KD-0001", ["C-1", "C-2", "C-3"], date(2022, 3, 1))
    out = assess(records)
    # 6384.83 × 3 × 0.004 = 76.61796 → 76.62
    assert out["premium"] == "76.62" and out["insured_headcount"] == 3 and out["base_kind"] == "average_wage"
    assert out["due_date"] == "2022-06-30"
    assert out["premium_calc"] == {
        "amount": "76.62", "formula": "province_wage × insured_headcount × rate",
        "inputs": {"period": "2022-06", "rate": "0.004", "base_rate": "0.004", "multiplier": "1.0",
                   "province_wage": "6384.83", "insured_headcount": 3, "wage_year": 2021}}
    saved = records.contribution_for("JL-KD-0001", "2022-06")
    assert saved.premium == Decimal("76.62") and saved.status == "assessed" and saved.calc == out["premium_calc"]


def test_one_courier_costs_25_54_a_month_at_0_4_percent():
    records = world()
    insured(records, "JL-KD-0001", ["C-1"], date(2022, 3, 1))
    assert assess(records)["premium"] == "25.54"  # 6384.83 × 0.004 = 25.53932


def test_headcount_counts_couriers_on_the_filed_roster_on_the_periods_last_day():
    records = world()
    insured(records, "JL-KD-0001", ["C-1", "C-2"], date(2022, 3, 1))
    records.end_roster_period("C-2", "JL-KD-0001", date(2022, 6, 10))  # left during June
    records.add_roster_period(RosterPeriod("C-3", "JL-KD-0001", date(2022, 6, 20), filed_on=date(2022, 6, 20)))
    records.add_roster_period(RosterPeriod("C-4", "JL-KD-0001", date(2022, 6, 1), filed_on=date(2022, 7, 5)))
    out = assess(records)
    assert out["insured_headcount"] == 2 and out["premium"] == "51.08"  # C-1, C-3: 6384.83 × 2 × 0.004


def test_premium_on_last_years_wages_is_a_twelfth_of_them_times_rate():
    out = assess(world(), wages_usable=True, last_year_wages="1,000,000", rate_table={"rate": "0.005"})
    # 1,000,000 ÷ 12 × 0.005 = 416.666… → 416.67
    assert out["premium"] == "416.67" and out["base_kind"] == "wages"
    assert out["premium_calc"]["formula"] == "last_year_wages ÷ 12 × rate"
    assert out["premium_calc"]["inputs"]["last_year_wages"] == "1000000.00"


@pytest.mark.parametrize("variables, message", [
    ({"wages_usable": True}, "variable 'last_year_wages' is missing"),
    ({"province_wage": None}, "variable 'province_wage' is missing"),
    ({"rate_table": {"rate": "abc"}}, "variable 'rate_table': variable 'rate' must be a number"),
    ({"rate_table": {"base_rate": "0.004"}}, "variable 'rate_table' lacks rate"),
    ({"period": "2022-13"}, "'period' must be a month YYYY-MM"),
    ({"wages_usable": "maybe"}, "'wages_usable' must be a boolean"),
])
def test_bad_or_missing_inputs_are_named(variables, message):
    with pytest.raises(ValueError, match=message):
        assess(world(), **variables)


def pay(records, paid_on: str, amount_paid: str):
    return contribution.record_contribution_payment(call(
        records, outlet_id="JL-KD-0001", period="2022-06", paid_on=paid_on, amount_paid=amount_paid,
        settings=SETTINGS))


def test_late_payment_owes_premium_times_daily_rate_times_days_late():
    records = world()
    insured(records, "JL-KD-0001", ["C-1", "C-2", "C-3"], date(2022, 3, 1))
    assess(records)
    out = pay(records, "2022-07-20", "77.39")
    # due 2022-06-30, paid 20 days late: 76.62 × 0.0005 × 20 = 0.7662 → 0.77; 76.62 + 0.77 = 77.39 paid in full
    assert (out["late_days"], out["late_fee"], out["period_status"]) == (20, "0.77", "paid")
    assert out["late_fee_calc"]["formula"] == "premium × late_fee_rate_per_day × late_days"
    saved = records.contribution_for("JL-KD-0001", "2022-06")
    assert saved.late_fee == Decimal("0.77") and saved.paid_on == date(2022, 7, 20)
    assert records.premium_paid_for("JL-KD-0001", date(2022, 6, 3))


def test_paying_only_the_premium_late_leaves_the_period_in_arrears():
    records = world()
    insured(records, "JL-KD-0001", ["C-1", "C-2", "C-3"], date(2022, 3, 1))
    assess(records)
    assert pay(records, "2022-07-20", "76.62")["period_status"] == "arrears"
    assert not records.premium_paid_for("JL-KD-0001", date(2022, 6, 3))


def test_payment_on_time_owes_no_late_fee_and_a_paid_period_is_not_reassessed():
    records = world()
    insured(records, "JL-KD-0001", ["C-1"], date(2022, 3, 1))
    assess(records)
    assert pay(records, "2022-06-30", "25.54") | {"late_fee_calc": None} == {
        "late_days": 0, "late_fee": "0.00", "late_fee_calc": None, "period_status": "paid"}
    with pytest.raises(ValueError, match="already paid"):
        assess(records)


def test_payment_needs_an_assessment_and_the_daily_rate():
    with pytest.raises(ValueError, match="no assessed contribution"):
        pay(world(), "2022-06-30", "25.54")
    records = world()
    assess(records)
    with pytest.raises(ValueError, match="setting 'late_fee_rate_per_day' in variable 'settings' is missing"):
        contribution.record_contribution_payment(call(records, outlet_id="JL-KD-0001", period="2022-06",
                                                      paid_on="2022-06-30", amount_paid="0",
                                                      settings={"late_fee_rate_per_day": ""}))
