"""The Jilin pack's rules (E1–E4, C1–C3, I1–I3, A1–A2, B1–B3 of shared/domain/BRIEF.md), each driven through the
services with the worked figures written out. The figures come from workflows/*.dmn: pack_settings (late fee
0.0005/day, filing 30/365 days, decision 15/60 days, re-appraisal 15 days, base wage 60–300 %, roster 30 days),
contribution_rate (class 2 grade 3 = 0.004), province_average_wage and regional_average_wage (6384.83 for every
year from 2021, placeholders), benefit_grades, care_allowance, leaving_lump_sums. Money rounds half up to the fen.
"Today" is the pack's date (Asia/Shanghai), the day every handler of these commands records."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import COMPLETED, Job, ProcessInstance
from app.services import instances, messages, tasks
from app.services.context import SYSTEM, Actor
from app.services.jilin_records import today_in_jilin
from app.services.persistence import load_variables
from app.services.task_queries import TaskQuery
from tests.jilin_flow import deploy_pack, groups, local_day, records, start, task, typed, variable, work

COURIERS = {"C-0001": "张伟", "C-0002": "王芳", "C-0003": "李娜", "C-0004": "刘洋", "C-0005": "陈静", "C-0006": "杨磊"}
AVERAGE = "6384.83"  # regional_average_wage, changchun, wage year = accident year − 1 (≥ 2021: placeholder figure)


@pytest.fixture
def pack(kb):
    return deploy_pack(kb)


@pytest.fixture
def today():
    return today_in_jilin()


def id_number(courier_id: str) -> str:
    return f"22010219900101{int(courier_id[2:]):03d}X"  # the demo's made-up identity numbers


def enrol(kb, outlet_id: str, couriers: tuple[str, ...], today: date) -> None:
    """The outlet is found eligible, applies, is registered today and files `couriers` from the 1st of the month."""
    start(kb, "outlet_enrolment", outlet_id, outlet_id=outlet_id, region="changchun")
    work(kb, outlet_id, "提交参保申请")
    work(kb, outlet_id, "审核参保登记", approved=True, registration_no=f"220102-{outlet_id[-4:]}")
    roster = [{"courier_id": c, "name": COURIERS[c], "id_number": id_number(c), "start_date": f"{today:%Y-%m}-01"}
              for c in couriers]
    work(kb, outlet_id, "报送花名册", roster_json=json.dumps(roster, ensure_ascii=False))


def assess_premium(kb, outlet_id: str, period: str, last_year_wages: str = "") -> str:
    """Start the period's contribution and have the SSB confirm the assessment; the instance id."""
    key = f"{outlet_id}-{period}"
    started = start(kb, "contribution", key, outlet_id=outlet_id, region="changchun", period=period,
                    wages_usable=bool(last_year_wages), last_year_wages=last_year_wages)
    work(kb, key, "核定缴费", premium_confirmed=True)
    return started


def insured(kb, outlet_id: str, couriers: tuple[str, ...], today: date) -> None:
    """Enrolled with `couriers` on the roster and this month's premium paid on time (the fund pays, B1)."""
    enrol(kb, outlet_id, couriers, today)
    assess_premium(kb, outlet_id, f"{today:%Y-%m}")
    premium = variable(kb, task(kb, f"{outlet_id}-{today:%Y-%m}", "征收保费").process_instance_id, "premium")
    work(kb, f"{outlet_id}-{today:%Y-%m}", "征收保费", paid_on=today.isoformat(), amount_paid=premium)


def file_claim(kb, claim_no: str, accident: date, filed: date, applicant: str = "employer",
               courier: str = "C-0001", outlet: str = "JL-KD-0001") -> str:
    return start(kb, "injury_claim", claim_no, claim_no=claim_no, courier_id=courier, outlet_id=outlet,
                 region="changchun", accident_date=accident.isoformat(), filed_on=filed.isoformat(),
                 applicant_kind=applicant, description="派件途中发生交通事故")


def decide_work_injury(kb, claim_no: str) -> None:
    work(kb, claim_no, "受理审核", materials_complete=True, missing_materials="", clear_case=True)
    work(kb, claim_no, "调查核实", findings="属实", conclusion_pending=False)
    work(kb, claim_no, "作出认定决定", decision="work_injury", decision_reason="工作时间内因工作原因受到事故伤害",
         disability_remains=True)


