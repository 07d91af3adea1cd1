"""The dashboards' figures: coverage, claims by stage, overdue tasks per agency, days per stage, contributions; each
caller sees the regions they belong to."""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from app.services import dashboard_stats
from app.services.context import SYSTEM
from app.services.errors import NotFound
from tests.integration.test_case_tracker import actor, pack, today  # noqa: F401 - fixtures
from tests.integration.test_jilin_rules import decide_work_injury, file_claim, insured
from tests.jilin_flow import start


def test_coverage_counts_the_outlets_of_the_region_by_status(pack, today):  # noqa: F811
    board = dashboard_stats.dashboard(pack, SYSTEM)
    assert [(c.region, c.counts) for c in board.coverage] == [("changchun", {"listed": 4})]
    start(pack, "monthly_outlet_list", "list", region="changchun", month=f"{today:%Y-%m}",
          outlets_json=json.dumps(["JL-KD-0001", "JL-BA-0002", "JL-KD-0003", "JL-KD-0004"]))
    board = dashboard_stats.dashboard(pack, SYSTEM, "changchun")
    assert board.coverage[0].counts == {"applying": 2, "out_of_scope": 2}
    assert (board.enrolled, board.in_scope, board.coverage_pct) == (0, 2, 0.0)
    assert board.region.name == "长春市"


def test_claims_by_stage_overdue_tasks_and_days_per_stage(pack, today):  # noqa: F811
    file_claim(pack, "GS-1", today, today)
    file_claim(pack, "GS-2", today, today)
    decide_work_injury(pack, "GS-2")
    file_claim(pack, "GS-3", today - timedelta(days=400), today)  # refused: filed after a year
    board = dashboard_stats.dashboard(pack, SYSTEM)
    assert board.open_claims == {"injury_determination": 1, "disability_appraisal": 1, "benefit_payment": 0}
    assert board.closed_claims == {"refused": 1}
    assert (board.overdue, board.overdue_total) == ([], 0)
    assert board.days_per_stage["injury_determination"][1] == 1  # GS-2's determination is over
    late = dashboard_stats.dashboard(pack, SYSTEM, today=today + timedelta(days=16))  # 受理审核 was due in 15 days
    assert late.overdue == [("changchun-hrss", "长春市人社局", 1)] and late.overdue_total == 1


def test_contributions_collected_per_month(pack, today):  # noqa: F811
    insured(pack, "JL-KD-0001", ("C-0001", "C-0002"), today)
    [month] = dashboard_stats.dashboard(pack, SYSTEM).contributions
    assert (month.period, month.outlets, month.assessed, month.collected, month.late_fees) == (
        f"{today:%Y-%m}", 1, Decimal("51.08"), Decimal("51.08"), Decimal("0.00"))  # 6384.83 × 2 × 0.4 %


def test_a_region_manager_sees_their_region_and_the_province_sees_every_region(pack, today):  # noqa: F811
    changchun, jilin = actor(pack, "changchun.manager"), actor(pack, "jilin.manager")
    assert [r.id for r in dashboard_stats.regions_for(pack, changchun)] == ["changchun"]
    assert dashboard_stats.dashboard(pack, changchun).coverage[0].total == 4
    assert dashboard_stats.dashboard(pack, jilin).coverage == []  # changchun's outlets are not jilin's
    with pytest.raises(NotFound):
        dashboard_stats.dashboard(pack, changchun, "jilin")
    provincial = dashboard_stats.regions_for(pack, actor(pack, "manager"))
    assert len(provincial) == 10 and "jl" not in {r.id for r in provincial}
    assert len(dashboard_stats.regions_for(pack, actor(pack, "jl.admin"))) == 10
