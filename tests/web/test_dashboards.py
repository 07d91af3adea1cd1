"""Dashboards: a region's manager sees their region's charts, the provincial administrator the province's and can
switch to a region; every chart draws (Chart.js from /vendor) without a console error."""
from __future__ import annotations

import json

from app.services.jilin_records import today_in_jilin
from tests.integration.test_jilin_rules import decide_work_injury, file_claim, insured
from tests.jilin_flow import start

CHARTS = ("coverage", "claims", "days", "contributions")


def some_work(kb) -> None:
    """Outlets listed and enrolled, a premium paid, claims at two stages."""
    today = today_in_jilin()
    insured(kb, "JL-KD-0001", ("C-0001",), today)
    start(kb, "monthly_outlet_list", "list", region="changchun", month=f"{today:%Y-%m}",
          outlets_json=json.dumps(["JL-BA-0002", "JL-KD-0003", "JL-KD-0004"]))
    file_claim(kb, "GS-D-1", today, today)
    file_claim(kb, "GS-D-2", today, today)
    decide_work_injury(kb, "GS-D-2")


def drawn(page, chart: str) -> bool:
    """Chart.js has drawn into the canvas (it registers the chart on it)."""
    return page.evaluate(f"!!window.Chart.getChart(document.getElementById('chart-{chart}'))")


def test_a_region_manager_sees_the_charts_of_their_region(visit, kb):
    some_work(kb)
    page = visit.login("changchun.manager", next_path="/dashboards")
    visit.go("/dashboards", shoot="region")
    assert page.locator("h1 + p").inner_text() == "长春市"
    assert page.locator("#region").count() == 0  # one region: no switcher
    for chart in CHARTS:
        assert drawn(page, chart), chart
    assert page.locator("#card-overdue .empty").inner_text() == "暂无超期任务。"
    page.click("#card-claims summary")
    rows = page.locator("#card-claims tbody tr")
    assert rows.nth(0).inner_text().split("\t") == ["工伤认定", "1"]
    assert rows.nth(1).inner_text().split("\t") == ["劳动能力鉴定", "1"]
    visit.shoot("region-numbers")


def test_the_provincial_administrator_sees_the_province_and_switches_to_a_region(visit, kb):
    some_work(kb)
    page = visit.login("jl.admin", next_path="/dashboards")
    visit.go("/dashboards", shoot="province")
    assert page.locator("h1 + p").inner_text() == "全省"
    for chart in CHARTS:
        assert drawn(page, chart), chart
    page.select_option("#region", "changchun")
    page.wait_for_url("**/dashboards?region=changchun")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1 + p").inner_text() == "长春市"
    assert drawn(page, "coverage")
    visit.shoot("province-changchun")


def test_case_workers_have_no_dashboards(visit, kb):
    page = visit.login("changchun.hrss")
    assert page.locator(".mainnav a[href='/dashboards']").count() == 0
    visit.expect_console_error("403")
    visit.go("/dashboards", shoot="forbidden")
    assert page.locator("h1").inner_text() == "无权访问"
