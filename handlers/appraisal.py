"""Disability appraisal (劳动能力鉴定): record the committee's conclusion and the re-appraisal window (A1, A2)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Mapping

from .employer import employer_group_for
from .injury import claim_or_fail
from .inputs import Call, choice, day, records_of, setting, whole

GRADES = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")  # the statutory scale, 1 worst (条例 Art. 22)
SELF_CARE = ("total", "mostly", "partly", "none")


def grade_of(v: Mapping[str, Any]) -> int | None:
    """The disability grade 1–10 from `grade` (a number or its string), or None for `none`."""
    value = v.get("grade")
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise ValueError("variable 'grade' is missing (use 'none' when no disability was found)")
    text = str(value).strip()
    if text.lower() == "none":
        return None
    if text not in GRADES:
        raise ValueError(f"variable 'grade' must be 'none' or 1 to 10, got {value!r}")
    return int(text)


def self_care_of(v: Mapping[str, Any]) -> str:
    """The self-care impairment (`none` when the committee found none or the form left it empty)."""
    return choice(v, "self_care", SELF_CARE) if v.get("self_care") not in (None, "") else "none"


def record_appraisal(call: Call) -> dict[str, Any]:
    """A1/A2: record grade and self-care; a re-appraisal may be requested until `reappraisal_days` after the
    conclusion (the provincial committee's conclusion is final and is recorded the same way)."""
    v, records = call.variables, records_of(call)
    claim = claim_or_fail(records, v)
    grade, self_care = grade_of(v), self_care_of(v)
    concluded_on = day(v, "concluded_on") if v.get("concluded_on") not in (None, "") else records.today()
    deadline = concluded_on + timedelta(days=setting(v, "reappraisal_days", whole))
    records.upsert_claim(replace(claim, grade=str(grade) if grade else "none", self_care=self_care,
                                 status="appraised"))
    return {"concluded_on": concluded_on.isoformat(), "reappraisal_deadline": deadline.isoformat(),
            "employer_group": employer_group_for(records, claim.outlet_id)}
