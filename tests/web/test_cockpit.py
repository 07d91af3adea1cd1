"""The Cockpit in a real browser: definitions with counts on the diagram, an instance's page (a variable edited,
the instance cancelled), and failed external tasks retried in a batch with a progress bar."""
from __future__ import annotations

from datetime import date

from app.services import deployments, external_tasks, instances
from app.services.context import SYSTEM
from app.services.external_fetch import FetchCommand, FetchTopic
from tests import diagrams
from tests.integration.test_jilin_rules import file_claim
from tests.jilin_flow import variable


def failed_probes(kb, count: int) -> list[str]:
    """Instances of a one-step diagram whose external task failed out of retries (an incident each)."""
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(
        resources={"probe.bpmn": diagrams.service_process("probe", "probe")}, name="probe"))
    ids = [instances.start(kb, SYSTEM, instances.StartCommand(key="probe", business_key=f"PROBE-{n}")).instance.id
           for n in range(1, count + 1)]
    for view in external_tasks.fetch_and_lock(kb, SYSTEM, FetchCommand(
            worker_id="w", max_tasks=count, topics=[FetchTopic("probe", lock_duration=60_000)])):
        external_tasks.failure(kb, SYSTEM, view.task.id, "w", "登记系统无响应", "timeout", 0, 0)
    return ids


def test_a_definition_shows_running_instances_and_incidents_on_its_activities(kb, visit):
    today = date.today()
    for claim in ("CK-1", "CK-2"):
        file_claim(kb, claim, today, today)
    failed_probes(kb, 1)
    visit.login("manager", next_path="/cockpit")
    page = visit.go("/cockpit", shoot="start-page")
    assert page.locator('tr[data-key="injury_claim"] .count').inner_text() == "2"
    page.click('tr[data-key="injury_claim"] a.strong')
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".diagram .diagram-badge")
    badge = page.locator('.djs-overlays[data-container-id="review_claim"] .diagram-badge').first
    assert badge.inner_text() == "2"
    assert page.locator('#activities tr[data-activity="review_claim"] td.num').first.inner_text() == "2"
    visit.shoot("definition-with-badges")
    page.fill("#instances input[name=business_key]", "CK-2")
    page.click("#instances button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#instances tbody tr").count() == 1

    visit.go("/cockpit")
    page.click('tr[data-key="probe"] a.strong')
    page.wait_for_selector('.djs-overlays[data-container-id="call"] .diagram-badge.incident')
    visit.shoot("definition-with-incident")


def test_a_manager_edits_a_variable_and_cancels_the_instance(kb, visit):
    today = date.today()
    instance_id = file_claim(kb, "CK-3", today, today)
    visit.login("manager", next_path="/cockpit")
    page = visit.go("/cockpit/instances", shoot="instance-list")
    page.click("#instance-list a:has-text('CK-3')")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".diagram .highlight")  # the activity it waits at
    visit.shoot("instance-page")

    row = page.locator('tr[data-variable="description"]')
    row.locator("summary").click()
    row.locator("input[name=value]").fill("夜间派件途中摔伤")
    visit.shoot("editing-a-variable")
    row.locator(".edit-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash.success").is_visible()
    assert page.locator('tr[data-variable="description"] .value-text').inner_text() == "夜间派件途中摔伤"
    assert variable(kb, instance_id, "description") == "夜间派件途中摔伤"
    assert "夜间派件途中摔伤" in page.locator("#audit").inner_text()  # the operation log has the change

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("details.popover summary")
    page.fill("input[name=reason]", "重复申请")
    page.click("#cancel-instance")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1 .badge.danger").inner_text() == "已撤销"
    visit.shoot("instance-cancelled")


def test_failed_external_tasks_are_retried_in_a_batch_with_progress(kb, visit):
    failed_probes(kb, 3)
    file_claim(kb, "CK-4", date.today(), date.today())  # its overdue timer is a job
    visit.login("manager", next_path="/cockpit")
    page = visit.go("/cockpit/incidents", shoot="incidents")
    assert page.locator("#incident-total").inner_text() == "3"
    page.check("[data-select-all]")
    page.click("[data-retry-selected]")
    page.wait_for_selector("[data-progress] .refresh")
    assert "3" in page.locator("[data-progress] .progress-label").inner_text()
    assert page.locator("tr.retried").count() == 3
    visit.shoot("incidents-retried")
    page.click("[data-progress] .refresh")
    page.wait_for_load_state("networkidle")
    assert page.locator("#incident-list").count() == 0
    page = visit.go("/cockpit/jobs?state=all", shoot="jobs")
    assert "CK-4" in page.locator("#job-list").inner_text()
