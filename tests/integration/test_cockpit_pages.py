"""The Cockpit's pages through the Flask test client: what they list, what their forms change, and who may see
them. The browser tests (tests/web/test_cockpit.py) show the same pages drawn; these check the details fast."""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from app.services import deployments, external_tasks, instances
from app.services.context import SYSTEM
from app.services.external_fetch import FetchCommand, FetchTopic
from tests import diagrams
from tests.integration.test_jilin_rules import file_claim
from tests.jilin_flow import deploy_pack, variable


@pytest.fixture
def pack(kb):
    return deploy_pack(kb)


def login(client, user: str) -> str:
    r = client.post("/login", json={"username": user, "password": "demo"})
    assert r.status_code == 200, r.json
    return r.json["csrfToken"]


def page(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def flashed(html: str) -> list[str]:
    return re.findall(r'<div class="flash (\w+)" role="status">([^<]*)</div>', html)


def failed_probe(kb) -> str:
    """An instance of a one-step diagram whose external task failed out of retries; its id."""
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(
        resources={"probe.bpmn": diagrams.service_process("probe", "probe")}, name="probe"))
    instance_id = instances.start(kb, SYSTEM, instances.StartCommand(key="probe", business_key="PROBE-1")).instance.id
    [view] = external_tasks.fetch_and_lock(kb, SYSTEM, FetchCommand(
        worker_id="w", max_tasks=1, topics=[FetchTopic("probe", lock_duration=60_000)]))
    external_tasks.failure(kb, SYSTEM, view.task.id, "w", "the registry did not answer", "details", 0, 0)
    return instance_id


def test_the_start_page_lists_every_process_with_versions_and_the_decision_tables(pack, client):
    file_claim(pack, "CP-1", date.today(), date.today())
    login(client, "manager")
    html = page(client, "/cockpit")
    assert "工伤认定" in html and 'data-key="injury_claim"' in html
    assert 'data-key="eligibility"' in html and 'data-key="pack_settings"' in html  # decisions are listed too
    assert "/modeler/bpmn/injury_claim:1:" in html


def test_a_definition_page_counts_running_instances_on_the_activity_they_wait_at(pack, client):
    file_claim(pack, "CP-2", date.today(), date.today())
    file_claim(pack, "CP-3", date.today(), date.today())
    login(client, "manager")
    definition_id = re.search(r"/cockpit/definitions/(injury_claim:1:[^\"]+)", page(client, "/cockpit")).group(1)
    html = page(client, f"/cockpit/definitions/{definition_id}")
    assert '"review_claim": {"count": 2' in html.replace("&#34;", '"')
    assert "CP-2" in html and "CP-3" in html
    assert "CP-2" not in page(client, f"/cockpit/definitions/{definition_id}?business_key=CP-3")


def test_a_variable_keeps_its_type_when_edited_and_a_wrong_value_is_explained(pack, client):
    instance_id = file_claim(pack, "CP-4", date.today(), date.today())
    token = login(client, "manager")
    r = client.post(f"/cockpit/instances/{instance_id}/variables", data={
        "csrf_token": token, "name": "note", "type": "Long", "value": "12"}, follow_redirects=True)
    assert flashed(r.get_data(as_text=True))[0][0] == "success"
    assert variable(pack, instance_id, "note") == 12
    r = client.post(f"/cockpit/instances/{instance_id}/variables", data={
        "csrf_token": token, "name": "note", "existing": "1", "value": "twelve"}, follow_redirects=True)
    [(kind, message)] = flashed(r.get_data(as_text=True))
    assert kind == "error" and "twelve" in message
    r = client.post(f"/cockpit/instances/{instance_id}/variables", data={
        "csrf_token": token, "name": "note", "existing": "1", "type": "String", "value": "13"}, follow_redirects=True)
    assert variable(pack, instance_id, "note") == 13  # still a Long: the posted type is ignored for an existing one
    client.post(f"/cockpit/instances/{instance_id}/variables/delete", data={"csrf_token": token, "name": "note"})
    assert 'data-variable="note"' not in page(client, f"/cockpit/instances/{instance_id}")


