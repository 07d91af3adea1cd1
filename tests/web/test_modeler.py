"""The Modeler in a real browser: bpmn-js and dmn-js from /vendor, direct editing of a task's name, deploying a
new version that the Cockpit then shows, parse errors drawn on the element they concern, and new diagrams."""
from __future__ import annotations

RENAMED = "受理审核（已改名）"


def open_from_list(visit, list_id: str, key: str):
    page = visit.page
    visit.go("/modeler")
    page.click(f'#{list_id} a[data-key="{key}"]')
    page.wait_for_selector('#modeler[data-ready="true"]', state="attached")
    page.wait_for_load_state("networkidle")
    return page


def rename_by_double_click(page, element_id: str, name: str) -> None:
    """Direct editing as a person does it: double-click the shape, replace the text, click elsewhere."""
    page.locator(f'#canvas .djs-element[data-element-id="{element_id}"]').first.dblclick()
    editor = page.locator(".djs-direct-editing-parent")
    editor.wait_for(state="visible")
    page.keyboard.press("Control+A")
    page.keyboard.type(name)
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 12)  # an empty corner of the canvas
    editor.wait_for(state="hidden")


def test_a_manager_renames_a_task_deploys_it_and_sees_version_2_in_the_cockpit(visit):
    visit.login("manager", next_path="/cockpit")
    page = visit.page
    page.click(".mainnav a[href='/modeler']")
    page.wait_for_load_state("networkidle")
    visit.shoot("modeler-list")
    page = open_from_list(visit, "process-list", "injury_claim")
    visit.shoot("injury-claim-opened")

    rename_by_double_click(page, "review_claim", RENAMED)
    assert page.evaluate("KB.modeler.get('elementRegistry').get('review_claim').businessObject.name") == RENAMED
    page.locator('#canvas .djs-element[data-element-id="review_claim"]').first.click()
    assert page.locator('#properties input[data-field="name"]').input_value() == RENAMED
    page.click("#deploy")
    page.wait_for_selector("#deployed-link")
    assert "第 2 版" in page.locator("#deploy-result").inner_text()
    assert "/modeler/bpmn/injury_claim:2:" in page.url
    visit.shoot("deployed-version-2")

    page.click("#deployed-link")
    page.wait_for_load_state("networkidle")
    assert page.locator("#shown-version").inner_text() == "v2"
    page.wait_for_selector(f'.diagram .djs-element[data-element-id="review_claim"] text:has-text("{RENAMED}")')
    visit.shoot("cockpit-version-2")
    visit.go("/cockpit")
    assert page.locator('tr[data-key="injury_claim"] .latest-version').inner_text() == "v2"
    # the camunda: attributes and extension elements survived the round trip through bpmn-js
    xml = page.evaluate("""async () => (await KB.api('GET', '/engine-rest/process-definition/key/injury_claim/xml'))
                           .bpmn20Xml""")
    assert RENAMED in xml and 'camunda:candidateGroups="${region}-hrss"' in xml
    assert 'camunda:property name="readerGroups"' in xml and "camunda:formField" in xml


def test_a_diagram_the_engine_refuses_shows_the_error_on_its_element(visit):
    visit.login("manager", next_path="/modeler")
    page = open_from_list(visit, "process-list", "injury_claim")
    page.locator('#canvas .djs-element[data-element-id="review_claim"]').first.click()
    field = page.locator('#properties input[data-field="camunda:candidateGroups"]')
    assert field.input_value() == "${region}-hrss"
    field.fill("${region +}")
    field.press("Tab")
    visit.expect_console_error("400")
    page.click("#deploy")
    page.wait_for_selector("#deploy-errors:not([hidden])")
    assert "review_claim" in page.locator("#deploy-errors li").first.inner_text()
    assert page.locator('#canvas .djs-element.has-error[data-element-id="review_claim"]').count() == 1
    page.wait_for_selector(".djs-overlay .element-error")
    assert "candidateGroups" in page.locator(".djs-overlay .element-error").first.inner_text()
    visit.shoot("refused-with-error-on-element")
    visit.go("/cockpit")
    assert page.locator('tr[data-key="injury_claim"] .latest-version').inner_text() == "v1"


def test_a_decision_table_opens_in_dmn_js_and_deploys_as_a_new_version(visit):
    visit.login("manager", next_path="/modeler")
    page = open_from_list(visit, "decision-list", "eligibility")
    page.wait_for_selector("#canvas .tjs-table")
    assert page.locator("#views .view-tab.active").inner_text().startswith("优先参保资格")
    visit.shoot("decision-table")
    page.click("#deploy")
    page.wait_for_selector("#deployed-link")
    assert "第 2 版" in page.locator("#deploy-result").inner_text()
    visit.shoot("decision-deployed")


def test_a_new_bpmn_diagram_is_deployed_under_the_id_and_name_given(visit):
    visit.login("manager", next_path="/modeler")
    visit.go("/modeler")
    page = visit.page
    page.click("#new-bpmn")
    page.wait_for_selector('#modeler[data-ready="true"]', state="attached")
    visit.shoot("new-diagram")
    page.click("#deploy")
    assert page.locator("#deploy-result").inner_text()  # asked for an id and a name first
    page.fill("#new-key", "courier_survey")
    page.fill("#new-name", "快递员回访")
    page.click("#deploy")
    page.wait_for_selector("#deployed-link")
    assert "第 1 版" in page.locator("#deploy-result").inner_text()
    page.click("#deployed-link")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().startswith("快递员回访")


def test_a_new_decision_table_is_deployed_from_its_template(visit):
    visit.login("manager", next_path="/modeler")
    visit.go("/modeler/new/dmn")
    page = visit.page
    page.wait_for_selector('#modeler[data-ready="true"]', state="attached")
    page.wait_for_selector("#canvas .tjs-table")
    page.fill("#new-key", "survey_rule")
    page.fill("#new-name", "回访规则")
    page.click("#deploy")
    page.wait_for_selector("#deployed-link")
    visit.shoot("new-decision-deployed")
    visit.go("/cockpit")
    assert page.locator('tr[data-key="survey_rule"]').count() == 1


def test_a_region_manager_may_open_but_not_deploy(visit):
    visit.login("changchun.manager", next_path="/modeler")
    page = open_from_list(visit, "process-list", "injury_claim")
    assert page.locator("#deploy").is_disabled()
    assert page.locator("#read-only").is_visible()
    visit.shoot("read-only")
