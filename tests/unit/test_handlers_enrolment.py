"""Enrolment handlers (E1–E4) on FakeRecords: the monthly list, the employer of record, registration, rosters."""
from __future__ import annotations

import json
from datetime import date

import pytest

from handlers import enrolment
from handlers.records import Enrolment
from tests.fakes import call
from tests.jilin_data import SETTINGS, insured, outlet, world


def test_licensed_outlet_with_employer_status_registers_itself():
    records = world()
    out = enrolment.determine_employer(call(records, outlet_id="JL-KD-0001"))
    assert out == {"employer_id": "JL-KD-0001", "employer_kind": "outlet", "employer_name": "网点JL-KD-0001",
                   "employer_group": "outlet-JL-KD-0001"}


def test_filed_terminal_outlet_is_registered_by_its_parent_enterprise_which_becomes_employer_of_record():
    records = world()
    employer = enrolment.determine_employer(call(records, outlet_id="JL-BA-0002"))
    assert employer["employer_kind"] == "enterprise" and employer["employer_id"] == "ENT-0001"
    assert employer["employer_group"] == "enterprise-ENT-0001" and employer["employer_name"] == "吉林省示例快递有限公司"
    out = enrolment.register_enrolment(call(records, outlet_id="JL-BA-0002", approved=True,
                                            registration_no="220102-0002", **employer))
    assert out == {"registered_on": "2022-06-15", "enrolment_status": "enrolled"}
    assert records.enrolment_for("JL-BA-0002") == Enrolment(
        "JL-BA-0002", "enrolled", employer_id="ENT-0001", employer_kind="enterprise", registration_no="220102-0002",
        registered_on=date(2022, 6, 15), process_instance_id="pi-1", id=1)
    assert records.get_outlet("JL-BA-0002").status == "enrolled"
    # Later stages find the enterprise's staff through the enrolment.
    assert enrolment.load_outlet(call(records, outlet_id="JL-BA-0002"))["employer_group"] == "enterprise-ENT-0001"


def test_an_outlet_without_employer_status_or_parent_cannot_be_placed():
    records = world()
    records.upsert_outlet(outlet("JL-X", kind="filed_terminal", has_employer_status=False))
    with pytest.raises(ValueError, match="parent_enterprise_id"):
        enrolment.determine_employer(call(records, outlet_id="JL-X"))


def test_monthly_list_records_new_outlets_and_skips_enrolled_ones():
    records = world()
    insured(records, "JL-KD-0001", [], date(2022, 3, 1))
    listed = [{"id": "JL-KD-0009", "name": "新网点", "kind": "filed_terminal", "has_employer_status": False,
               "flexible_staffing": True, "uses_labour_dispatch": False, "insured_before_notice": False,
               "parent_enterprise_id": "ENT-0001"}, "JL-BA-0002", "JL-KD-0001", "JL-BA-0002"]
    out = enrolment.register_outlet_list(call(records, region="changchun", month="2022-06",
                                              outlets_json=json.dumps(listed, ensure_ascii=False)))
    assert out == {"outlet_ids": ["JL-KD-0009", "JL-BA-0002"], "skipped_outlet_ids": ["JL-KD-0001"]}
    new = records.get_outlet("JL-KD-0009")
    assert new.status == "listed" and new.parent_enterprise_id == "ENT-0001" and new.industry_class is None


def test_monthly_list_keeps_recorded_facts_the_entry_leaves_out():
    records = world()
    enrolment.register_outlet_list(call(records, region="changchun", month="2022-06",
                                        outlets_json=[{"id": "JL-KD-0001", "uses_labour_dispatch": True}]))
    updated = records.get_outlet("JL-KD-0001")
    assert updated.uses_labour_dispatch and updated.industry_class == 2 and updated.name == "网点JL-KD-0001"


@pytest.mark.parametrize("entry, message", [
    ("JL-NOPE", "entry 0: unknown outlet"),
    ({"id": "JL-N", "name": "n", "kind": "kiosk"}, "'kind' must be one of licensed, filed_terminal"),
    ({"id": "JL-N", "name": "n", "kind": "licensed"}, "'has_employer_status' is missing"),
])
def test_monthly_list_names_the_bad_entry(entry, message):
    with pytest.raises(ValueError, match=message):
        enrolment.register_outlet_list(call(world(), region="changchun", month="2022-06", outlets_json=[entry]))


