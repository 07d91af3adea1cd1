#!/usr/bin/env python3
"""The Jilin pack over the REST API, as a new user would drive it after `make run`.

The postal bureau feeds the month's outlet list; the filed terminal outlet JL-BA-0002 is enrolled by its
parent enterprise, the SSB registers it and the enterprise files its roster; the SSB assesses a
contribution period and the tax bureau collects it; a courier's accident goes through injury
determination (HRSS), disability appraisal (appraisal committee) and benefit payment (SSB). Every step
is done by a demo user of the right agency and region (password `demo`), and users of another region or
agency are shown not to see or claim those tasks.

Usage: python tests/e2e/jilin_walkthrough.py [BASE_URL]      (default http://127.0.0.1:8080/engine-rest)
Run it on a fresh `make run` database to see every step; run again, it skips the enrolment and the
contribution that are already on record and files a new claim.
Needs only `requests`. Exits non-zero at the first step that does not behave as described.
"""
from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/engine-rest").rstrip("/")
PASSWORD = "demo"
TODAY = (datetime.now(timezone.utc) + timedelta(hours=8)).date()  # the agencies work in Asia/Shanghai
RUN = uuid.uuid4().hex[:6].upper()
ENTERPRISE = "enterprise.ent-0001"  # staff of ENT-0001, the parent enterprise of the filed terminal JL-BA-0002


class Failed(Exception):
    pass


def say(text: str) -> None:
    print(text, flush=True)


def call(user: str, method: str, path: str, body=None, expect: int | tuple = (200, 204)):
    response = requests.request(method, f"{BASE}{path}", json=body, auth=(user, PASSWORD), timeout=30)
    expected = expect if isinstance(expect, tuple) else (expect,)
    if response.status_code not in expected:
        raise Failed(f"{user}: {method} {path} -> {response.status_code} {response.text[:400]}")
    return response.json() if response.content and response.headers.get("Content-Type") == "application/json" else None


def typed(values: dict) -> dict:
    kinds = {bool: "Boolean", int: "Long"}
    return {k: {"value": v, "type": kinds.get(type(v), "String")} for k, v in values.items()}


def start(user: str, key: str, business_key: str, **values) -> dict:
    instance = call(user, "POST", f"/process-definition/key/{key}/start",
                    {"businessKey": business_key, "variables": typed(values), "withVariablesInReturn": True})
    say(f"  {user} started {key} ({business_key})")
    return instance


def tasks_of(user: str, business_key: str) -> list[dict]:
    return call(user, "GET", f"/task?processInstanceBusinessKey={business_key}&sortBy=created&sortOrder=asc")


