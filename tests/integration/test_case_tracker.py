"""The claim tracker's service: the stage a case is in, its holder and deadlines, and who may find it at all."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.demo import create_demo_identities
from app.models import Membership
from app.services import case_tracker
from app.services import history_queries as instances
from app.services.case_stages import AT_RISK_DAYS
from app.services.context import SYSTEM
from app.services.errors import NotFound
from app.services.identity import actor_for, tenants_of
from app.services.instances import StartCommand, start
from app.services.jilin_records import today_in_jilin
from app.services.monthly_progress import monthly_progress
from tests.integration.test_jilin_rules import appraised, decide_work_injury, file_claim, insured, work
from tests.jilin_flow import deploy_pack, typed


@pytest.fixture
def pack(kb):
    deploy_pack(kb)
    create_demo_identities(kb)  # the regional managers' read grants (the runtime tables, grants included, are emptied)
    return kb


@pytest.fixture
def today():
    return today_in_jilin()


def actor(kb, user_id: str):
    """The demo user as the session would see them (groups and tenants from the directory)."""
    def load(s):
        groups = frozenset(s.scalars(select(Membership.group_id).where(Membership.user_id == user_id)))
        return actor_for(kb, user_id, groups, tenants_of(s, user_id, groups))
    return kb.read(load)


def states(case) -> dict[str, str]:
    return {stage.code: stage.state for stage in case.stages}


def test_the_current_stage_follows_the_claim_through_its_called_processes(pack, today):
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    file_claim(pack, "GS-1", today, today)
    case = case_tracker.claim_case(pack, SYSTEM, "GS-1")
    assert case.current_stage == "injury_determination"
    assert states(case) == {"enrolment": "done", "contribution": "done", "injury_determination": "current",
                            "disability_appraisal": "todo", "benefit_payment": "todo"}
    assert [(h.task_name, [a.name for a in h.agencies]) for h in case.holders] == [("受理审核", ["长春市人社局"])]

    decide_work_injury(pack, "GS-1")
    case = case_tracker.claim_case(pack, SYSTEM, "GS-1")
    assert case.current_stage == "disability_appraisal"
    assert states(case)["injury_determination"] == "done"
    assert case.holders[0].agencies[0].name == "长春市劳动能力鉴定委员会"
    assert case.diagram_definition_id.startswith("disability_appraisal:")
    assert case.highlight == ["accept_application"]

    appraised(pack, "GS-1", "7")
    case = case_tracker.claim_case(pack, SYSTEM, "GS-1")
    assert case.current_stage == "benefit_payment" and case.facts["grade"] == "7"
    work(pack, "GS-1", "核定本人工资", average_contribution_wage="5000")
    work(pack, "GS-1", "审批待遇", benefits_approved=True)
    case = case_tracker.claim_case(pack, SYSTEM, "GS-1")  # grade 7: the employer pays 一次性伤残就业补助金
    assert [(h.task_name, h.agencies[0].id) for h in case.holders] == [("支付用人单位承担项目", "outlet-JL-KD-0001")]
    work(pack, "GS-1", "支付用人单位承担项目", employer_paid_on=today.isoformat(), employer_amount_paid="0")
    case = case_tracker.claim_case(pack, SYSTEM, "GS-1")
    assert (case.current_stage, case.outcome) == (None, "paid")
    assert states(case)["benefit_payment"] == "done" and not case.holders
    assert case.facts["amounts"]["one_off_grant"] == "65000.00"
    assert {"提出工伤认定申请", "受理审核", "专家鉴定", "审批待遇"} <= {h.name for h in case.timeline}


def test_an_uninsured_outlets_stages_are_flagged_and_a_refused_claim_ends_where_it_stopped(pack, today):
    file_claim(pack, "GS-2", today - timedelta(days=400), today)  # filed after a year: refused (I1)
    case = case_tracker.claim_case(pack, SYSTEM, "GS-2")
    assert case.outcome == "refused"
    assert [(s.code, s.state, s.note) for s in case.stages] == [
        ("enrolment", "warn", "not_enrolled"), ("contribution", "warn", "not_assessed"),
        ("injury_determination", "ended", "refused"), ("disability_appraisal", "todo", None),
        ("benefit_payment", "todo", None)]
    assert case.highlight == ["end_refused"]
    file_claim(pack, "GS-3", today, today)
    hits = case_tracker.search(pack, SYSTEM, "GS-")  # a closed and an open claim among the hits
    assert sorted((h.key, h.stage, h.status) for h in hits) == [
        ("GS-2", "injury_determination", "refused"), ("GS-3", "injury_determination", "open")]


def test_deadlines_turn_at_risk_then_overdue_by_jilin_calendar_day(pack, today):
    file_claim(pack, "GS-3", today, today)
    due = case_tracker.claim_case(pack, SYSTEM, "GS-3").deadlines[0].due
    assert due >= today + timedelta(days=14)  # 受理审核: 15 days (pack_settings.acceptance_days)
    for day, status in ((due - timedelta(days=AT_RISK_DAYS + 1), "ok"), (due - timedelta(days=AT_RISK_DAYS), "at_risk"),
                        (due, "at_risk"), (due + timedelta(days=1), "overdue")):
        [deadline] = case_tracker.claim_case(pack, SYSTEM, "GS-3", today=day).deadlines
        assert (deadline.label, deadline.status) == ("受理审核", status)
    work(pack, "GS-3", "受理审核", materials_complete=True, missing_materials="", clear_case=False)
    [deadline] = case_tracker.claim_case(pack, SYSTEM, "GS-3").deadlines  # decision_due is 调查核实's due date
    assert (deadline.label, deadline.days_left) == ("调查核实", 60)


def test_a_case_is_found_only_by_those_involved_in_it(pack, today):
    file_claim(pack, "GS-4", today, today)
    for user in ("changchun.hrss", "outlet.jl-kd-0001", "changchun.manager", "jl.admin"):
        who = actor(pack, user)
        assert [h.key for h in case_tracker.search(pack, who, "GS-4")] == ["GS-4"], user
        assert case_tracker.claim_case(pack, who, "GS-4").key == "GS-4"
    for user in ("jilin.hrss", "outlet.jl-ba-0002", "changchun.tax", "jilin.manager"):
        who = actor(pack, user)
        assert case_tracker.search(pack, who, "GS-4") == [], user
        with pytest.raises(NotFound):
            case_tracker.claim_case(pack, who, "GS-4")


def test_search_by_courier_and_outlet(pack, today):
    file_claim(pack, "GS-5", today, today, courier="C-0002")
    assert [h.key for h in case_tracker.search(pack, SYSTEM, "王芳")] == ["GS-5"]
    assert [h.key for h in case_tracker.search(pack, SYSTEM, "c-0002")] == ["GS-5"]
    hits = case_tracker.search(pack, actor(pack, "outlet.jl-kd-0001"), "JL-KD-0001")
    assert [(h.kind, h.key) for h in hits] == [("claim", "GS-5")]  # no enrolment case yet: the outlet is no hit
    hits = case_tracker.search(pack, actor(pack, "changchun.hrss"), "")
    assert hits == []


def test_an_outlet_case_shows_enrolment_then_contribution(pack, today):
    insured(pack, "JL-KD-0001", ("C-0001",), today)
    case = case_tracker.outlet_case(pack, actor(pack, "outlet.jl-kd-0001"), "JL-KD-0001")
    assert states(case)["enrolment"] == "done" and states(case)["contribution"] == "done"
    assert case.facts["periods"][0].status == "paid"
    with pytest.raises(NotFound):
        case_tracker.outlet_case(pack, actor(pack, "outlet.jl-ba-0002"), "JL-KD-0001")


def test_a_monthly_list_counts_outlets_as_their_enrolments_reach_their_first_task(pack, today):
    from app.jobs.executor import JobExecutor
    postal = actor(pack, "changchun.postal")
    run_jobs, pack.after_command = pack.after_command, None  # the job workers are slow today
    try:
        listed = start(pack, postal, StartCommand(key="monthly_outlet_list", business_key="list", variables={
            "region": typed("changchun"), "month": typed(f"{today:%Y-%m}"),
            "outlets_json": typed(json.dumps(["JL-KD-0001", "JL-KD-0003"]))})).instance.id
        progress = monthly_progress(pack, postal, listed)
        assert (progress.total, progress.processed, progress.done) == (None, 0, False)  # not registered yet
        JobExecutor(pack).run_due(max_jobs=1)  # jilin.register_outlet_list: two enrolments start
        progress = monthly_progress(pack, postal, listed)
        assert (progress.total, progress.processed, progress.done) == (2, 0, False)
        JobExecutor(pack).run_due()
        progress = monthly_progress(pack, postal, listed)
        assert (progress.total, progress.processed, progress.done) == (2, 2, True)
        assert {o.outlet_id: o.open_tasks for o in progress.outlets} == {"JL-KD-0001": ("提交参保申请",),
                                                                         "JL-KD-0003": ("告知不予纳入原因",)}
    finally:
        pack.after_command = run_jobs
    with pytest.raises(NotFound):
        monthly_progress(pack, actor(pack, "jilin.postal"), listed)
    assert [i.id for i in case_tracker.recent_monthly_lists(pack, postal)] == [listed]


def test_outlets_on_one_monthly_list_do_not_see_each_others_enrolment(pack, today):
    listed = {"region": typed("changchun"), "month": typed(f"{today:%Y-%m}"),
              "outlets_json": typed(json.dumps(["JL-KD-0001", "JL-KD-0003"]))}
    start(pack, actor(pack, "changchun.postal"), StartCommand(key="monthly_outlet_list", business_key="list",
                                                              variables=listed))
    own = actor(pack, "outlet.jl-kd-0001")
    assert [(h.kind, h.key) for h in case_tracker.search(pack, own, "JL-KD-0001")] == [("outlet", "JL-KD-0001")]
    assert case_tracker.search(pack, own, "JL-KD-0003") == []  # same list, another outlet's case
    with pytest.raises(NotFound):
        case_tracker.outlet_case(pack, own, "JL-KD-0003")
    assert case_tracker.outlet_case(pack, own, "JL-KD-0001").monthly_list_id is None  # the list is the bureau's
    assert case_tracker.recent_monthly_lists(pack, own) == []
    # the rule itself (every list and count of the API uses it): its own enrolment, not its neighbour's
    seen = instances.list_historic_instances(pack, own, instances.HistoricInstanceQuery(
        process_definition_key="outlet_enrolment"))
    assert [i["business_key"] for i in seen] == ["JL-KD-0001"]
    for user in ("changchun.postal", "changchun.manager"):
        assert {h.key for h in case_tracker.search(pack, actor(pack, user), "JL-KD-000")} == {"JL-KD-0001",
                                                                                            "JL-KD-0003"}, user
