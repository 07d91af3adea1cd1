"""Service-task handlers, keyed by the external-task topic a diagram names (camunda:topic).

A handler is a plain function: it receives the call (`call.variables`, a copy of the task's data, and
`call.records`, the pack's records bound to the command's transaction) and returns the variables to set (a
dict, or None). When a topic has a handler here, Kuaibao runs it in-process; otherwise the task waits for an
external worker. The topics are those of `workflows/CONTRACT.md`. This package imports nothing from `app`.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from . import appraisal, benefits, contribution, enrolment, injury

Handler = Callable[[Any], Mapping[str, Any] | None]

HANDLERS: dict[str, Handler] = {
    # 1-2 monthly_outlet_list, outlet_enrolment (E1-E4)
    "jilin.register_outlet_list": enrolment.register_outlet_list,
    "jilin.load_outlet": enrolment.load_outlet,
    "jilin.record_out_of_scope": enrolment.record_out_of_scope,
    "jilin.determine_employer": enrolment.determine_employer,
    "jilin.send_enrolment_reminder": enrolment.send_enrolment_reminder,
    "jilin.escalate_to_postal": enrolment.escalate_to_postal,
    "jilin.register_enrolment": enrolment.register_enrolment,
    "jilin.file_roster": enrolment.file_roster,
    "jilin.publish_insurance_status": enrolment.publish_insurance_status,
    # 3 contribution (C1-C3)
    "jilin.assess_premium": contribution.assess_premium,
    "jilin.record_contribution_payment": contribution.record_contribution_payment,
    # 4 personnel_change (E4)
    "jilin.check_personnel_change": enrolment.check_personnel_change,
    "jilin.apply_personnel_change": enrolment.apply_personnel_change,
    # 5 injury_claim (I1-I3)
    "jilin.check_filing_deadline": injury.check_filing_deadline,
    "jilin.request_materials": injury.request_materials,
    "jilin.accept_claim": injury.accept_claim,
    "jilin.resume_decision_clock": injury.resume_decision_clock,
    "jilin.deliver_decision": injury.deliver_decision,
    "jilin.close_claim": injury.close_claim,
    "jilin.flag_overdue": injury.flag_overdue,
    # 6 disability_appraisal (A1-A2)
    "jilin.record_appraisal": appraisal.record_appraisal,
    # 7 benefit_payment (B1-B3)
    "jilin.determine_payer": benefits.determine_payer,
    "jilin.compute_benefits": benefits.compute_benefits,
    "jilin.record_fund_payment": benefits.record_fund_payment,
    "jilin.record_employer_payment": benefits.record_employer_payment,
}
