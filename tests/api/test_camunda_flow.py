"""The Camunda 7 REST flow a client drives, with Camunda's shapes, statuses and conventions."""
from __future__ import annotations

import io
from datetime import datetime

import pytest

from tests import diagrams
from tests.conftest import ADMIN, FIXTURES, basic

REVIEW = (FIXTURES / "bpmn/review/claim_review.bpmn").read_bytes()
CASE_WORKER = basic("changchun.hrss", "demo")
OTHER_REGION = basic("jilin.hrss", "demo")
TASK_FIELDS = {"id", "name", "assignee", "owner", "created", "lastUpdated", "due", "followUp", "delegationState",
               "description", "executionId", "parentTaskId", "priority", "processDefinitionId", "processInstanceId",
               "taskDefinitionKey", "caseExecutionId", "caseInstanceId", "caseDefinitionId", "suspended", "formKey",
               "camundaFormRef", "tenantId", "taskState", "attachment", "comment"}


def deploy(client, resources: dict[str, bytes], headers=ADMIN, **parts):
    data = {k.replace("_", "-"): v for k, v in parts.items()}
    for i, (name, content) in enumerate(resources.items()):
        data[f"file{i}"] = (io.BytesIO(content), name)
    return client.post("/engine-rest/deployment/create", data=data, headers=headers,
                       content_type="multipart/form-data")


def start_review(client, amount=5000, business_key="CLAIM-1"):
    return client.post("/engine-rest/process-definition/key/claim_review/start", headers=ADMIN, json={
        "businessKey": business_key, "withVariablesInReturn": True,
        "variables": {"region": {"value": "changchun", "type": "String"}, "amount": {"value": amount, "type": "Long"}}})


