"""Benefit payment (待遇支付): who pays (B1), the base wage and the disability benefits (B2, B3), the payments.

Every rate, month count and percentage comes from the decisions (`grade_table`, `care_pct`, `lump_sums`,
`average_wage`, the floor and ceiling settings). The grades 5–10 lump sums on leaving come from `lump_sums` as
months (`medical_months`, `employment_months`) × a base the decision may name in `base` (`average_wage`, the
default, or `base_wage`); no `lump_sums` (the decision had no rule for the grade) means no lump sums.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from .appraisal import grade_of
from .employer import employer_group_for
from .injury import claim_or_fail
from .inputs import Call, amount, choice, day, json_value, number, records_of, setting, table, text
from .money import HUNDRED, calc, fen_text, parse_amount, parse_decimal, to_fen

PAYERS = ("fund", "employer")
LUMP_SUM_BASES = ("average_wage", "base_wage")


def determine_payer(call: Call) -> dict[str, Any]:
    """B1: the fund pays its items when, on the accident date, the outlet was enrolled, that month's premium was
    paid and the courier was on the filed roster; otherwise the employer pays every item (条例 Art. 62)."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    courier_id, outlet_id, accident = text(v, "courier_id"), text(v, "outlet_id"), day(v, "accident_date")
    enrolment = records.enrolment_for(outlet_id)
    enrolled = (enrolment is not None and enrolment.status == "enrolled" and enrolment.registered_on is not None
                and enrolment.registered_on <= accident)
    on_roster = records.on_roster(courier_id, outlet_id, accident)
    gaps = [gap for ok, gap in (
        (enrolled, "网点未参保登记"),
        (records.premium_paid_for(outlet_id, accident), f"{accident:%Y-%m}的工伤保险费未缴纳"),
        (on_roster, "快递员不在已报送的花名册上（未办理增员备案）")) if not ok]
    payer = "employer" if gaps else "fund"
    if gaps:
        reason = (f"事故发生时（{accident.isoformat()}）" + "；".join(gaps) +
                  "。依《工伤保险条例》第六十二条，由用人单位按规定的项目和标准支付全部工伤保险待遇。")
    else:
        reason = "事故发生时网点已参保登记、当月保费已缴纳、快递员在已报送的花名册上：基金支付项目由工伤保险基金支付。"
    if claim.late_employer:
        reason += "用人单位逾期申请工伤认定，逾期期间发生的费用由用人单位负担（条例第十七条）。"
    records.upsert_claim(replace(claim, payer=payer))
    return {"payer": payer, "payer_reason": reason, "on_roster": on_roster,
            "employer_group": employer_group_for(records, outlet_id), "accident_year": accident.year,
            "previous_year": accident.year - 1}


def compute_benefits(call: Call) -> dict[str, Any]:
    """B2/B3: base wage clamped to the regional average's floor and ceiling, then the grade's benefits, each
    item split between the fund and the employer (all to the employer when it is the payer)."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    payer, grade = choice(v, "payer", PAYERS), grade_of(v)
    average, own = amount(v, "average_wage"), amount(v, "average_contribution_wage")
    floor_pct, ceiling_pct = setting(v, "base_wage_floor_pct", number), setting(v, "base_wage_ceiling_pct", number)
    floor, ceiling = to_fen(average * floor_pct / HUNDRED), to_fen(average * ceiling_pct / HUNDRED)
    if floor > ceiling:
        raise ValueError(f"setting 'base_wage_floor_pct' ({floor_pct}) is above 'base_wage_ceiling_pct' "
                         f"({ceiling_pct})")
    base = min(max(own, floor), ceiling)
    out: dict[str, Any] = {"base_wage": fen_text(base), "base_wage_calc": calc(
        base, "min(max(average_contribution_wage, average_wage × floor_pct%), average_wage × ceiling_pct%)",
        {"average_contribution_wage": own, "average_wage": average, "floor_pct": floor_pct,
         "ceiling_pct": ceiling_pct, "floor": floor, "ceiling": ceiling})}
    items: list[tuple[str, dict[str, Any]]] = []

    def add(name: str, label: str, item_payer: str, when: str, value: Decimal, formula: str,
            inputs: Mapping[str, Any]) -> None:
        out[name], out[f"{name}_calc"] = fen_text(value), calc(value, formula, inputs)
        if value > 0 and item_payer in PAYERS:
            items.append((item_payer, {"item": label, "amount": fen_text(value), "formula": formula, "when": when}))

    rows = _grade_rows(v, grade)
    months, pct, allowance_payer = rows["grant_months"], rows["allowance_pct"], rows["allowance_payer"]
    add("one_off_grant", "一次性伤残补助金", "fund", "once", to_fen(months * base),
        f"grant_months × base_wage = {months} × {fen_text(base)}", {"grant_months": months, "base_wage": base})
    add("monthly_allowance", "伤残津贴（按月）", allowance_payer, "monthly", to_fen(pct * base / HUNDRED),
        f"allowance_pct% × base_wage = {pct}% × {fen_text(base)}",
        {"allowance_pct": pct, "base_wage": base, "allowance_payer": allowance_payer})
    out["monthly_allowance_payer"] = allowance_payer
    care = rows["care_pct"]
    add("care_allowance_amount", "生活护理费（按月）", "fund", "monthly", to_fen(care * average / HUNDRED),
        f"care_pct% × average_wage = {care}% × {fen_text(average)}", {"care_pct": care, "average_wage": average})
    lump = _lump_sums(v, grade)
    if lump is not None:
        lump_base = base if lump["base"] == "base_wage" else average
        for name, label, item_payer, key in (
                ("medical_lump_sum", "一次性工伤医疗补助金（终止或解除劳动关系时）", "fund", "medical_months"),
                ("employment_lump_sum", "一次性伤残就业补助金（终止或解除劳动关系时）", "employer", "employment_months")):
            add(name, label, item_payer, "on_leaving", to_fen(lump[key] * lump_base),
                f"{key} × {lump['base']} = {lump[key]} × {fen_text(lump_base)}",
                {key: lump[key], lump["base"]: lump_base})
    fund_items = [item for p, item in items if p == "fund" and payer == "fund"]
    employer_items = [item for p, item in items if p == "employer" or payer == "employer"]
    out |= {"fund_items": fund_items, "employer_items": employer_items}
    amounts = {k: out[k] for k in out if not k.endswith("_calc") and k not in ("fund_items", "employer_items")}
    records.upsert_claim(replace(claim, payer=payer, status="benefits_assessed",
                                 amounts={**amounts, "fund_items": fund_items, "employer_items": employer_items}))
    return out


def _grade_rows(v: Mapping[str, Any], grade: int | None) -> dict[str, Any]:
    """The grade's months and percentages from the decisions; all nil when no disability was found."""
    if grade is None:
        return {"grant_months": Decimal(0), "allowance_pct": Decimal(0), "allowance_payer": "none",
                "care_pct": Decimal(0)}
    rows = table(v, "grade_table", ("grant_months", "allowance_pct", "allowance_payer"))
    try:
        result = {"grant_months": number(rows, "grant_months"), "allowance_pct": number(rows, "allowance_pct"),
                  "allowance_payer": choice(rows, "allowance_payer", PAYERS + ("none",))}
    except ValueError as e:
        raise ValueError(f"variable 'grade_table': {e}") from None
    care = v.get("care_pct")
    result["care_pct"] = Decimal(0) if care in (None, "") else parse_decimal(care, "care_pct")
    return result


