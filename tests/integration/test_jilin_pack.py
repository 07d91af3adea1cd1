"""The Jilin pack end to end on SQLite and PostgreSQL: the diagrams in workflows/, the real handlers and SqlRecords
over the demo records. Tasks are found by their names in CONTRACT.md and filled with the contract's form fields;
a required field the contract does not name gets a neutral value (its first option, true, or a dash). When this
fails after a diagram change, compare the diagram with CONTRACT.md first."""
from __future__ import annotations

import json

import pytest

from app.services.jilin_records import today_in_jilin
from tests.jilin_flow import deploy_pack, groups, records, start, variable, work


@pytest.fixture
def pack(kb):
    return deploy_pack(kb)


def test_an_outlet_list_enrols_eligible_outlets_and_records_why_others_are_out_of_scope(pack):
    today = today_in_jilin()
    listed = start(pack, "monthly_outlet_list", f"changchun-{today:%Y-%m}", region="changchun",
                   month=f"{today:%Y-%m}", outlets_json=json.dumps(["JL-KD-0001", "JL-BA-0002", "JL-KD-0003",
                                                                      "JL-KD-0004"]))
    assert variable(pack, listed, "outlet_ids") == ["JL-KD-0001", "JL-BA-0002", "JL-KD-0003", "JL-KD-0004"]
    assert groups(pack, "JL-KD-0003", "告知不予纳入原因") == {"outlet-JL-KD-0003"}
    assert records(pack, lambda r: r.enrolment_for("JL-KD-0003").reason)  # labour dispatch, with its reason
    assert records(pack, lambda r: r.get_outlet("JL-KD-0004").status) == "out_of_scope"
    assert groups(pack, "JL-KD-0001", "提交参保申请") == {"outlet-JL-KD-0001"}
    # E2: the filed terminal's parent enterprise applies and becomes the employer of record.
    assert groups(pack, "JL-BA-0002", "提交参保申请") == {"enterprise-ENT-0001"}
    enrol(pack, today)
    enrolment = records(pack, lambda r: r.enrolment_for("JL-BA-0002"))
    assert (enrolment.status, enrolment.employer_id, enrolment.registered_on) == ("enrolled", "ENT-0001", today)
    assert records(pack, lambda r: r.insured_headcount("JL-BA-0002", today)) == 3


def enrol(kb, today) -> None:
    """JL-BA-0002 applies, is registered and files three couriers from the first of the month."""
    work(kb, "JL-BA-0002", "提交参保申请")
    work(kb, "JL-BA-0002", "审核参保登记", approved=True, registration_no="220102-0002")
    roster = [{"courier_id": c, "name": n, "id_number": f"22010219900101{i:03d}X", "start_date": f"{today:%Y-%m}-01"}
              for i, (c, n) in enumerate((("C-0001", "张伟"), ("C-0002", "王芳"), ("C-0003", "李娜")), start=1)]
    work(kb, "JL-BA-0002", "报送花名册", roster_json=json.dumps(roster, ensure_ascii=False))


def test_an_insured_courier_is_paid_by_the_fund_after_determination_and_appraisal(pack):
    today = today_in_jilin()
    start(pack, "monthly_outlet_list", "list", region="changchun", month=f"{today:%Y-%m}",
          outlets_json=json.dumps(["JL-BA-0002"]))
    enrol(pack, today)
    period_key = f"JL-BA-0002-{today:%Y-%m}"
    assessed = start(pack, "contribution", period_key, outlet_id="JL-BA-0002", region="changchun",
                     period=f"{today:%Y-%m}", wages_usable=False, last_year_wages="")
    assert variable(pack, assessed, "premium") == "76.62"  # 6384.83 × 3 couriers × 0.4 %
    work(pack, period_key, "核定缴费")
    work(pack, period_key, "征收保费", paid_on=today.isoformat(), amount_paid="76.62")
    assert records(pack, lambda r: r.premium_paid_for("JL-BA-0002", today))

    claim = f"GS-{today:%Y}-0001"
    start(pack, "injury_claim", claim, claim_no=claim, courier_id="C-0001", outlet_id="JL-BA-0002",
          region="changchun", accident_date=today.isoformat(), filed_on=today.isoformat(), applicant_kind="employer",
          description="派件途中发生交通事故")
    work(pack, claim, "受理审核", materials_complete=True, missing_materials="", clear_case=False)
    work(pack, claim, "调查核实", findings="属实", conclusion_pending=False)
    work(pack, claim, "作出认定决定", decision="work_injury", decision_reason="工作时间内因工作原因受到事故伤害",
         disability_remains=True)
    work(pack, claim, "受理鉴定申请")
    work(pack, claim, "专家鉴定", grade="7", self_care="none", extended=False)
    assert groups(pack, claim, "是否申请再次鉴定") == {"enterprise-ENT-0001"}
    work(pack, claim, "是否申请再次鉴定", request_reappraisal=False)
    work(pack, claim, "核定本人工资", average_contribution_wage="5000")
    work(pack, claim, "审批待遇")
    if records(pack, lambda r: r.get_claim(claim).amounts["employer_items"]):
        assert groups(pack, claim, "支付用人单位承担项目") == {"enterprise-ENT-0001"}
        work(pack, claim, "支付用人单位承担项目", employer_paid_on=today.isoformat(), employer_amount_paid="0")
    found = records(pack, lambda r: r.get_claim(claim))
    assert (found.status, found.payer, found.grade) == ("paid", "fund", "7")
    assert found.amounts["one_off_grant"] == "65000.00"  # grade 7: 13 months × 5000.00
