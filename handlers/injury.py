"""Injury determination (工伤认定): filing deadlines (I1), acceptance and the decision clock (I2), delivery."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Mapping

from .inputs import Call, choice, day, flag, records_of, setting, text, whole
from .records import APPLICANT_KINDS, Claim, Records

DECISIONS = ("work_injury", "deemed_work_injury", "not_work_injury")


def claim_or_fail(records: Records, v: Mapping[str, Any]) -> Claim:
    """The claim named by `claim_no`; ValueError when the records do not know it."""
    claim_no = text(v, "claim_no")
    claim = records.get_claim(claim_no)
    if claim is None:
        raise ValueError(f"variable 'claim_no': no claim {claim_no!r} in the records")
    return claim


def check_filing_deadline(call: Call) -> dict[str, Any]:
    """I1: the employer files within `employer_filing_days` (later: accepted, but it bears the late period's
    costs); anyone filing more than `personal_filing_days` after the accident is refused, with the reason."""
    v, records = call.variables, records_of(call)
    if records.get_claim(text(v, "claim_no")) is not None:
        raise ValueError(f"variable 'claim_no': claim {text(v, 'claim_no')!r} already exists; a claim number is "
                         "filed once")
    accident, filed = day(v, "accident_date"), day(v, "filed_on")
    applicant = choice(v, "applicant_kind", APPLICANT_KINDS)
    if filed < accident:
        raise ValueError(f"variable 'filed_on' ({filed}) is before 'accident_date' ({accident})")
    employer_limit = setting(v, "employer_filing_days", whole)
    personal_limit = setting(v, "personal_filing_days", whole)
    elapsed = (filed - accident).days
    refused = elapsed > personal_limit
    late_days = max(0, elapsed - (employer_limit if applicant == "employer" else personal_limit))
    late_employer = applicant == "employer" and late_days > 0 and not refused
    reason = (f"申请于{filed.isoformat()}提出，距事故发生之日（{accident.isoformat()}）已{elapsed}日，超过{personal_limit}日的"
              "工伤认定申请时限（《工伤保险条例》第十七条），不予受理。") if refused else ""
    records.upsert_claim(Claim(
        text(v, "claim_no"), text(v, "courier_id"), text(v, "outlet_id"), text(v, "region"), accident, applicant,
        filed, status="refused" if refused else "filed", late_employer=late_employer))
    return {"filing_refused": refused, "refusal_reason": reason, "late_employer": late_employer,
            "late_days": late_days}


def request_materials(call: Call) -> dict[str, Any]:
    """I2: the missing materials are asked for once, all together, in writing."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    missing = v.get("missing_materials")
    if isinstance(missing, list):
        missing = "；".join(str(m).strip() for m in missing if str(m).strip())
    if not isinstance(missing, str) or not missing.strip():
        raise ValueError("variable 'missing_materials' is missing: list every missing material at once (I2)")
    records.upsert_claim(replace(claim, status="materials_requested"))
    return {"materials_requested_on": records.today().isoformat(), "missing_materials": missing.strip()}


def accept_claim(call: Call) -> dict[str, Any]:
    """I2: accepted today; the decision is due `decision_days` later, `clear_case_days` for a clear case."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    days = setting(v, "clear_case_days" if flag(v, "clear_case") else "decision_days", whole)
    today = records.today()
    records.upsert_claim(replace(claim, status="accepted"))
    return {"accepted_on": today.isoformat(), "decision_due": (today + timedelta(days=days)).isoformat()}


def resume_decision_clock(call: Call) -> dict[str, Any]:
    """I2: the clock stopped from `paused_on` while a court or arbitration conclusion was pending; the decision
    falls due that many days later (resumed on `resumed_on`, default today)."""
    v, records = call.variables, records_of(call)
    due, paused_on = day(v, "decision_due"), day(v, "paused_on")
    resumed_on = day(v, "resumed_on") if v.get("resumed_on") not in (None, "") else records.today()
    if resumed_on < paused_on:
        raise ValueError(f"variable 'paused_on' ({paused_on}) is after the clock resumed ({resumed_on})")
    paused = (resumed_on - paused_on).days
    return {"decision_due": (due + timedelta(days=paused)).isoformat(), "paused_days": paused,
            "resumed_on": resumed_on.isoformat()}


def deliver_decision(call: Call) -> dict[str, Any]:
    """I2/I3: record the decision; it must reach the parties within `delivery_days`."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    decision = choice(v, "decision", DECISIONS)
    work_injury = decision != "not_work_injury"
    disability = flag(v, "disability_remains") if work_injury else False
    today = records.today()
    records.upsert_claim(replace(claim, status="decided", decision=decision))
    return {"decided_on": today.isoformat(),
            "delivery_due": (today + timedelta(days=setting(v, "delivery_days", whole))).isoformat(),
            "work_injury": work_injury, "disability_remains": disability}


def close_claim(call: Call) -> dict[str, Any]:
    """End a claim that goes no further (refused filing, or not a work injury), keeping why in its status."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    records.upsert_claim(replace(claim, status="refused" if claim.status == "refused" else "closed"))
    return {"closed_on": records.today().isoformat()}


def flag_overdue(call: Call) -> dict[str, Any]:
    """A statutory time limit passed with the task still open: note it for the region's managers."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    return {"overdue_flagged_on": records.today().isoformat(), "overdue_status": claim.status}