def appraised(kb, claim_no: str, grade: str, self_care: str = "none") -> None:
    """The city committee grades the courier and nobody asks for a re-appraisal."""
    work(kb, claim_no, "受理鉴定申请")
    work(kb, claim_no, "专家鉴定", grade=grade, self_care=self_care, extended=False)
    work(kb, claim_no, "是否申请再次鉴定", request_reappraisal=False)


def benefits(kb, claim_no: str, wage: str) -> dict:
    """The SSB confirms the base wage; the benefit_payment instance's variables as 审批待遇 shows them."""
    work(kb, claim_no, "核定本人工资", average_contribution_wage=wage)
    instance_id = task(kb, claim_no, "审批待遇").process_instance_id
    return kb.read(lambda s: {k: v.value for k, v in load_variables(s, instance_id).items()})


def injured(kb, claim_no: str, today: date, grade: str, self_care: str = "none", wage: str = "5000",
            courier: str = "C-0001", outlet: str = "JL-KD-0001") -> dict:
    """An accident today, reported by the employer today, decided a work injury, graded; the computed benefits."""
    file_claim(kb, claim_no, today, today, courier=courier, outlet=outlet)
    decide_work_injury(kb, claim_no)
    appraised(kb, claim_no, grade, self_care)
    return benefits(kb, claim_no, wage)


def items(values: list[dict]) -> dict[str, tuple[str, str]]:
    return {i["item"]: (i["amount"], i["when"]) for i in values}


def ended(kb, instance_id: str) -> dict:
    """The variables an ended instance left (the service only reads running ones)."""
    assert instances.get_any_instance(kb, SYSTEM, instance_id).state == COMPLETED
    return kb.read(lambda s: {k: v.value for k, v in load_variables(s, instance_id).items()})


def open_tasks(kb, business_key: str) -> list[str]:
    return sorted(t.name for t in tasks.list_tasks(kb, SYSTEM, TaskQuery(process_instance_business_key=business_key)))


def correlate(kb, name: str, business_key: str, **values) -> None:
    messages.correlate(kb, SYSTEM, messages.MessageCommand(name, business_key=business_key,
                                                           variables={k: typed(v) for k, v in values.items()}))


# Enrolment ----------------------------------------------------------------------------------------------------------

def test_each_out_of_scope_reason_is_recorded_and_told_to_the_outlet(pack, today):
    """E1: not flexible, labour dispatch, insured before the notice end with the reason (吉人社联〔2022〕17号)."""
    not_flexible = {"id": "JL-KD-0009", "name": "长春市宽城区固定用工网点", "kind": "licensed",
                    "has_employer_status": True, "flexible_staffing": False, "uses_labour_dispatch": False,
                    "insured_before_notice": False}
    start(pack, "monthly_outlet_list", "list", region="changchun", month=f"{today:%Y-%m}",
          outlets_json=json.dumps([not_flexible, "JL-KD-0003", "JL-KD-0004"], ensure_ascii=False))
    reasons = {  # eligibility.dmn, hit policy FIRST
        "JL-KD-0009": "该网点用工不属于灵活、流动性强的情形，应依法为职工参加全部社会保险，不适用工伤保险优先参保政策。",
        "JL-KD-0003": "该网点使用劳务派遣用工，应由劳务派遣单位依法为被派遣劳动者参加工伤保险。",
        "JL-KD-0004": "该网点在本实施方案印发前已按规定参加工伤保险，继续按原规定参保缴费，不再重复登记。"}
    found = records(pack, lambda r: {o: (r.enrolment_for(o), r.get_outlet(o).status) for o in reasons})
    for outlet_id, reason in reasons.items():
        enrolment, status = found[outlet_id]
        assert (enrolment.status, enrolment.reason, enrolment.employer_id, status) == (
            "out_of_scope", reason, None, "out_of_scope")
        assert groups(pack, outlet_id, "告知不予纳入原因") == {f"outlet-{outlet_id}"}
        assert open_tasks(pack, outlet_id) == ["告知不予纳入原因"]  # no application is opened
    told = task(pack, "JL-KD-0003", "告知不予纳入原因").process_instance_id
    work(pack, "JL-KD-0003", "告知不予纳入原因", out_of_scope_acknowledged=True)
    assert ended(pack, told)["out_of_scope_reason"] == reasons["JL-KD-0003"]