def eventually(probe, what: str, seconds: float = 20.0):
    """Handlers and async steps run on the job executor, just after the request: wait for their effect."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise Failed(f"timed out waiting for {what}")
        time.sleep(0.1)


def task(user: str, business_key: str, name: str) -> dict:
    def probe():
        found = [t for t in tasks_of(user, business_key) if t["name"] == name]
        return found[0] if len(found) == 1 else None
    return eventually(probe, f"{user} to see task {name!r} of {business_key}")


def variable(instance_id: str, name: str):
    """A process variable once a job has set it (read by the administrator, as an observer)."""
    def probe():
        response = requests.get(f"{BASE}/process-instance/{instance_id}/variables/{name}", auth=("demo", PASSWORD),
                                timeout=30)
        if response.status_code == 200:
            return response.json()
        history = requests.get(f"{BASE}/history/process-instance/{instance_id}", auth=("demo", PASSWORD), timeout=30)
        return {"value": None} if history.ok and history.json().get("state") != "ACTIVE" else None
    return eventually(probe, f"variable {name} of {instance_id}").get("value")


def work(user: str, business_key: str, name: str, outsiders: tuple[str, ...] = (), **values) -> dict | None:
    """Outsiders do not see the task; the user claims it and completes it with the form values."""
    t = task(user, business_key, name)
    for outsider in outsiders:
        if any(x["id"] == t["id"] for x in tasks_of(outsider, business_key)):
            raise Failed(f"{outsider} can see {name!r} of {business_key}")
        response = requests.post(f"{BASE}/task/{t['id']}/claim", json={"userId": outsider},
                                 auth=(outsider, PASSWORD), timeout=30)
        if response.status_code != 403:
            raise Failed(f"{outsider} claiming {name!r} got {response.status_code}, not 403")
    call(user, "POST", f"/task/{t['id']}/claim", {"userId": user})
    result = call(user, "POST", f"/task/{t['id']}/complete",
                  {"variables": typed(values), "withVariablesInReturn": True})
    hidden = f" (not visible to {', '.join(outsiders)})" if outsiders else ""
    say(f"  {user}: {name}{hidden}")
    return result


def value(variables: dict, name: str):
    return (variables.get(name) or {}).get("value")


def enrolment() -> None:
    say("1. 月度网点名单 → 网点参保登记 (E1–E4)")
    month = f"{TODAY:%Y-%m}"
    listed = start("changchun.postal", "monthly_outlet_list", f"changchun-{month}-{RUN}", region="changchun",
                   month=month, outlets_json=json.dumps(["JL-BA-0002", "JL-KD-0003"]))
    if "JL-BA-0002" not in (variable(listed["id"], "outlet_ids") or []):
        say("  JL-BA-0002 is already enrolled in this database; going on with its contribution")
        return
    work("outlet.jl-kd-0003", "JL-KD-0003", "告知不予纳入原因", outsiders=("outlet.jl-kd-0001",),
         out_of_scope_acknowledged=True)
    say("  JL-KD-0003 uses labour dispatch: out of the priority scope, reason recorded and told to the outlet")
    work(ENTERPRISE, "JL-BA-0002", "提交参保申请", outsiders=("outlet.jl-kd-0001", "changchun.ssb"),
         application_submitted=True, contact_person="赵敏", contact_phone="0431-88880002")
    work("changchun.ssb", "JL-BA-0002", "审核参保登记", outsiders=("jilin.ssb", "changchun.hrss"),
         approved=True, registration_no=f"220102-{RUN}")
    roster = [{"courier_id": c, "name": n, "id_number": f"22010219900101{i:03d}X", "start_date": f"{month}-01"}
              for i, (c, n) in enumerate((("C-0001", "张伟"), ("C-0002", "王芳"), ("C-0003", "李娜")), start=1)]
    work(ENTERPRISE, "JL-BA-0002", "报送花名册", roster_json=json.dumps(roster, ensure_ascii=False))
    say("  JL-BA-0002 enrolled by its parent enterprise ENT-0001 (employer of record), three couriers filed")


def contribution() -> None:
    say("2. 缴费核定 (C1–C3)")
    period = f"{TODAY:%Y-%m}"
    key = f"JL-BA-0002-{period}-{RUN}"
    try:
        started = start("changchun.ssb", "contribution", key, outlet_id="JL-BA-0002", region="changchun",
                        period=period, wages_usable=False, last_year_wages="")
    except Failed as e:
        if "already paid" not in str(e):
            raise
        say(f"  the {period} contribution of JL-BA-0002 is already paid in this database (run on a fresh `make run`"
            " database to see it assessed)")
        return
    premium = variable(started["id"], "premium")
    calc = variable(started["id"], "premium_calc")
    say(f"  premium {premium} 元 = {json.loads(calc)['formula'] if isinstance(calc, str) else calc}")
    work("changchun.ssb", key, "核定缴费", outsiders=("changchun.tax",), premium_confirmed=True)
    work("changchun.tax", key, "征收保费", outsiders=("jilin.tax",), paid_on=TODAY.isoformat(),
         amount_paid=premium)


def injury() -> None:
    say("3. 工伤认定 → 劳动能力鉴定 → 待遇支付 (I1–I3, A1–A2, B1–B3)")
    claim = f"GS-{TODAY:%Y}-{RUN}"
    start(ENTERPRISE, "injury_claim", claim, claim_no=claim, courier_id="C-0001", outlet_id="JL-BA-0002",
          region="changchun", accident_date=TODAY.isoformat(), filed_on=TODAY.isoformat(), applicant_kind="employer",
          description="派件途中发生交通事故")
    work("changchun.hrss", claim, "受理审核", outsiders=("jilin.hrss", "changchun.ssb"),
         materials_complete=True, missing_materials="", clear_case=False)
    work("changchun.hrss", claim, "调查核实", findings="事故发生在派件途中，属实", conclusion_pending=False)
    work("changchun.hrss", claim, "作出认定决定", decision="work_injury",
         decision_reason="工作时间内因工作原因受到事故伤害（条例第十四条）", disability_remains=True)
    say("  determined a work injury with a remaining disability: the appraisal is called")
    work("changchun.appraisal", claim, "受理鉴定申请", outsiders=("jilin.appraisal", "changchun.hrss"),
         appraisal_applicant="employer", appraisal_materials_complete=True)
    work("changchun.appraisal", claim, "专家鉴定", grade="7", self_care="none", extended=False)
    work(ENTERPRISE, claim, "是否申请再次鉴定", request_reappraisal=False)
    work("changchun.ssb", claim, "核定本人工资", outsiders=("jilin.ssb",), average_contribution_wage="5000")
    done = work("changchun.ssb", claim, "审批待遇", benefits_approved=True)

    def employer_items_or_end():
        if any(t["name"] == "支付用人单位承担项目" for t in tasks_of(ENTERPRISE, claim)):
            return True
        return False if not call("demo", "GET", f"/process-instance?businessKey={claim}") else None
    if eventually(employer_items_or_end, "the fund's payment to be recorded"):
        done = work(ENTERPRISE, claim, "支付用人单位承担项目", employer_paid_on=TODAY.isoformat(),
                    employer_amount_paid="0")
    say(f"  payer: {value(done, 'payer')}; one-off disability grant {value(done, 'one_off_grant')} 元 "
        f"(grade 7: 13 months × base wage 5000.00)")
    if value(done, "one_off_grant") != "65000.00":
        raise Failed(f"expected a one-off grant of 65000.00, got {value(done, 'one_off_grant')}")
    eventually(lambda: True if not call("demo", "GET", f"/process-instance?businessKey={claim}") else None,
               f"every instance of {claim} to end")
    say(f"  every instance of claim {claim} has ended")


def main() -> int:
    try:
        call("demo", "GET", "/version")
        enrolment()
        contribution()
        injury()
    except (Failed, requests.RequestException) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    say("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