def test_monthly_list_refuses_an_outlet_of_another_region_and_a_bad_month():
    with pytest.raises(ValueError, match="in region 'changchun', not 'jilin'"):
        enrolment.register_outlet_list(call(world(), region="jilin", month="2022-06", outlets_json=["JL-KD-0001"]))
    with pytest.raises(ValueError, match="'month' must be a month YYYY-MM"):
        enrolment.register_outlet_list(call(world(), region="changchun", month="2022-6", outlets_json=["JL-KD-0001"]))


def test_load_outlet_gives_the_eligibility_facts_and_for_a_period_the_wage_year():
    out = enrolment.load_outlet(call(world(), outlet_id="JL-KD-0001", region="changchun", period="2022-06"))
    assert out["flexible_staffing"] is True and out["uses_labour_dispatch"] is False
    assert out["insured_before_notice"] is False and out["outlet_kind"] == "licensed"
    assert (out["industry_class"], out["floating_grade"], out["previous_year"]) == (2, 3, 2021)
    assert out["employer_group"] == "outlet-JL-KD-0001"


def test_load_outlet_for_a_contribution_needs_class_and_grade_and_the_right_region():
    records = world()
    records.upsert_outlet(outlet("JL-N", industry_class=None))
    with pytest.raises(ValueError, match="no industry_class or floating_grade"):
        enrolment.load_outlet(call(records, outlet_id="JL-N", period="2022-06"))
    with pytest.raises(ValueError, match="'region' is 'jilin'"):
        enrolment.load_outlet(call(records, outlet_id="JL-KD-0001", region="jilin"))
    with pytest.raises(ValueError, match="no outlet 'JL-NONE'"):
        enrolment.load_outlet(call(records, outlet_id="JL-NONE"))


def test_an_outlet_out_of_scope_is_recorded_with_its_reason():
    records = world()
    out = enrolment.record_out_of_scope(call(records, outlet_id="JL-KD-0001",
                                             eligibility={"eligible": False, "reason": "使用劳务派遣用工"}))
    assert out == {"out_of_scope_reason": "使用劳务派遣用工"}
    assert records.enrolment_for("JL-KD-0001").reason == "使用劳务派遣用工"
    assert records.get_outlet("JL-KD-0001").status == "out_of_scope"


@pytest.mark.parametrize("eligibility, message", [
    ({"eligible": True, "reason": ""}, "says the outlet is eligible"),
    ({"eligible": False, "reason": ""}, "has no reason"),
    ("no", "must be a decision result"),
])
def test_record_out_of_scope_needs_an_ineligible_outlet_and_a_reason(eligibility, message):
    with pytest.raises(ValueError, match=message):
        enrolment.record_out_of_scope(call(world(), outlet_id="JL-KD-0001", eligibility=eligibility))


def test_a_refused_application_is_not_registered():
    with pytest.raises(ValueError, match="'approved' is false"):
        enrolment.register_enrolment(call(world(), outlet_id="JL-KD-0001", approved=False, registration_no="x",
                                          employer_id="JL-KD-0001", employer_kind="outlet"))


def test_reminders_are_counted_and_escalation_hands_the_outlet_to_the_postal_bureau():
    records = world()
    first = enrolment.send_enrolment_reminder(call(records, outlet_id="JL-KD-0001"))
    again = enrolment.send_enrolment_reminder(call(records, outlet_id="JL-KD-0001", **first))
    assert again == {"reminded_on": "2022-06-15", "reminders_sent": 2}
    assert enrolment.escalate_to_postal(call(records, outlet_id="JL-KD-0001")) == {"escalated_on": "2022-06-15"}
    assert records.get_outlet("JL-KD-0001").status == "escalated"