def test_an_eligible_licensed_outlet_registers_itself_as_employer_of_record(pack, today):
    """E1/E2: a licensed outlet with employer status applies and is the employer (吉人社联〔2022〕17号 三)."""
    start(pack, "outlet_enrolment", "JL-KD-0001", outlet_id="JL-KD-0001", region="changchun")
    assert groups(pack, "JL-KD-0001", "提交参保申请") == {"outlet-JL-KD-0001"}
    work(pack, "JL-KD-0001", "提交参保申请")
    assert groups(pack, "JL-KD-0001", "审核参保登记") == {"changchun-ssb"}
    work(pack, "JL-KD-0001", "审核参保登记", approved=True, registration_no="220102-0001")
    assert groups(pack, "JL-KD-0001", "报送花名册") == {"outlet-JL-KD-0001"}
    enrolment = records(pack, lambda r: r.enrolment_for("JL-KD-0001"))
    assert (enrolment.status, enrolment.employer_kind, enrolment.employer_id, enrolment.registered_on) == (
        "enrolled", "outlet", "JL-KD-0001", today)


def test_a_filed_terminal_outlet_is_registered_by_its_parent_enterprise(pack, today):
    """E2: a filed terminal without employer status is registered by its licensed parent, the employer of record."""
    start(pack, "outlet_enrolment", "JL-BA-0002", outlet_id="JL-BA-0002", region="changchun")
    assert groups(pack, "JL-BA-0002", "提交参保申请") == {"enterprise-ENT-0001"}
    work(pack, "JL-BA-0002", "提交参保申请")
    work(pack, "JL-BA-0002", "审核参保登记", approved=True, registration_no="220102-0002")
    assert groups(pack, "JL-BA-0002", "报送花名册") == {"enterprise-ENT-0001"}
    enrolment = records(pack, lambda r: r.enrolment_for("JL-BA-0002"))
    assert (enrolment.employer_kind, enrolment.employer_id, enrolment.registration_no) == (
        "enterprise", "ENT-0001", "220102-0002")


def test_an_outlet_listed_again_before_it_registers_is_not_enrolled_twice(pack, today):
    """E3: next month's list still names an outlet that has not registered; it keeps one application (17号 七(一))."""
    for month in ("2025-01", "2025-02"):
        start(pack, "monthly_outlet_list", month, region="changchun", month=month, outlets_json='["JL-KD-0001"]')
    assert open_tasks(pack, "JL-KD-0001") == ["提交参保申请"]


def test_personnel_changes_filed_in_time_or_late_and_a_leave_change_the_insured_headcount(pack, today):
    """E4: a join is filed within 30 days or flagged late; a leave ends the roster period (社会保险法 Art. 58)."""
    enrol(pack, "JL-KD-0001", ("C-0001",), today)
    def headcount() -> int:
        return records(pack, lambda r: r.insured_headcount("JL-KD-0001", today))

    assert headcount() == 1
    for courier, change, days_ago, late_days, expected in (
            ("C-0004", "join", 10, 0, 2),    # 10 days ≤ 30: in time
            ("C-0005", "join", 40, 10, 3),   # 40 − 30 = 10 days late, still filed (roster from the join date)
            ("C-0001", "leave", 0, 0, 2)):   # leaves today: today is the first day off the roster
        change_date = (today - timedelta(days=days_ago)).isoformat()
        key = f"JL-KD-0001-{courier}-{change_date}"
        changed = start(pack, "personnel_change", key, outlet_id="JL-KD-0001", region="changchun", courier_id=courier,
                        courier_name=COURIERS[courier], id_number=id_number(courier), change=change,
                        change_date=change_date)
        assert (variable(pack, changed, "filed_late"), variable(pack, changed, "late_days")) == (late_days > 0,
                                                                                                 late_days)
        assert groups(pack, key, "人员变动备案") == {"changchun-ssb"}
        work(pack, key, "人员变动备案", filing_accepted=True)
        assert headcount() == expected
    assert records(pack, lambda r: r.open_roster_period("C-0001", "JL-KD-0001")) is None
    assert records(pack, lambda r: r.open_roster_period("C-0005", "JL-KD-0001").start_date) == today - timedelta(40)


# Contribution -------------------------------------------------------------------------------------------------------