def test_deploy_start_claim_complete_end(client):
    """The issue's curl scenario: candidateGroup queue, claim, complete, JUEL gateway, script, end."""
    r = deploy(client, {"claim_review.bpmn": REVIEW}, deployment_name="review", enable_duplicate_filtering="true")
    assert r.status_code == 200 and r.mimetype == "application/json"
    [definition] = r.json["deployedProcessDefinitions"].values()
    assert definition["key"] == "claim_review" and definition["version"] == 1 and definition["versionTag"] == "1.0"
    assert r.json["deployedCaseDefinitions"] is None and r.json["links"][0]["rel"] == "self"

    r = start_review(client)
    assert r.status_code == 200
    started = r.json
    assert started["businessKey"] == "CLAIM-1" and started["ended"] is False
    assert started["variables"]["amount"] == {"type": "Long", "value": 5000, "valueInfo": {}}
    assert started["links"][0]["href"].endswith(f"/engine-rest/process-instance/{started['id']}")

    r = client.get("/engine-rest/task?candidateGroup=changchun-hrss", headers=CASE_WORKER)
    [task] = r.json
    assert set(task) == TASK_FIELDS
    assert task["taskDefinitionKey"] == "review" and task["processInstanceId"] == started["id"]
    datetime.strptime(task["created"], "%Y-%m-%dT%H:%M:%S.%f%z")
    datetime.strptime(task["due"], "%Y-%m-%dT%H:%M:%S.%f%z")

    assert client.post(f"/engine-rest/task/{task['id']}/claim", json={"userId": "changchun.hrss"},
                       headers=CASE_WORKER).status_code == 204
    r = client.post(f"/engine-rest/task/{task['id']}/claim", json={"userId": "demo"}, headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (500, "TaskAlreadyClaimedException")
    assert client.get("/engine-rest/task?candidateGroup=changchun-hrss", headers=CASE_WORKER).json == []
    assert len(client.get("/engine-rest/task?candidateGroup=changchun-hrss&includeAssignedTasks=true",
                          headers=CASE_WORKER).json) == 1

    r = client.post(f"/engine-rest/task/{task['id']}/complete", headers=CASE_WORKER, json={
        "variables": {"approved": {"value": True, "type": "Boolean"}, "comment": {"value": "ok"}},
        "withVariablesInReturn": True})
    assert r.status_code == 200
    assert r.json["benefit"] == {"type": "Double", "value": 4000.0, "valueInfo": {}}
    assert r.json["status"]["value"] == "approved"

    assert client.get(f"/engine-rest/process-instance/{started['id']}", headers=ADMIN).status_code == 404
    history = client.get(f"/engine-rest/history/process-instance/{started['id']}", headers=ADMIN).json
    assert history["state"] == "COMPLETED" and history["endTime"] is not None


def test_same_paths_answer_under_the_named_default_engine(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    direct = client.get("/engine-rest/process-definition/key/claim_review", headers=ADMIN).json
    named = client.get("/engine-rest/engine/default/process-definition/key/claim_review", headers=ADMIN).json
    assert direct == named


def test_definition_endpoints(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    deploy(client, {"claim_review.bpmn": REVIEW.replace(b"Claim review", b"Claim review 2")})
    assert client.get("/engine-rest/process-definition/count", headers=ADMIN).json == {"count": 2}
    latest = client.get("/engine-rest/process-definition?latestVersion=true", headers=ADMIN).json
    assert [d["version"] for d in latest] == [2]
    by_key = client.get("/engine-rest/process-definition/key/claim_review", headers=ADMIN).json
    xml = client.get(f"/engine-rest/process-definition/{by_key['id']}/xml", headers=ADMIN).json
    assert xml["id"] == by_key["id"] and "Claim review 2" in xml["bpmn20Xml"]
    r = client.get("/engine-rest/process-definition/key/nope", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "RestException")
    sorted_desc = client.get("/engine-rest/process-definition?sortBy=version&sortOrder=desc", headers=ADMIN).json
    assert [d["version"] for d in sorted_desc] == [2, 1]


def test_deployment_endpoints(client):
    deployment = deploy(client, {"claim_review.bpmn": REVIEW}, deployment_name="pack").json
    assert client.get("/engine-rest/deployment?name=pack", headers=ADMIN).json[0]["id"] == deployment["id"]
    assert client.get("/engine-rest/deployment/count", headers=ADMIN).json == {"count": 1}
    [resource] = client.get(f"/engine-rest/deployment/{deployment['id']}/resources", headers=ADMIN).json
    assert resource["name"] == "claim_review.bpmn"
    data = client.get(f"/engine-rest/deployment/{deployment['id']}/resources/{resource['id']}/data", headers=ADMIN)
    assert data.data == REVIEW
    start_review(client)
    assert client.delete(f"/engine-rest/deployment/{deployment['id']}?cascade=true", headers=ADMIN).status_code == 204
    assert client.get(f"/engine-rest/deployment/{deployment['id']}", headers=ADMIN).status_code == 404
    assert client.get("/engine-rest/task", headers=ADMIN).json == []


def test_instance_variables_endpoints(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    pi = start_review(client).json["id"]
    base = f"/engine-rest/process-instance/{pi}/variables"
    assert client.put(f"{base}/limit", json={"value": "12", "type": "integer"}, headers=ADMIN).status_code == 204
    assert client.get(f"{base}/limit", headers=ADMIN).json == {"type": "Integer", "value": 12, "valueInfo": {}}
    assert client.post(base, headers=ADMIN, json={"modifications": {"doc": {"value": '{"a": 1}', "type": "Json"}},
                                                  "deletions": ["limit"]}).status_code == 204
    all_vars = client.get(base, headers=ADMIN).json
    assert all_vars["doc"] == {"type": "Json", "value": '{"a": 1}', "valueInfo": {}} and "limit" not in all_vars
    assert client.delete(f"{base}/doc", headers=ADMIN).status_code == 204
    r = client.get(f"{base}/doc", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")
    r = client.put(f"{base}/bad", json={"value": "abc", "type": "Integer"}, headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    instances = client.get("/engine-rest/process-instance?businessKey=CLAIM-1", headers=ADMIN).json
    assert [i["id"] for i in instances] == [pi]
    assert client.delete(f"/engine-rest/process-instance/{pi}", headers=ADMIN).status_code == 204
    assert client.get("/engine-rest/process-instance/count", headers=ADMIN).json == {"count": 0}


def test_task_query_conventions(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    for i in range(3):
        start_review(client, amount=1000 * (i + 1), business_key=f"C-{i}")
    ids = [t["id"] for t in client.get("/engine-rest/task", headers=ADMIN).json]
    repeated = client.get(f"/engine-rest/task?taskIdIn={ids[0]}&taskIdIn={ids[1]}", headers=ADMIN).json
    commas = client.get(f"/engine-rest/task?taskIdIn={ids[0]},{ids[1]}", headers=ADMIN).json
    assert {t["id"] for t in repeated} == {t["id"] for t in commas} == set(ids[:2])
    r = client.post("/engine-rest/task?maxResults=2", headers=ADMIN, json={
        "candidateGroups": ["changchun-hrss"], "sorting": [{"sortBy": "created", "sortOrder": "desc"}], "x": None})
    assert r.status_code == 200 and len(r.json) == 2
    assert client.post("/engine-rest/task/count", headers=ADMIN, json={"processInstanceBusinessKeyIn": ["C-0", "C-2"]}
                       ).json == {"count": 2}
    assert client.get("/engine-rest/task/count?processInstanceBusinessKeyLike=C-%25", headers=ADMIN).json == {"count": 3}
    r = client.get("/engine-rest/task?sortBy=created", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    r = client.get("/engine-rest/task?sortBy=bogus&sortOrder=asc", headers=ADMIN)
    assert r.status_code == 400 and "bogus" in r.json["message"]


def test_task_form_and_variables(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    start_review(client)
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    form = client.get(f"/engine-rest/task/{task['id']}/form-variables", headers=CASE_WORKER).json
    assert form["approved"] == {"type": "Boolean", "value": False, "valueInfo": {}}
    assert form["region"]["value"] == "changchun"
    only = client.get(f"/engine-rest/task/{task['id']}/form-variables?variableNames=amount", headers=ADMIN).json
    assert list(only) == ["amount"]
    assert client.get(f"/engine-rest/task/{task['id']}/variables/amount", headers=ADMIN).json["value"] == 5000
    links = client.get(f"/engine-rest/task/{task['id']}/identity-links", headers=ADMIN).json
    assert {"userId": None, "groupId": "changchun-hrss", "type": "candidate"} in links


def test_unclaim_and_assignee(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    start_review(client)
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    tid = task["id"]
    assert client.post(f"/engine-rest/task/{tid}/assignee", json={"userId": "zhang"}, headers=ADMIN).status_code == 204
    assert client.get(f"/engine-rest/task/{tid}", headers=ADMIN).json["assignee"] == "zhang"
    assert client.post(f"/engine-rest/task/{tid}/unclaim", headers=ADMIN).status_code == 204
    assert client.get(f"/engine-rest/task/{tid}", headers=ADMIN).json["assignee"] is None
    r = client.post("/engine-rest/task/nope/claim", json={"userId": "x"}, headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (500, "NullValueException")
    r = client.get("/engine-rest/task/nope", headers=ADMIN)
    assert (r.status_code, r.json["type"]) == (404, "InvalidRequestException")


def test_case_worker_sees_only_their_regions_queue(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    start_review(client)
    assert len(client.get("/engine-rest/task", headers=CASE_WORKER).json) == 1
    assert client.get("/engine-rest/task", headers=OTHER_REGION).json == []
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    assert client.get(f"/engine-rest/task/{task['id']}", headers=OTHER_REGION).status_code == 404
    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={}, headers=OTHER_REGION)
    assert (r.status_code, r.json["type"]) == (403, "AuthorizationException")
    r = deploy(client, {"claim_review.bpmn": REVIEW}, headers=CASE_WORKER)
    assert (r.status_code, r.json["type"]) == (403, "AuthorizationException")


def test_authentication_is_required_except_for_engine_list(client):
    assert client.get("/engine-rest/engine").status_code == 200
    r = client.get("/engine-rest/task")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/engine-rest/task", headers=basic("demo", "wrong")).status_code == 401
    assert client.get("/engine-rest/version", headers=ADMIN).json["version"].startswith("7.")


def test_escape_attempt_is_refused_with_parse_details_naming_the_element(client):
    r = deploy(client, {"evil.bpmn": diagrams.script_process("evil", "().__class__.__bases__[0]")})
    assert (r.status_code, r.json["type"]) == (400, "ParseException")
    [error] = r.json["details"]["evil.bpmn"]["errors"]
    assert error["mainElementId"] == "the_script" and error["line"]
    assert client.get("/engine-rest/process-definition/count", headers=ADMIN).json == {"count": 0}


@pytest.mark.parametrize("body,status", [
    ({}, 400),
    ({"variables": {"n": {"value": "x", "type": "Long"}}}, 400),
    ({"variables": {"n": {"value": 1, "type": "Unknown"}}}, 400),
])
def test_bad_start_input_is_a_400_and_starts_nothing(client, body, status):
    deploy(client, {"claim_review.bpmn": REVIEW})
    r = client.post("/engine-rest/process-definition/key/claim_review/start", headers=ADMIN, json=body)
    assert r.status_code in (status, 500) and r.json["type"] in ("InvalidRequestException", "RestException")
    assert client.get("/engine-rest/process-instance/count", headers=ADMIN).json == {"count": 0}


def test_malformed_json_and_empty_posts(client):
    deploy(client, {"claim_review.bpmn": REVIEW})
    start_review(client)
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    r = client.post(f"/engine-rest/task/{task['id']}/claim", data="{nope", headers=ADMIN,
                    content_type="application/json")
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")
    assert client.post(f"/engine-rest/task/{task['id']}/unclaim", headers=ADMIN).status_code == 204
    assert client.get("/engine-rest/task", headers=ADMIN, json={}).status_code == 200  # pycamunda sends {} on GET


def test_no_resources_is_a_400(client):
    r = client.post("/engine-rest/deployment/create", data={"deployment-name": "x"}, headers=ADMIN,
                    content_type="multipart/form-data")
    assert (r.status_code, r.json["type"]) == (400, "InvalidRequestException")


def test_openapi_document_lists_what_exists(client):
    doc = client.get("/engine-rest/openapi.json", headers=ADMIN).json
    assert doc["openapi"].startswith("3.")
    for path in ("/task", "/task/{id}/claim", "/deployment/create", "/process-definition/key/{key}/start",
                 "/process-instance/{id}/variables"):
        assert path in doc["paths"], path
    assert "Task" in doc["components"]["schemas"]


def test_message_endpoint(client):
    from tests.integration.test_calls_and_messages import WAITING
    deploy(client, {"claim.bpmn": WAITING})
    pi = client.post("/engine-rest/process-definition/key/claim/start", headers=ADMIN,
                     json={"businessKey": "C-1"}).json["id"]
    r = client.post("/engine-rest/message", headers=ADMIN, json={"messageName": "nothing", "ttl": 0})
    assert (r.status_code, r.json["type"]) == (400, "RestException")
    r = client.post("/engine-rest/message", headers=ADMIN, json={"messageName": "nothing", "resultEnabled": True})
    assert r.status_code == 200 and r.json[0]["resultType"] == "Buffered"
    assert r.headers["Kuaibao-Message-Buffered"].startswith(r.json[0]["bufferedMessageId"])
    r = client.post("/engine-rest/message", headers=ADMIN, json={
        "messageName": "materials_supplemented", "businessKey": "C-1", "resultEnabled": True,
        "variablesInResultEnabled": True, "processVariables": {"pages": {"value": 2, "type": "Integer"}}})
    assert r.status_code == 200
    [result] = r.json
    assert result["resultType"] == "Execution" and result["execution"]["processInstanceId"] == pi
    assert result["processInstance"] is None and result["variables"]["pages"]["value"] == 2
    assert client.post("/engine-rest/message", headers=ADMIN, json={}).status_code == 400
    assert len(client.get("/engine-rest/task", headers=ADMIN).json) == 1


def test_completing_with_an_invalid_form_is_a_400_and_keeps_the_task(client):
    form = ('<bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="amount" label="金额" type="long"><camunda:validation>'
            '<camunda:constraint name="required" /></camunda:validation></camunda:formField>'
            '</camunda:formData></bpmn:extensionElements>')
    xml = diagrams.process("f", [("startEvent", "s", ""),
                                 ("userTask", "fill", f'name="填写" camunda:candidateGroups="workers"|{form}'),
                                 ("endEvent", "e", "")], [("s", "fill", None), ("fill", "e", None)])
    deploy(client, {"f.bpmn": xml})
    client.post("/engine-rest/process-definition/key/f/start", headers=ADMIN, json={})
    [task] = client.get("/engine-rest/task", headers=ADMIN).json
    r = client.post(f"/engine-rest/task/{task['id']}/complete", headers=ADMIN, json={"variables": {}})
    assert r.status_code == 400 and "'金额' (amount) is required" in r.json["message"]
    assert client.get(f"/engine-rest/task/{task['id']}", headers=ADMIN).status_code == 200
    r = client.post(f"/engine-rest/task/{task['id']}/complete", headers=ADMIN,
                    json={"variables": {"amount": {"value": 12, "type": "Long"}}})
    assert r.status_code == 204
