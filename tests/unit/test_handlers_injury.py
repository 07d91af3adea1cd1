"""Injury determination handlers (I1, I2) and the appraisal record (A1, A2) with worked dates."""
from __future__ import annotations

from datetime import date

import pytest

from handlers import appraisal, injury
from tests.fakes import call
from tests.jilin_data import SETTINGS, world


def file_claim(records, applicant: str, accident: str, filed: str, **extra):
    variables = dict(claim_no="GS-1", courier_id="C-1", outlet_id="JL-BA-0002", region="changchun",
                     accident_date=accident, filed_on=filed, applicant_kind=applicant,
                     settings=SETTINGS)
    return injury.check_filing_deadline(call(records, **(variables | extra)))


def test_an_employer_filing_after_30_days_is_accepted_but_flagged_late():
    records = world()
    # Accident 2022-05-01, filed 2022-06-10: 40 days, 10 beyond the employer's 30.
    out = file_claim(records, "employer", "2022-05-01", "2022-06-10")
    assert out == {"filing_refused": False, "refusal_reason": "", "late_employer": True, "late_days": 10}
    claim = records.get_claim("GS-1")
    assert claim.status == "filed" and claim.late_employer and claim.accident_date == date(2022, 5, 1)


def test_a_courier_filing_after_30_days_but_within_a_year_is_on_time():
    out = file_claim(world(), "courier", "2022-05-01", "2022-06-10")
    assert out == {"filing_refused": False, "refusal_reason": "", "late_employer": False, "late_days": 0}


def test_a_filing_more_than_a_year_after_the_accident_is_refused_with_the_reason():
    records = world()
    # Accident 2021-05-01, filed 2022-05-10: 374 days > 365.
    out = file_claim(records, "relative", "2021-05-01", "2022-05-10")
    assert out["filing_refused"] and out["late_days"] == 9 and not out["late_employer"]
    assert "已374日" in out["refusal_reason"] and "超过365日" in out["refusal_reason"]
    assert "第十七条" in out["refusal_reason"]
    assert records.get_claim("GS-1").status == "refused"
    assert file_claim(world(), "employer", "2021-05-01", "2022-05-10")["filing_refused"]  # the employer too


def test_filing_inputs_are_checked():
    with pytest.raises(ValueError, match="'filed_on' .* is before 'accident_date'"):
        file_claim(world(), "courier", "2022-05-01", "2022-04-30")
    with pytest.raises(ValueError, match="'applicant_kind' must be one of employer, courier, relative, union"):
        file_claim(world(), "neighbour", "2022-05-01", "2022-05-02")
    with pytest.raises(ValueError, match="setting 'employer_filing_days' in variable 'settings' must be a whole"):
        file_claim(world(), "courier", "2022-05-01", "2022-05-02",
                   settings=SETTINGS | {"employer_filing_days": "thirty"})


def filed(records=None):
    records = records or world()
    file_claim(records, "employer", "2022-06-01", "2022-06-05")
    return records


def test_missing_materials_are_asked_for_all_at_once():
    records = filed()
    out = injury.request_materials(call(records, claim_no="GS-1", missing_materials=["医疗诊断证明", "劳动关系证明"]))
    assert out == {"materials_requested_on": "2022-06-15", "missing_materials": "医疗诊断证明；劳动关系证明"}
    assert records.get_claim("GS-1").status == "materials_requested"
    with pytest.raises(ValueError, match="'missing_materials' is missing"):
        injury.request_materials(call(records, claim_no="GS-1", missing_materials=""))


@pytest.mark.parametrize("clear_case, due", [(False, "2022-08-14"), (True, "2022-06-30")])
def test_the_decision_is_due_60_days_after_acceptance_or_15_for_a_clear_case(clear_case, due):
    records = filed()
    out = injury.accept_claim(call(records, claim_no="GS-1", clear_case=clear_case,
                                   settings=SETTINGS))
    assert out == {"accepted_on": "2022-06-15", "decision_due": due}
    assert records.get_claim("GS-1").status == "accepted"


def test_a_pending_conclusion_stops_the_decision_clock():
    # Paused 2022-07-01, resumed 2022-09-10: 71 days added to the due date.
    out = injury.resume_decision_clock(call(filed(), decision_due="2022-08-14", paused_on="2022-07-01",
                                            resumed_on="2022-09-10"))
    assert out == {"decision_due": "2022-10-24", "paused_days": 71, "resumed_on": "2022-09-10"}
    with pytest.raises(ValueError, match="'paused_on' .* is after the clock resumed"):
        injury.resume_decision_clock(call(filed(), decision_due="2022-08-14", paused_on="2022-07-01"))


def test_the_decision_is_recorded_and_must_be_delivered_within_20_days():
    records = filed()
    out = injury.deliver_decision(call(records, claim_no="GS-1", decision="work_injury", disability_remains=True,
                                       settings=SETTINGS))
    assert out == {"decided_on": "2022-06-15", "delivery_due": "2022-07-05", "work_injury": True,
                   "disability_remains": True}
    assert records.get_claim("GS-1").decision == "work_injury"
    refused = injury.deliver_decision(call(records, claim_no="GS-1", decision="not_work_injury",
                                           settings=SETTINGS))
    assert refused["work_injury"] is False and refused["disability_remains"] is False
    assert injury.close_claim(call(records, claim_no="GS-1")) == {"closed_on": "2022-06-15"}
    assert records.get_claim("GS-1").status == "closed"


def test_closing_a_refused_filing_keeps_it_refused_and_overdue_tasks_are_flagged():
    records = world()
    file_claim(records, "courier", "2021-01-01", "2022-06-01")
    injury.close_claim(call(records, claim_no="GS-1"))
    assert records.get_claim("GS-1").status == "refused"
    assert injury.flag_overdue(call(records, claim_no="GS-1")) == {"overdue_flagged_on": "2022-06-15",
                                                                   "overdue_status": "refused"}
    with pytest.raises(ValueError, match="no claim 'GS-9'"):
        injury.flag_overdue(call(records, claim_no="GS-9"))


def test_an_appraisal_opens_a_15_day_window_for_re_appraisal():
    records = filed()
    out = appraisal.record_appraisal(call(records, claim_no="GS-1", grade="7", self_care="",
                                          concluded_on="2022-09-01", settings=SETTINGS))
    # JL-BA-0002 is a filed terminal: its parent enterprise's staff decide on re-appraisal.
    assert out == {"concluded_on": "2022-09-01", "reappraisal_deadline": "2022-09-16",
                   "employer_group": "enterprise-ENT-0001"}
    claim = records.get_claim("GS-1")
    assert (claim.grade, claim.self_care, claim.status) == ("7", "none", "appraised")
    final = appraisal.record_appraisal(call(records, claim_no="GS-1", grade=5, self_care="partly",
                                            settings=SETTINGS))
    assert final["concluded_on"] == "2022-06-15" and records.get_claim("GS-1").grade == "5"


@pytest.mark.parametrize("grade, message", [("11", "'none' or 1 to 10"), (None, "'grade' is missing"),
                                            ("seven", "'none' or 1 to 10")])
def test_an_appraisal_grade_is_none_or_1_to_10(grade, message):
    with pytest.raises(ValueError, match=message):
        appraisal.record_appraisal(call(filed(), claim_no="GS-1", grade=grade, settings=SETTINGS))
