"""Contribution (缴费): the month's premium (C2) at the outlet's rate (C1), and its payment with late fees (C3).

The period is a month `YYYY-MM`, so the premium is a MONTHLY premium: on wages it is one twelfth of last year's
wage total × rate; on the province's average wage it is the monthly average wage × insured headcount × rate
(at 0.4 % on 6,384.83 that is 25.54 元 per courier per month). The headcount is taken on the period's last day,
from the filed roster; the premium falls due on that day (the month is paid within the month).
"""
from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date
from typing import Any

from .employer import outlet_or_fail
from .inputs import Call, amount, day, flag, month, number, records_of, setting, table, text
from .money import calc, fen_text, to_fen
from .records import ContributionPeriod

MONTHS_PER_YEAR = 12


def last_day_of(period: str) -> date:
    """The last calendar day of the month `YYYY-MM`."""
    year, mon = (int(part) for part in period.split("-"))
    return date(year, mon, calendar.monthrange(year, mon)[1])


def assess_premium(call: Call) -> dict[str, Any]:
    """C2: the month's premium on last year's wages, or where they are unusable on the province's average wage ×
    the insured headcount; either × the rate of the outlet's class and grade (C1)."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    period = month(v, "period")
    rates = table(v, "rate_table", ("rate",))
    try:
        rate = number(rates, "rate")
    except ValueError as e:
        raise ValueError(f"variable 'rate_table': {e}") from None
    existing = records.contribution_for(outlet.id, period)
    if existing is not None and existing.status != "assessed":
        raise ValueError(f"the contribution of outlet {outlet.id} for {period} is already {existing.status}")
    due = last_day_of(period)
    headcount = records.insured_headcount(outlet.id, due)
    inputs: dict[str, Any] = {"period": period, "rate": rate, "base_rate": rates.get("base_rate"),
                              "multiplier": rates.get("multiplier")}
    if flag(v, "wages_usable"):
        wages = amount(v, "last_year_wages")
        base_kind, premium = "wages", to_fen(wages / MONTHS_PER_YEAR * rate)
        formula = "last_year_wages ÷ 12 × rate"
        inputs |= {"last_year_wages": wages}
    else:
        wage = amount(v, "province_wage")
        base_kind, premium = "average_wage", to_fen(wage * headcount * rate)
        formula = "province_wage × insured_headcount × rate"
        inputs |= {"province_wage": wage, "insured_headcount": headcount, "wage_year": v.get("previous_year")}
    premium_calc = calc(premium, formula, inputs)
    records.record_contribution(ContributionPeriod(outlet.id, period, base_kind, rate, premium, due, premium_calc))
    return {"premium": fen_text(premium), "premium_calc": premium_calc, "base_kind": base_kind,
            "insured_headcount": headcount, "due_date": due.isoformat(), "rate": str(rate)}


def record_contribution_payment(call: Call) -> dict[str, Any]:
    """C3: record what the tax bureau collected; a late payment owes premium × daily late-fee rate × days late."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    period = month(v, "period")
    contribution = records.contribution_for(outlet.id, period)
    if contribution is None:
        raise ValueError(f"no assessed contribution of outlet {outlet.id} for {period}: assess the premium first")
    paid_on, paid, daily = day(v, "paid_on"), amount(v, "amount_paid"), setting(v, "late_fee_rate_per_day", number)
    late_days = max(0, (paid_on - contribution.due_date).days)
    late_fee = to_fen(contribution.premium * daily * late_days)
    status = "paid" if paid >= contribution.premium + late_fee else "arrears"
    late_fee_calc = calc(late_fee, "premium × late_fee_rate_per_day × late_days", {
        "premium": contribution.premium, "late_fee_rate_per_day": daily, "late_days": late_days,
        "due_date": contribution.due_date, "paid_on": paid_on})
    records.record_contribution(replace(contribution, paid_on=paid_on, late_fee=late_fee, status=status))
    return {"late_days": late_days, "late_fee": fen_text(late_fee), "late_fee_calc": late_fee_calc,
            "period_status": status}