def test_a_premium_on_the_province_average_wage_counts_the_insured_couriers(pack, today):
    """C1/C2: province monthly average wage × insured headcount × rate of class 2 grade 3 (吉人社联〔2022〕17号 四)."""
    enrol(pack, "JL-KD-0001", ("C-0001", "C-0002"), today)
    assessed = assess_premium(pack, "JL-KD-0001", f"{today:%Y-%m}")
    assert variable(pack, assessed, "rate_table") == {"base_rate": "0.004", "multiplier": "1.0", "rate": "0.004"}
    # 6384.83 × 2 couriers × 0.004 = 51.07864 → 51.08, due on the period's last day
    assert variable(pack, assessed, "premium") == "51.08"
    assert (variable(pack, assessed, "base_kind"), variable(pack, assessed, "insured_headcount")) == ("average_wage", 2)
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert variable(pack, assessed, "due_date") == (next_month - timedelta(days=1)).isoformat()


def test_a_premium_on_last_years_wages_uses_the_rate_of_the_outlets_class_and_grade(pack, today):
    """C1/C2: last year's wages ÷ 12 × the contribution_rate row of class 3 grade 4 (人社部发〔2015〕71号)."""
    listed = {"id": "JL-KD-0011", "name": "长春市净月区快递网点", "kind": "licensed", "has_employer_status": True,
              "flexible_staffing": True, "uses_labour_dispatch": False, "insured_before_notice": False,
              "industry_class": 3, "floating_grade": 4}
    start(pack, "monthly_outlet_list", "list", region="changchun", month=f"{today:%Y-%m}",
          outlets_json=json.dumps([listed], ensure_ascii=False))
    assessed = assess_premium(pack, "JL-KD-0011", f"{today:%Y-%m}", last_year_wages="456,789.00")
    # class 3 base 0.7 % × grade 4 120 % = 0.0084; 456789.00 ÷ 12 = 38065.75; × 0.0084 = 319.7523 → 319.75
    assert variable(pack, assessed, "rate_table") == {"base_rate": "0.007", "multiplier": "1.2", "rate": "0.0084"}
    assert (variable(pack, assessed, "premium"), variable(pack, assessed, "base_kind")) == ("319.75", "wages")
    assert variable(pack, assessed, "premium_calc")["formula"] == "last_year_wages ÷ 12 × rate"


@pytest.mark.parametrize("amount_paid, status", [("155.31", "paid"), ("152.26", "arrears")])
def test_a_late_payment_owes_the_daily_late_fee(pack, amount_paid, status):
    """C3: 0.05 % of the premium per day late; paid only when premium + late fee is paid (社会保险法 Art. 86)."""
    assess_premium(pack, "JL-KD-0001", "2024-01", last_year_wages="456789")
    # 456789 ÷ 12 = 38065.75 × 0.004 = 152.263 → 152.26, due 2024-01-31; paid 2024-03-11 = 29 + 11 = 40 days late
    work(pack, "JL-KD-0001-2024-01", "征收保费", paid_on="2024-03-11", amount_paid=amount_paid)
    period = records(pack, lambda r: r.contribution_for("JL-KD-0001", "2024-01"))
    # late fee = 152.26 × 0.0005 × 40 = 3.0452 → 3.05; 152.26 + 3.05 = 155.31 settles it
    assert (str(period.premium), str(period.late_fee), period.paid_on, period.status) == (
        "152.26", "3.05", date(2024, 3, 11), status)
    assert records(pack, lambda r: r.premium_paid_for("JL-KD-0001", date(2024, 1, 15))) is (status == "paid")


# Injury determination -----------------------------------------------------------------------------------------------

def test_an_employer_filing_after_30_days_is_accepted_and_flagged_late(pack, today):
    """I1: the employer's late filing is accepted; it bears the late period's costs (工伤保险条例 Art. 17)."""
    claimed = file_claim(pack, "GS-0001", today - timedelta(days=45), today)
    # 45 days after the accident − 30 = 15 late days
    assert (variable(pack, claimed, "late_employer"), variable(pack, claimed, "late_days")) == (True, 15)
    assert groups(pack, "GS-0001", "受理审核") == {"changchun-hrss"}
    assert records(pack, lambda r: r.get_claim("GS-0001").late_employer) is True


