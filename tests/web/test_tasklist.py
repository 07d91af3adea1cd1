"""The Tasklist in a browser: a case worker's queue, claiming, a form refused field by field and then completed;
an outlet filing a claim from the Start page; another region's case worker seeing none of it; filters and sorting.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.models import Task
from app.services.jilin_records import today_in_jilin
from tests.integration.test_jilin_rules import file_claim
from tests.jilin_flow import task


@pytest.fixture
def today():
    return today_in_jilin()


def queue_names(page) -> list[str]:
    return page.locator(".tl-table .tl-task-link").all_inner_texts()


def view_count(page, view: str) -> int:
    return int(page.locator(f".tl-views a[data-view={view}] .count").inner_text())


def test_a_case_worker_claims_a_task_is_refused_an_empty_required_field_then_completes_it(visit, kb, today):
    file_claim(kb, "GS-7001", today, today)
    visit.login("changchun.hrss")
    page = visit.go("/tasks", shoot="queue")
    assert view_count(page, "queue") == 1
    assert queue_names(page) == ["受理审核"]
    assert page.locator(".tl-table td.tl-key").inner_text() == "GS-7001"

    page.click(".tl-table .tl-task-link")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".diagram .djs-container")
    assert page.locator("h1#tl-task-name").inner_text() == "受理审核"
    assert page.locator("#tl-claim-first").is_visible()
    assert page.locator("#f-materials_complete").is_disabled()
    assert page.locator(".diagram .highlight[data-element-id=review_claim]").count() == 1
    visit.shoot("task-before-claim")

    page.click("#tl-claim")
    page.wait_for_load_state("networkidle")
    assert "您已认领该任务" in page.locator(".flash").inner_text()
    assert page.locator("#tl-assignee").inner_text() == "changchun.hrss"
    assert view_count(page, "queue") == 0 and view_count(page, "mine") == 1
    visit.shoot("task-claimed")

    page.select_option("#f-clear_case", "true")  # materials_complete (required) is left unanswered
    page.fill("#f-missing_materials", "无")
    page.click("#tl-complete")
    page.wait_for_load_state("networkidle")
    field = page.locator(".tl-field[data-field=materials_complete]")
    assert field.locator(".field-error").inner_text() == "此项为必填项。"
    assert page.locator("#tl-form-error").is_visible()
    assert page.locator("#f-clear_case").input_value() == "true"  # what was typed is kept
    assert page.locator("#f-missing_materials").input_value() == "无"
    visit.shoot("form-refused")

    page.select_option("#f-materials_complete", "true")
    page.click("#tl-complete")
    page.wait_for_load_state("networkidle")
    assert "已办结“受理审核”" in page.locator(".flash").inner_text()
    assert page.locator("h1#tl-task-name").inner_text() == "调查核实"  # the case's next task, in my queue
    visit.shoot("next-task")

    page = visit.go("/tasks", shoot="queue-after")
    assert queue_names(page) == ["调查核实"]
    assert view_count(page, "queue") == 1 and view_count(page, "mine") == 0


def test_an_outlet_files_a_claim_from_the_start_page_and_the_agency_gets_it(visit, kb, today):
    visit.login("outlet.jl-kd-0001")
    page = visit.go("/tasks/start", shoot="start")
    page.click(".tl-process[data-key=injury_claim]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#f-region").input_value() == "changchun"  # prefilled from the login
    assert page.locator("#f-outlet_id").input_value() == "JL-KD-0001"
    assert page.locator("#f-filed_on").input_value() == today.isoformat()
    visit.shoot("start-form")

    page.fill("#f-claim_no", "GS-7101")
    page.fill("#f-courier_id", "C-0001")
    page.fill("#f-accident_date", today.isoformat())
    page.select_option("#f-applicant_kind", "employer")
    page.click("#tl-start")  # the account of the accident is missing
    page.wait_for_load_state("networkidle")
    assert page.locator(".tl-field[data-field=description] .field-error").inner_text() == "此项为必填项。"
    assert page.locator("#f-claim_no").input_value() == "GS-7101"
    visit.shoot("start-refused")

    page.fill("#f-description", "派件途中发生交通事故")
    page.click("#tl-start")
    page.wait_for_load_state("networkidle")
    assert page.locator("#tl-business-key").inner_text() == "GS-7101"
    visit.shoot("started")

    visit.logout()
    visit.login("changchun.hrss")
    page = visit.go("/tasks")
    assert queue_names(page) == ["受理审核"]
    assert page.locator(".tl-table td.tl-key").inner_text() == "GS-7101"


def test_a_case_worker_of_another_region_sees_nothing_of_a_changchun_case(visit, kb, today):
    file_claim(kb, "GS-7201", today, today)
    hidden = task(kb, "GS-7201", "受理审核").id
    visit.login("jilin.hrss")
    page = visit.go("/tasks?view=all", shoot="other-region")
    assert [view_count(page, v) for v in ("queue", "mine", "all")] == [0, 0, 0]
    assert page.locator(".tl-empty").is_visible()
    visit.expect_console_error("404")  # the task page answers as for a task that does not exist
    page = visit.go(f"/tasks/{hidden}", shoot="other-region-task")
    assert page.locator("h1").inner_text() == "未找到"
    assert "GS-7201" not in page.content()


def test_filters_and_sorting_narrow_and_order_the_queue(visit, kb, today):
    file_claim(kb, "GS-7301", today, today)
    file_claim(kb, "GS-7302", today, today)
    late = task(kb, "GS-7302", "受理审核")
    with kb.store.transaction() as s:  # its acceptance period ran out yesterday
        s.execute(update(Task).where(Task.id == late.id).values(due=late.due - timedelta(days=16)))
    visit.login("changchun.hrss")

    page = visit.go("/tasks?sort=due", shoot="sorted-by-due")
    assert page.locator(".tl-table td.tl-key").all_inner_texts() == ["GS-7302", "GS-7301"]
    assert page.locator(".tl-table tr[data-task='%s'] .badge.danger" % late.id).count() == 1
    page.click("th a:has-text('到期日')")  # the column header turns the order round
    page.wait_for_load_state("networkidle")
    assert page.locator(".tl-table td.tl-key").all_inner_texts() == ["GS-7301", "GS-7302"]

    page.select_option("select[name=due]", "overdue")  # a choice applies at once
    page.wait_for_url(lambda url: "due=overdue" in url)
    page.wait_for_load_state("networkidle")
    assert page.locator(".tl-table td.tl-key").all_inner_texts() == ["GS-7302"]
    assert page.locator("#tl-total").inner_text().startswith("共 1 项任务")
    visit.shoot("filtered-overdue")

    page = visit.go("/tasks?key=7301")
    assert page.locator(".tl-table td.tl-key").all_inner_texts() == ["GS-7301"]
    page = visit.go("/tasks?stage=enrolment", shoot="filtered-stage")
    assert page.locator(".tl-table").count() == 0 and page.locator(".tl-empty").is_visible()
    page = visit.go("/tasks?stage=injury_determination&process=injury_claim")
    assert view_count(page, "queue") == 2 and page.locator(".tl-table tbody tr").count() == 2
