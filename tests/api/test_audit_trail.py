"""The audit trail of a completed claim: a courier's work injury from filing to payment, worked over REST by the
people of each agency with their own logins. Afterwards the user operation log names every action with its user
and time, and the activity history shows every step (people's and machines') of the claim and the instances it
called."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from app.services import tasks
from app.services.context import SYSTEM
from tests.conftest import basic
from tests.integration.test_jilin_rules import insured
from tests.jilin_flow import NEUTRAL, deploy_pack

H = "/engine-rest/history"
CLAIM = "AUDIT-1"
OUTLET, BUREAU, COMMITTEE, FUND, ADMIN = ("outlet.jl-kd-0001", "changchun.hrss", "changchun.appraisal",
                                          "changchun.ssb", "jl.admin")


def as_(user: str) -> dict:
    return basic(user, "demo")


def work(client, kb, user: str, name: str, **values) -> str:
    """Claim the named open task of the claim as `user` and complete it with `values` (neutral values for the
    other required fields); the task's id."""
    found = [t for t in client.get(f"/engine-rest/task?processInstanceBusinessKey={CLAIM}", headers=as_(user)).json
             if t["name"] == name]
    assert len(found) == 1, f"{user} should see exactly one open '{name}', sees {found}"
    task_id = found[0]["id"]
    for field in json.loads(tasks.get_task(kb, SYSTEM, task_id).form_fields or "[]"):
        rules = {r["name"] for r in field.get("validation") or []}
        if field["id"] not in values and "required" in rules and "readonly" not in rules:
            options = [o["id"] for o in field.get("options") or []]
            values[field["id"]] = options[0] if options else NEUTRAL.get(field["type"], "—")
    assert client.post(f"/engine-rest/task/{task_id}/claim", headers=as_(user),
                       json={"userId": user}).status_code == 204
    r = client.post(f"/engine-rest/task/{task_id}/complete", headers=as_(user),
                    json={"variables": {k: {"value": v} for k, v in values.items()}})
    assert r.status_code == 204, r.json
    return task_id


def employer_share(client, kb) -> str:
    """What the employer owes: the sum of the employer items the benefit computation listed."""
    [open_task] = client.get(f"/engine-rest/task?processInstanceBusinessKey={CLAIM}", headers=as_(ADMIN)).json
    items = client.get(f"/engine-rest/task/{open_task['id']}/variables/employer_items", headers=as_(ADMIN)).json
    return str(sum(Decimal(item["amount"]) for item in json.loads(items["value"])))


def test_the_audit_trail_of_a_completed_claim_names_every_action_its_user_and_time(client, kb):
    deploy_pack(kb)
    today = date.today()
    insured(kb, "JL-KD-0001", ("C-0001",), today)
    filed = client.post("/engine-rest/process-definition/key/injury_claim/start", headers=as_(OUTLET), json={
        "businessKey": CLAIM, "variables": {name: {"value": value} for name, value in dict(
            claim_no=CLAIM, courier_id="C-0001", outlet_id="JL-KD-0001", region="changchun",
            accident_date=today.isoformat(), filed_on=today.isoformat(), applicant_kind="employer",
            description="派件途中发生交通事故").items()}})
    assert filed.status_code == 200, filed.json
    claim = filed.json["id"]
    worked = [  # (user, task name, values)
        (BUREAU, "受理审核", dict(materials_complete=True, missing_materials="", clear_case=True)),
        (BUREAU, "调查核实", dict(findings="属实", conclusion_pending=False)),
        (BUREAU, "作出认定决定", dict(decision="work_injury", decision_reason="工作时间内因工作原因受到事故伤害",
                                  disability_remains=True)),
        (COMMITTEE, "受理鉴定申请", {}),
        (COMMITTEE, "专家鉴定", dict(grade="9", self_care="none", extended=False)),
        (OUTLET, "是否申请再次鉴定", dict(request_reappraisal=False)),
        (FUND, "核定本人工资", dict(average_contribution_wage="4000")),
        (FUND, "审批待遇", {}),
        (OUTLET, "支付用人单位承担项目", dict(employer_paid_on=date.today().isoformat())),  # its share (B1)
    ]
    task_ids = {}
    for user, name, values in worked:
        if name == "支付用人单位承担项目":
            values["employer_amount_paid"] = employer_share(client, kb)
        if name == "核定本人工资":  # the administrator corrects a record on the way: old and new value logged
            benefit = client.get(f"{H}/process-instance?superProcessInstanceId={claim}&processDefinitionKey="
                                 "benefit_payment", headers=as_(ADMIN)).json[0]["id"]
            assert client.put(f"/engine-rest/process-instance/{benefit}/variables/payer_reason", headers=as_(ADMIN),
                              json={"value": "经核查：参保且在册", "type": "String"}).status_code == 204
        task_ids[work(client, kb, user, name, **values)] = (user, name)
    assert client.get(f"{H}/process-instance/{claim}", headers=as_(ADMIN)).json["state"] == "COMPLETED"

    tree = [claim] + [i["id"] for i in client.get(f"{H}/process-instance?superProcessInstanceId={claim}",
                                                  headers=as_(ADMIN)).json]
    assert len(tree) == 3  # the claim, its appraisal, its benefit payment
    entries = sorted((e for instance in tree for e in client.get(
        f"{H}/user-operation?processInstanceId={instance}", headers=as_(ADMIN)).json), key=lambda e: e["timestamp"])
    assert entries and all(e["userId"] and e["timestamp"] for e in entries)
    actions = [(e["operationType"], e["userId"], task_ids.get(e["taskId"], (None, None))[1]) for e in entries
               if e["property"] in ("assignee", "delete", "businessKey", "payer_reason")]
    expected = [("Create", OUTLET, None)]
    for user, name, _ in worked:
        if name == "核定本人工资":
            expected.append(("SetVariable", ADMIN, None))
        expected += [("Claim", user, name), ("Complete", user, name)]
    assert actions == expected

    correction = next(e for e in entries if e["operationType"] == "SetVariable")
    assert (correction["orgValue"], correction["newValue"]) != (None, None)
    assert correction["newValue"] == "经核查：参保且在册" and correction["orgValue"] != correction["newValue"]
    submitted = {e["property"]: e["newValue"] for e in entries
                 if e["operationType"] == "Complete" and task_ids.get(e["taskId"], (None, ""))[1] == "专家鉴定"}
    assert submitted["grade"] == "9"  # what a person entered is on record

    # every step, the machines' too, has its start and end, and nothing is left open
    steps = [a for instance in tree for a in client.get(
        f"{H}/activity-instance?processInstanceId={instance}&sortBy=occurrence&sortOrder=asc",
        headers=as_(ADMIN)).json]
    assert all(a["startTime"] and a["endTime"] for a in steps)
    kinds = {a["activityType"] for a in steps}
    assert {"startEvent", "userTask", "serviceTask", "businessRuleTask", "callActivity", "exclusiveGateway",
            "noneEndEvent"} <= kinds
    people = [(t["assignee"], t["name"]) for t in client.get(
        f"{H}/task?processInstanceBusinessKey={CLAIM}&sortBy=startTime&sortOrder=asc", headers=as_(ADMIN)).json]
    assert people == [(user, name) for user, name, _ in worked]

    # and the people involved may read it too: the outlet its own claim's trail, the bureau the cases it worked
    assert client.get(f"{H}/user-operation/count?processInstanceId={claim}", headers=as_(OUTLET)).json["count"] > 0
    assert client.get(f"{H}/user-operation/count?processInstanceId={claim}",
                      headers=as_("jilin.hrss")).json["count"] == 0