@pytest.mark.parametrize("applicant", ["courier", "relative"])
def test_a_personal_filing_after_one_year_is_refused_with_the_reason(pack, today, applicant):
    """I1: a courier or relative filing more than 365 days after the accident is refused (工伤保险条例 Art. 17)."""
    claimed = file_claim(pack, "GS-0002", today - timedelta(days=400), today, applicant=applicant)
    assert open_tasks(pack, "GS-0002") == []
    closed = ended(pack, claimed)
    assert closed["filing_refused"] is True and closed["closed_on"] == today.isoformat()
    assert "已400日，超过365日的工伤认定申请时限" in closed["refusal_reason"]
    assert records(pack, lambda r: r.get_claim("GS-0002").status) == "refused"


@pytest.mark.parametrize("applicant, days", [("employer", 30), ("courier", 365), ("union", 200)])
def test_filings_within_the_limits_are_accepted_on_time(pack, today, applicant, days):
    """I1: the employer within 30 days, others within 1 year: accepted, nothing late (工伤保险条例 Art. 17)."""
    claimed = file_claim(pack, "GS-0003", today - timedelta(days=days), today, applicant=applicant)
    assert (variable(pack, claimed, "filing_refused"), variable(pack, claimed, "late_days")) == (False, 0)
    assert open_tasks(pack, "GS-0003") == ["受理审核"]


def test_a_claim_number_in_use_cannot_be_filed_again(pack, today):
    """I1: a claim number names one claim (jl_claim.claim_no unique); a second filing must not reset it."""
    file_claim(pack, "GS-0017", today, today)
    decide_work_injury(pack, "GS-0017")
    file_claim(pack, "GS-0017", today, today, courier="C-0002")  # its filing check runs as a job, and fails
    [failed] = pack.read(lambda s: [j for j in s.scalars(select(Job)) if j.exception_message])
    assert "already exists" in failed.exception_message
    claim = records(pack, lambda r: r.get_claim("GS-0017"))
    assert (claim.courier_id, claim.status, claim.decision) == ("C-0001", "decided", "work_injury")


def test_incomplete_materials_are_requested_once_and_the_claim_waits_for_the_supplement(pack, today):
    """I2: all missing materials are asked for once, in writing; acceptance follows the supplement (认定办法 Art. 8)."""
    claimed = file_claim(pack, "GS-0004", today, today)
    work(pack, "GS-0004", "受理审核", materials_complete=False, missing_materials="医疗诊断证明；劳动关系证明",
         clear_case=False)
    assert (variable(pack, claimed, "missing_materials"), variable(pack, claimed, "materials_requested_on")) == (
        "医疗诊断证明；劳动关系证明", today.isoformat())
    assert records(pack, lambda r: r.get_claim("GS-0004").status) == "materials_requested"
    assert open_tasks(pack, "GS-0004") == []  # waiting for materials_supplemented
    correlate(pack, "materials_supplemented", "GS-0004")
    assert groups(pack, "GS-0004", "补正后受理") == {"changchun-hrss"}
    work(pack, "GS-0004", "补正后受理", supplement_checked=True, clear_case=False)
    assert variable(pack, claimed, "accepted_on") == today.isoformat()
    assert open_tasks(pack, "GS-0004") == ["调查核实"]


@pytest.mark.parametrize("clear_case, days", [(True, 15), (False, 60)])
def test_the_decision_is_due_15_days_after_acceptance_for_a_clear_case_else_60(pack, today, clear_case, days):
    """I2: decide within 60 days of acceptance, 15 for a clear case (工伤保险条例 Art. 20)."""
    claimed = file_claim(pack, "GS-0005", today, today)
    work(pack, "GS-0005", "受理审核", materials_complete=True, missing_materials="", clear_case=clear_case)
    due = today + timedelta(days=days)
    assert variable(pack, claimed, "decision_due") == due.isoformat()
    assert task(pack, "GS-0005", "调查核实").due.date() == due