def test_roster_filing_insures_couriers_from_their_start_once_filed():
    records = world()
    roster = [{"courier_id": "C-1", "name": "张伟", "id_number": "ID-1", "start_date": "2022-06-01"},
              {"courier_id": "C-5", "name": "赵敏", "id_number": "ID-5", "start_date": "2022-06-10"}]
    out = enrolment.file_roster(call(records, outlet_id="JL-KD-0001", roster_json=roster))
    assert out == {"filed_courier_ids": ["C-1", "C-5"], "roster_filed_on": "2022-06-15", "roster_headcount": 2}
    assert records.get_courier("C-5").name == "赵敏"
    assert not records.on_roster("C-1", "JL-KD-0001", date(2022, 6, 10))  # working, but not on the filed roster
    assert records.on_roster("C-1", "JL-KD-0001", date(2022, 6, 15))
    again = enrolment.file_roster(call(records, outlet_id="JL-KD-0001", roster_json=roster))
    assert again["filed_courier_ids"] == [] and len(records.roster) == 2


@pytest.mark.parametrize("roster, message", [
    ([{"courier_id": "C-1", "name": "张伟", "id_number": "ID-1", "start_date": "1 June"}], "entry 0: .*YYYY-MM-DD"),
    ([{"courier_id": "C-1", "name": "张伟", "start_date": "2022-06-01"}], "entry 0: variable 'id_number' is missing"),
    ([], "must be a non-empty JSON list"),
    ("[{", "is not valid JSON"),
])
def test_roster_errors_name_the_entry_and_the_field(roster, message):
    with pytest.raises(ValueError, match=message):
        enrolment.file_roster(call(world(), outlet_id="JL-KD-0001", roster_json=roster))


def test_publishing_the_insurance_status_dates_it():
    records = world()
    insured(records, "JL-KD-0001", [], date(2022, 3, 1))
    out = enrolment.publish_insurance_status(call(records, outlet_id="JL-KD-0001"))
    assert out == {"status_published_on": "2022-06-15", "insurance_status": "enrolled"}
    assert records.get_outlet("JL-KD-0001").status_published_on == date(2022, 6, 15)


def join(**extra):
    return dict(outlet_id="JL-KD-0001", courier_id="C-3", courier_name="李娜", id_number="ID-3", change="join",
                settings=SETTINGS, **extra)


def test_a_join_filed_more_than_30_days_after_it_is_flagged_late():
    # Joined 2022-05-01, filed 2022-06-15: 45 days, 15 beyond the 30 allowed (社会保险法 Art. 58).
    out = enrolment.check_personnel_change(call(world(), **join(change_date="2022-05-01")))
    assert out == {"filed_late": True, "late_days": 15, "on_roster": False}
    assert not enrolment.check_personnel_change(call(world(), **join(change_date="2022-05-16")))["filed_late"]


def test_personnel_changes_open_and_end_roster_periods():
    records = world()
    assert enrolment.apply_personnel_change(call(records, **join(change_date="2022-06-01"))) == {
        "applied_on": "2022-06-15"}
    assert records.on_roster("C-3", "JL-KD-0001", date(2022, 6, 15))
    with pytest.raises(ValueError, match="already on the roster"):
        enrolment.check_personnel_change(call(records, **join(change_date="2022-06-10")))
    leave = dict(outlet_id="JL-KD-0001", courier_id="C-3", change="leave", change_date="2022-06-20")
    assert enrolment.check_personnel_change(call(records, **leave))["on_roster"] is True
    enrolment.apply_personnel_change(call(records, **leave))
    assert not records.on_roster("C-3", "JL-KD-0001", date(2022, 6, 20))
    with pytest.raises(ValueError, match="not on the roster"):
        enrolment.check_personnel_change(call(records, **leave))
    with pytest.raises(ValueError, match="not on the roster"):
        enrolment.apply_personnel_change(call(records, **leave))


def test_a_missing_or_malformed_setting_is_named():
    variables = join(change_date="2022-05-01")
    variables["settings"] = {k: v for k, v in SETTINGS.items() if k != "roster_filing_days"}
    with pytest.raises(ValueError, match="setting 'roster_filing_days' in variable 'settings' is missing"):
        enrolment.check_personnel_change(call(world(), **variables))
    variables["settings"] = SETTINGS | {"roster_filing_days": "P30D"}
    with pytest.raises(ValueError, match="setting 'roster_filing_days' in variable 'settings' must be a whole number"):
        enrolment.check_personnel_change(call(world(), **variables))
