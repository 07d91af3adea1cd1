"""The words the tracker and dashboard pages put on the pack's codes (stages, outcomes, statuses, operations).

The services return codes; the pages word them here, once, so both page families say the same thing. Lazy texts:
they are translated when a page renders, in the reader's language.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _

STAGE_NAMES = {"enrolment": _("Enrolment"), "contribution": _("Contribution"),
               "injury_determination": _("Injury determination"), "disability_appraisal": _("Disability appraisal"),
               "benefit_payment": _("Benefit payment")}

OUTCOMES = {"refused": _("Not accepted"), "not_work_injury": _("Not a work injury"),
            "no_disability": _("Work injury, no disability"), "paid": _("Benefits paid"), "closed": _("Closed"),
            "cancelled": _("Cancelled"), "open": _("In progress")}

# Notes on the outlet's stages of a claim (as they stood at the accident) and of an outlet case.
STAGE_NOTES = {"not_enrolled": _("Not enrolled"), "out_of_scope": _("Out of scope"),
               "enrolled_after_accident": _("Enrolled after the accident"), "enrolled": _("Enrolled"),
               "not_assessed": _("No premium for the month"), "unpaid": _("Premium unpaid"), "paid": _("Paid"),
               "listed": _("Listed"), "applying": _("Applying"), "escalated": _("Escalated")}
STAGE_NOTES.update({k: v for k, v in OUTCOMES.items() if k not in STAGE_NOTES})

OUTLET_STATUSES = {"listed": _("Listed"), "applying": _("Applying"), "escalated": _("Escalated to the postal bureau"),
                   "enrolled": _("Enrolled"), "out_of_scope": _("Out of scope")}
OUTLET_KINDS = {"licensed": _("Licensed outlet"), "filed_terminal": _("Filed terminal outlet")}

APPLICANTS = {"employer": _("Employer"), "courier": _("Courier"), "relative": _("Close relative"),
              "union": _("Trade union")}
DECISIONS = {"work_injury": _("Work injury"), "deemed_work_injury": _("Deemed work injury"),
             "not_work_injury": _("Not a work injury")}
SELF_CARE = {"total": _("Totally dependent"), "mostly": _("Mostly dependent"), "partly": _("Partly dependent"),
             "none": _("None")}
PAYERS = {"fund": _("Work-injury insurance fund"), "employer": _("Employer")}
WHEN = {"once": _("One-off"), "monthly": _("Monthly"), "on_leaving": _("On leaving")}
AMOUNTS = {"base_wage": _("Base wage"), "one_off_grant": _("One-off disability grant"),
           "monthly_allowance": _("Monthly disability allowance"), "care_allowance_amount": _("Monthly care allowance"),
           "fund_paid_total": _("Paid by the fund"), "fund_paid_on": _("Fund paid on"),
           "employer_paid_total": _("Paid by the employer"), "employer_paid_on": _("Employer paid on")}
PERIOD_STATUSES = {"assessed": _("Assessed"), "paid": _("Paid"), "arrears": _("In arrears")}

DEADLINES = {"decision_due": _("Statutory decision deadline"),
             "reappraisal_deadline": _("Deadline to ask for re-appraisal")}
DEADLINE_STATES = {"ok": _("On time"), "at_risk": _("At risk"), "overdue": _("Overdue")}
DEADLINE_BADGES = {"ok": "ok", "at_risk": "warn", "overdue": "danger"}

OPERATIONS = {"Create": _("Started"), "Claim": _("Claimed"), "Assign": _("Assigned"), "Complete": _("Completed"),
              "SetVariable": _("Changed variables"), "RemoveVariable": _("Removed variables"),
              "CorrelateMessage": _("Message received"), "Delete": _("Cancelled"), "Suspend": _("Suspended"),
              "Activate": _("Activated"), "SetJobRetries": _("Retried"), "SetExternalTaskRetries": _("Retried"),
              "Resolve": _("Incident resolved")}
ACTIVITY_STATES = {"open": _("Open"), "done": _("Done"), "canceled": _("Cancelled")}
INSTANCE_STATES = {"ACTIVE": _("Running"), "COMPLETED": _("Completed"), "EXTERNALLY_TERMINATED": _("Cancelled")}


def labels() -> dict:
    """Every table above, for the templates (`labels.stage[...]`…)."""
    return {"stage": STAGE_NAMES, "outcome": OUTCOMES, "note": STAGE_NOTES, "outlet_status": OUTLET_STATUSES,
            "outlet_kind": OUTLET_KINDS, "applicant": APPLICANTS, "decision": DECISIONS, "self_care": SELF_CARE,
            "payer": PAYERS, "when": WHEN, "amount": AMOUNTS, "period_status": PERIOD_STATUSES,
            "deadline": DEADLINES, "deadline_state": DEADLINE_STATES, "deadline_badge": DEADLINE_BADGES,
            "operation": OPERATIONS, "activity_state": ACTIVITY_STATES, "instance_state": INSTANCE_STATES}