def test_a_pending_conclusion_stops_the_decision_clock(pack, today):
    """I2: the time limit stops while a court or arbitration conclusion is pending (工伤保险条例 Art. 20)."""
    claimed = file_claim(pack, "GS-0006", today, today)
    work(pack, "GS-0006", "受理审核", materials_complete=True, missing_materials="", clear_case=False)
    work(pack, "GS-0006", "调查核实", findings="须待交通事故责任认定", conclusion_pending=True, paused_on=today.isoformat())
    assert open_tasks(pack, "GS-0006") == []  # waiting for conclusion_received
    correlate(pack, "conclusion_received", "GS-0006", resumed_on=(today + timedelta(days=12)).isoformat())
    # due today + 60, stopped 12 days → today + 72
    due = today + timedelta(days=72)
    assert (variable(pack, claimed, "paused_days"), variable(pack, claimed, "decision_due")) == (12, due.isoformat())
    assert task(pack, "GS-0006", "作出认定决定").due.date() == due


def test_a_decision_not_work_injury_closes_the_claim_with_its_reason_and_calls_nothing(pack, today):
    """I3: not a work injury (Art. 16 exclusions) closes the claim; no appraisal or benefits (工伤保险条例 Art. 16)."""
    claimed = file_claim(pack, "GS-0007", today, today)
    work(pack, "GS-0007", "受理审核", materials_complete=True, missing_materials="", clear_case=True)
    work(pack, "GS-0007", "调查核实", findings="醉酒驾驶", conclusion_pending=False)
    work(pack, "GS-0007", "作出认定决定", decision="not_work_injury", decision_reason="醉酒导致伤亡（第十六条第二项）",
         disability_remains=True)
    closed = ended(pack, claimed)
    assert (closed["decision_reason"], closed["work_injury"], closed["closed_on"]) == (
        "醉酒导致伤亡（第十六条第二项）", False, today.isoformat())
    claim = records(pack, lambda r: r.get_claim("GS-0007"))
    assert (claim.status, claim.decision, claim.grade, claim.payer) == ("closed", "not_work_injury", None, None)
    keys = pack.read(lambda s: list(s.scalars(select(ProcessInstance.definition_key).where(
        ProcessInstance.business_key == "GS-0007"))))
    assert keys == ["injury_claim"]


# Disability appraisal -----------------------------------------------------------------------------------------------

def test_an_appraisal_grade_gives_its_one_off_grant(pack, today):
    """A1/B3: the city committee grades within 60 days; grade 9 grant = 9 months of base wage (条例 Arts. 23, 37)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    file_claim(pack, "GS-0008", today, today)
    decide_work_injury(pack, "GS-0008")
    assert groups(pack, "GS-0008", "受理鉴定申请") == {"changchun-appraisal"}
    work(pack, "GS-0008", "受理鉴定申请")
    assert local_day(task(pack, "GS-0008", "专家鉴定").due) == today + timedelta(days=60)
    work(pack, "GS-0008", "专家鉴定", grade="9", self_care="none", extended=False)
    assert task(pack, "GS-0008", "是否申请再次鉴定").due.date() == today + timedelta(days=15)  # re-appraisal window
    work(pack, "GS-0008", "是否申请再次鉴定", request_reappraisal=False)
    # grade 9: 9 months × 4000.00 = 36000.00 (fund, once)
    assert benefits(pack, "GS-0008", "4000")["one_off_grant"] == "36000.00"


def test_a_reappraisal_goes_to_the_province_and_its_grade_is_the_one_paid(pack, today):
    """A2: re-appraisal by the provincial committee is final; its grade 5 is paid, not the city's 7 (条例 Art. 26)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    file_claim(pack, "GS-0009", today, today)
    decide_work_injury(pack, "GS-0009")
    work(pack, "GS-0009", "受理鉴定申请")
    work(pack, "GS-0009", "专家鉴定", grade="7", self_care="none", extended=False)
    assert groups(pack, "GS-0009", "是否申请再次鉴定") == {"outlet-JL-KD-0001"}
    work(pack, "GS-0009", "是否申请再次鉴定", request_reappraisal=True)
    assert groups(pack, "GS-0009", "省级再次鉴定") == {"jl-appraisal"}
    work(pack, "GS-0009", "省级再次鉴定", grade="5", self_care="partly")
    assert open_tasks(pack, "GS-0009") == ["核定本人工资"]  # final: no further re-appraisal
    computed = benefits(pack, "GS-0009", "5000")
    # grade 5: 18 × 5000.00 = 90000.00; care (partly 30 %) 30 % × 6384.83 = 1915.449 → 1915.45
    assert (computed["grade"], computed["one_off_grant"], computed["care_allowance_amount"]) == (
        "5", "90000.00", "1915.45")
    assert records(pack, lambda r: (r.get_claim("GS-0009").grade, r.get_claim("GS-0009").self_care)) == ("5", "partly")