def _lump_sums(v: Mapping[str, Any], grade: int | None) -> dict[str, Any] | None:
    """The leaving lump sums' months and base, or None when the decision gave none for the grade."""
    rows = v.get("lump_sums")
    if grade is None or rows in (None, "", {}):
        return None
    rows = table(v, "lump_sums", ("medical_months", "employment_months"))
    try:
        return {"medical_months": number(rows, "medical_months"),
                "employment_months": number(rows, "employment_months"),
                "base": choice(rows, "base", LUMP_SUM_BASES) if rows.get("base") else "average_wage"}
    except ValueError as e:
        raise ValueError(f"variable 'lump_sums': {e}") from None


def record_fund_payment(call: Call) -> dict[str, Any]:
    """The SSB pays the fund items: one-off items now, monthly ones from now on, lump sums on leaving."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    fund_items, employer_items = _items(v, "fund_items"), _items(v, "employer_items")
    today, total = records.today(), _once_total(fund_items)
    total_calc = calc(total, "sum of the one-off fund items", {i["item"]: i["amount"] for i in fund_items
                                                               if i.get("when", "once") == "once"})
    records.upsert_claim(replace(claim, status="fund_paid" if employer_items else "paid", amounts={
        **(claim.amounts or {}), "fund_paid_on": today.isoformat(), "fund_paid_total": fen_text(total)}))
    return {"fund_paid_on": today.isoformat(), "fund_paid_total": fen_text(total), "fund_paid_total_calc": total_calc,
            "has_employer_items": bool(employer_items)}


def record_employer_payment(call: Call) -> dict[str, Any]:
    """The employer reports paying its items (on `employer_paid_on`, default today; `employer_amount_paid` if
    given is kept with the claim)."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    items = _items(v, "employer_items")
    paid_on = day(v, "employer_paid_on") if v.get("employer_paid_on") not in (None, "") else records.today()
    total = _once_total(items)
    total_calc = calc(total, "sum of the one-off employer items", {i["item"]: i["amount"] for i in items
                                                                   if i.get("when", "once") == "once"})
    reported = {"employer_amount_paid": fen_text(amount(v, "employer_amount_paid"))} \
        if v.get("employer_amount_paid") not in (None, "") else {}
    records.upsert_claim(replace(claim, status="paid", amounts={
        **(claim.amounts or {}), "employer_paid_on": paid_on.isoformat(), "employer_paid_total": fen_text(total),
        **reported}))
    return {"employer_paid_on": paid_on.isoformat(), "employer_paid_total": fen_text(total),
            "employer_paid_total_calc": total_calc}


def _items(v: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """A Json list of `{item, amount, formula}` (empty when absent)."""
    value = json_value(v, name) if v.get(name) not in (None, "") else []
    if not isinstance(value, list) or not all(isinstance(i, Mapping) and i.get("item") for i in value):
        raise ValueError(f"variable '{name}' must be a list of {{item, amount, formula}}")
    for i in value:
        parse_amount(i.get("amount"), f"{name}.amount")
    return [dict(i) for i in value]


def _once_total(items: list[dict[str, Any]]) -> Decimal:
    """What is paid now: the one-off items (monthly ones recur, lump sums wait for the worker leaving)."""
    return sum((parse_amount(i["amount"], "amount") for i in items if i.get("when", "once") == "once"), Decimal(0))
