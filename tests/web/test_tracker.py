"""Claim tracker pages: find a claim by its number and see its stage, holder and deadlines; only the agencies and the
outlet involved find it; an outlet's case; a monthly outlet list's progress."""
from __future__ import annotations

import json

from app.services.instances import StartCommand, start
from app.services.jilin_records import today_in_jilin
from tests.integration.test_case_tracker import actor
from tests.integration.test_jilin_rules import file_claim
from tests.jilin_flow import typed

CLAIM_NO = "GS-WEB-0001"


def test_a_case_worker_finds_a_claim_by_number_and_sees_its_stage(visit, kb):
    today = today_in_jilin()
    file_claim(kb, CLAIM_NO, today, today)
    page = visit.login("changchun.hrss", next_path="/tracker")
    visit.go("/tracker", shoot="search")
    page.fill("input[name=q]", CLAIM_NO)
    page.click("form.tracker-search button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"tr[data-claim='{CLAIM_NO}']").count() == 1
    visit.shoot("results")

    page.click(f"a[href='/tracker/{CLAIM_NO}']")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".diagram .highlight")  # 受理审核, where the case is
    current = page.locator(".stage.current")
    assert current.get_attribute("data-stage") == "injury_determination"
    assert "工伤认定" in current.inner_text()
    # The outlet never enrolled nor paid: its stages are flagged, not "done" (the employer would pay, B1).
    assert page.locator(".stage[data-stage=enrolment]").get_attribute("data-state") == "warn"
    assert "未参保" in page.locator(".stage[data-stage=enrolment]").inner_text()
    assert page.locator(".stage[data-stage=disability_appraisal]").get_attribute("data-state") == "todo"
    assert page.locator("#holders .agency").first.inner_text() == "长春市人社局"
    assert "受理审核" in page.locator("#holders").inner_text()
    badge = page.locator("#deadlines [data-deadline]").first
    assert badge.get_attribute("data-deadline") == "ok" and "按期" in badge.inner_text()
    assert "提出工伤认定申请" in page.locator("#timeline").inner_text()
    visit.shoot("claim")


def test_a_case_worker_of_another_region_finds_nothing(visit, kb):
    today = today_in_jilin()
    file_claim(kb, CLAIM_NO, today, today)
    page = visit.login("jilin.hrss", next_path="/tracker")
    visit.go(f"/tracker?q={CLAIM_NO}", shoot="not-found")
    assert page.locator("#no-results").is_visible()
    visit.expect_console_error("404")
    visit.go(f"/tracker/{CLAIM_NO}", shoot="claim-404")
    assert page.locator("h1").inner_text() == "未找到"


def test_an_outlet_follows_its_own_claim_but_not_another_outlets(visit, kb):
    today = today_in_jilin()
    file_claim(kb, CLAIM_NO, today, today)
    page = visit.login("outlet.jl-kd-0001", next_path="/tracker")
    visit.go(f"/tracker?q={CLAIM_NO}")
    page.click(f"a[href='/tracker/{CLAIM_NO}']")
    page.wait_for_load_state("networkidle")
    assert page.locator(".stage.current").get_attribute("data-stage") == "injury_determination"
    visit.shoot("outlet-claim")
    visit.logout()
    visit.login("outlet.jl-ba-0002", next_path="/tracker")
    visit.go(f"/tracker?q={CLAIM_NO}")
    assert page.locator("#no-results").is_visible()


def test_a_postal_bureau_follows_the_progress_of_its_monthly_list(visit, kb):
    postal = actor(kb, "changchun.postal")
    outlets = ["JL-KD-0001", "JL-BA-0002", "JL-KD-0003", "JL-KD-0004"]
    month = f"{today_in_jilin():%Y-%m}"
    started = start(kb, postal, StartCommand(key="monthly_outlet_list", business_key=f"changchun-{month}", variables={
        "region": typed("changchun"), "month": typed(month), "outlets_json": typed(json.dumps(outlets))}))
    page = visit.login("changchun.postal", next_path="/tracker")
    visit.go("/tracker", shoot="lists")
    page.click(f"a[href='/tracker/monthly/{started.instance.id}']")
    page.wait_for_selector("#monthly[data-done=true]")
    assert "4 / 4" in page.locator("#monthly-progress").inner_text()
    assert page.locator("#monthly-outlets tbody tr").count() == 4
    assert "告知不予纳入原因" in page.locator("tr[data-outlet=JL-KD-0003]").inner_text()
    visit.shoot("monthly")

    page.click("a[href='/tracker/outlet/JL-KD-0003']")
    page.wait_for_load_state("networkidle")
    assert page.locator(".stage.current").get_attribute("data-stage") == "enrolment"
    assert "劳务派遣" in page.locator("#facts").inner_text()  # the reason it is out of scope (E1)
    visit.shoot("outlet")