# Benefit payment ----------------------------------------------------------------------------------------------------

def test_a_courier_not_on_the_filed_roster_is_paid_for_by_the_employer(pack, today):
    """B1: a courier the outlet never filed is not insured; the employer pays every item (工伤保险条例 Art. 62)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    computed = injured(pack, "GS-0010", today, "7", courier="C-0006")
    assert (computed["payer"], computed["on_roster"]) == ("employer", False)
    assert "快递员不在已报送的花名册上" in computed["payer_reason"] and "第六十二条" in computed["payer_reason"]
    assert "未参保登记" not in computed["payer_reason"] and "未缴纳" not in computed["payer_reason"]
    # grade 7: 13 × 5000.00; lump sums 13 × 6384.83 and 24 × 6384.83 — all the employer's
    assert computed["fund_items"] == []
    assert items(computed["employer_items"]) == {
        "一次性伤残补助金": ("65000.00", "once"),
        "一次性工伤医疗补助金（终止或解除劳动关系时）": ("83002.79", "on_leaving"),
        "一次性伤残就业补助金（终止或解除劳动关系时）": ("153235.92", "on_leaving")}
    work(pack, "GS-0010", "审批待遇", benefits_approved=True)
    assert groups(pack, "GS-0010", "支付用人单位承担项目") == {"outlet-JL-KD-0001"}
    work(pack, "GS-0010", "支付用人单位承担项目", employer_paid_on=today.isoformat(), employer_amount_paid="65000")
    claim = records(pack, lambda r: r.get_claim("GS-0010"))
    assert (claim.status, claim.payer, claim.amounts["employer_paid_total"]) == ("paid", "employer", "65000.00")


@pytest.mark.parametrize("setup, gap", [("never_enrolled", "网点未参保登记"), ("premium_unpaid", "的工伤保险费未缴纳")])
def test_an_uninsured_employer_pays_every_item(pack, today, setup, gap):
    """B1: an outlet never enrolled, or unpaid for the accident's month, pays every item (工伤保险条例 Art. 62)."""
    if setup == "premium_unpaid":
        enrol(pack, "JL-KD-0001", ("C-0001",), today)
        assess_premium(pack, "JL-KD-0001", f"{today:%Y-%m}")  # assessed, the tax bureau has collected nothing
        gap = f"{today:%Y-%m}{gap}"
    computed = injured(pack, "GS-0011", today, "9")
    assert computed["payer"] == "employer" and gap in computed["payer_reason"]
    # grade 9: 9 × 5000.00; lump sums 7 × 6384.83 = 44693.81 and 12 × 6384.83 = 76617.96
    assert computed["fund_items"] == []
    assert [i["amount"] for i in computed["employer_items"]] == ["45000.00", "44693.81", "76617.96"]
    work(pack, "GS-0011", "审批待遇", benefits_approved=True)
    assert groups(pack, "GS-0011", "支付用人单位承担项目") == {"outlet-JL-KD-0001"}


def test_employer_borne_items_go_to_the_employers_queue_when_the_fund_pays(pack, today):
    """B1/B3: grade 6 allowance and the employment lump sum are the employer's (工伤保险条例 Arts. 36, 37)."""
    insured(pack, "JL-BA-0002", ("C-0002",), today)
    computed = injured(pack, "GS-0012", today, "6", courier="C-0002", outlet="JL-BA-0002")
    assert computed["payer"] == "fund"
    # grade 6: grant 16 × 5000.00 = 80000.00; medical 16 × 6384.83 = 102157.28 (fund)
    assert items(computed["fund_items"]) == {
        "一次性伤残补助金": ("80000.00", "once"),
        "一次性工伤医疗补助金（终止或解除劳动关系时）": ("102157.28", "on_leaving")}
    # allowance 60 % × 5000.00 = 3000.00 a month; employment 30 × 6384.83 = 191544.90 (employer)
    assert items(computed["employer_items"]) == {
        "伤残津贴（按月）": ("3000.00", "monthly"),
        "一次性伤残就业补助金（终止或解除劳动关系时）": ("191544.90", "on_leaving")}
    work(pack, "GS-0012", "审批待遇", benefits_approved=True)
    assert groups(pack, "GS-0012", "支付用人单位承担项目") == {"enterprise-ENT-0001"}
    claim = records(pack, lambda r: r.get_claim("GS-0012"))
    assert (claim.status, claim.amounts["fund_paid_total"]) == ("fund_paid", "80000.00")  # once items only