def test_forms_without_the_csrf_token_are_refused(pack, client):
    instance_id = file_claim(pack, "CP-5", date.today(), date.today())
    login(client, "manager")
    assert client.post(f"/cockpit/instances/{instance_id}/cancel", data={}).status_code == 403


def test_an_instance_page_shows_history_and_cancelling_ends_the_instance(pack, client):
    instance_id = file_claim(pack, "CP-6", date.today(), date.today())
    token = login(client, "manager")
    html = page(client, f"/cockpit/instances/{instance_id}")
    assert "受理审核" in html and 'data-highlight="review_claim"' in html and "CP-6" in html
    client.post(f"/cockpit/instances/{instance_id}/cancel", data={"csrf_token": token, "reason": "重复申请"})
    html = page(client, f"/cockpit/instances/{instance_id}")
    assert "badge danger" in html and 'id="cancel-instance"' not in html  # ended: no more buttons
    assert "重复申请" in html  # the operation log keeps the reason


def test_retrying_an_incident_from_the_instance_page_resolves_it(kb, client):
    instance_id = failed_probe(kb)
    token = login(client, "jl.admin")
    assert "the registry did not answer" in page(client, "/cockpit/incidents")
    html = page(client, f"/cockpit/instances/{instance_id}")
    incident_id = re.search(r'data-incident="([^"]+)"', html).group(1)
    r = client.post(f"/cockpit/instances/{instance_id}/retry", data={"csrf_token": token, "incident": incident_id},
                    follow_redirects=True)
    assert flashed(r.get_data(as_text=True))[0][0] == "success"
    assert "the registry did not answer" not in page(client, "/cockpit/incidents")


def test_case_workers_do_not_get_the_cockpit_and_region_managers_only_read(pack, client):
    from app.demo import create_demo_identities
    create_demo_identities(pack)  # the regional managers' read grants
    instance_id = file_claim(pack, "CP-7", date.today(), date.today())
    login(client, "changchun.hrss")
    assert client.get("/cockpit").status_code == 403
    client.post("/logout", headers={"X-XSRF-TOKEN": client.get_cookie("XSRF-TOKEN").value})
    login(client, "changchun.manager")
    html = page(client, f"/cockpit/instances/{instance_id}")
    assert "CP-7" in html and 'id="cancel-instance"' not in html and "/variables/delete" not in html
    assert "CP-7" in page(client, "/cockpit/instances")


def embedded_xml(html: str) -> str:
    return unescape(re.search(r'<textarea id="initial-xml" hidden>(.*?)</textarea>', html, re.S).group(1))


def test_the_modeler_templates_for_new_diagrams_deploy_as_they_are(kb, client):
    login(client, "manager")
    for kind in ("bpmn", "dmn"):
        xml = embedded_xml(page(client, f"/modeler/new/{kind}"))
        result = deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={f"new.{kind}": xml.encode()}))
        assert len(result.processes if kind == "bpmn" else result.decisions) == 1
        assert 'historyTimeToLive="' in xml


def test_a_decision_opens_with_the_whole_dmn_file_it_was_deployed_in(pack, client):
    login(client, "manager")
    decision_id = re.search(r'/modeler/dmn/(pack_settings:1:[^"]+)', page(client, "/modeler")).group(1)
    html = page(client, f"/modeler/dmn/{decision_id}")
    xml = embedded_xml(html)
    assert 'data-key="pack_settings"' in html and 'data-resource="jilin_figures.dmn"' in html
    assert '<decision id="pack_settings"' in xml and '<decision id="regional_average_wage"' in xml
    assert client.get("/modeler/dmn/no-such-decision").status_code == 404


def test_case_workers_get_no_modeler(pack, client):
    login(client, "changchun.hrss")
    assert client.get("/modeler").status_code == 403
    assert client.get("/modeler/new/bpmn").status_code == 403