def test_the_base_wage_is_clamped_to_60_and_300_percent_of_the_regional_average(pack, today):
    """B2: own wage clamped to 60 %–300 % of the regional monthly average 6384.83 (工伤保险条例 Art. 64)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    file_claim(pack, "GS-0013", today, today)
    decide_work_injury(pack, "GS-0013")
    appraised(pack, "GS-0013", "10")
    # floor 6384.83 × 60 % = 3830.898 → 3830.90; ceiling 6384.83 × 300 % = 19154.49; grade 10 grant = 7 × base
    for wage, base, grant in (("3000", "3830.90", "26816.30"), ("25000", "19154.49", "134081.43"),
                              ("5000", "5000.00", "35000.00")):
        computed = benefits(pack, "GS-0013", wage)
        assert (computed["average_wage"], computed["base_wage"], computed["one_off_grant"]) == (AVERAGE, base, grant)
        work(pack, "GS-0013", "审批待遇", benefits_approved=False)  # back to 核定本人工资 for the next wage


def test_grades_5_to_10_show_the_lump_sums_on_leaving(pack, today):
    """B3: grade 8 lump sums from leaving_lump_sums × the regional average (工伤保险条例 Art. 37)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    computed = injured(pack, "GS-0014", today, "8")
    # medical 10 × 6384.83 = 63848.30 (fund), employment 18 × 6384.83 = 114926.94 (employer); grant 11 × 5000
    assert (computed["medical_lump_sum"], computed["employment_lump_sum"]) == ("63848.30", "114926.94")
    assert (computed["one_off_grant"], computed["monthly_allowance"]) == ("55000.00", "0.00")
    assert items(computed["employer_items"]) == {
        "一次性伤残就业补助金（终止或解除劳动关系时）": ("114926.94", "on_leaving")}


def test_grades_1_to_4_get_the_funds_monthly_allowance(pack, today):
    """B3: grade 2 allowance 85 % of base wage and care 40 % of the average, both from the fund (条例 Arts. 34, 35)."""
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    computed = injured(pack, "GS-0015", today, "2", self_care="mostly")
    # grant 25 × 5000.00 = 125000.00; allowance 85 % × 5000.00 = 4250.00; care 40 % × 6384.83 = 2553.932 → 2553.93
    assert (computed["monthly_allowance"], computed["monthly_allowance_payer"]) == ("4250.00", "fund")
    assert items(computed["fund_items"]) == {
        "一次性伤残补助金": ("125000.00", "once"), "伤残津贴（按月）": ("4250.00", "monthly"),
        "生活护理费（按月）": ("2553.93", "monthly")}
    assert computed["employer_items"] == [] and computed["medical_lump_sum"] == "0.00"
    work(pack, "GS-0015", "审批待遇", benefits_approved=True)
    claim = records(pack, lambda r: r.get_claim("GS-0015"))
    assert (claim.status, claim.amounts["fund_paid_total"]) == ("paid", "125000.00")
    assert open_tasks(pack, "GS-0015") == []


# Visibility ---------------------------------------------------------------------------------------------------------

def test_a_changchun_case_is_seen_only_by_changchuns_own_agency(pack, today):
    """Each case worker sees only their own agency's queue in their own region (BRIEF: actors)."""
    file_claim(pack, "GS-0016", today, today)
    def visible(*groups: str, tenants: frozenset[str] | None = None) -> list[str]:
        regions = frozenset(g.split("-")[0] for g in groups) if tenants is None else tenants
        return [t.name for t in tasks.list_tasks(pack, Actor("someone", frozenset(groups), tenants=regions),
                                                 TaskQuery())]

    assert visible("changchun-hrss") == ["受理审核"]
    assert visible("changchun-hrss", tenants=frozenset({"jilin"})) == []  # the group alone is not enough
    assert visible("jilin-hrss") == []      # same agency, another region
    assert visible("changchun-ssb") == []   # same region, another agency
    assert visible("jilin-hrss", "changchun-postal", "jl-appraisal") == []
