"""The permission matrix: every role of the Jilin programme against every endpoint family, lists and counts
included. Each cell says what the role must see (exactly those ids) or whether a command is allowed; any
difference is reported, and one is enough to fail.

The world: three injury claims (two in changchun, from outlets JL-KD-0001 and JL-KD-0002; one in jilin), each
waiting at 受理审核 for its region's social insurance bureau (`<region>-hrss`) with an overdue timer, and one
external-task probe per region that failed out of retries (an incident). Roles: the provincial administrator,
changchun's manager, every agency's case worker in changchun and in jilin, and the staff of outlet JL-KD-0001.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pytest

from app.demo import create_demo_identities
from app.services import deployments, external_tasks, instances
from app.services.context import SYSTEM
from app.services.external_fetch import FetchCommand, FetchTopic
from app.services.typed_values import TypedValue
from tests import diagrams
from tests.conftest import basic
from tests.integration.test_jilin_rules import file_claim
from tests.jilin_flow import deploy_pack, task

AGENCIES = ("hrss", "ssb", "tax", "postal", "appraisal")
WORKERS = tuple(f"{region}.{agency}" for region in ("changchun", "jilin") for agency in AGENCIES)
ADMIN, MANAGER, OUTLET = "jl.admin", "changchun.manager", "outlet.jl-kd-0001"
ROLES = (ADMIN, MANAGER, *WORKERS, OUTLET)


@dataclass
class World:
    claims: dict[str, str] = field(default_factory=dict)       # name -> instance id
    tasks: dict[str, str] = field(default_factory=dict)        # claim name -> id of its open 受理审核
    probes: dict[str, str] = field(default_factory=dict)       # region -> probe instance id
    external: dict[str, str] = field(default_factory=dict)     # region -> external task id


@pytest.fixture
def world(kb) -> World:
    create_demo_identities(kb)  # the regional managers' grants (runtime tables, grants included, are emptied)
    deploy_pack(kb)
    w = World()
    today = date.today()
    w.claims["cc1"] = file_claim(kb, "PM-CC-1", today, today, outlet="JL-KD-0001")
    w.claims["cc2"] = file_claim(kb, "PM-CC-2", today, today, outlet="JL-KD-0002")
    jl = instances.StartCommand(key="injury_claim", business_key="PM-JL-1", variables={
        name: TypedValue("String", value) for name, value in dict(
            claim_no="PM-JL-1", courier_id="C-0002", outlet_id="JL-KD-0004", region="jilin",
            accident_date=today.isoformat(), filed_on=today.isoformat(), applicant_kind="employer",
            description="分拣时受伤").items()})
    w.claims["jl1"] = instances.start(kb, SYSTEM, jl).instance.id
    for name, business_key in (("cc1", "PM-CC-1"), ("cc2", "PM-CC-2"), ("jl1", "PM-JL-1")):
        w.tasks[name] = task(kb, business_key, "受理审核").id
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(
        resources={"probe.bpmn": diagrams.service_process("probe", "probe")}, name="probe"))
    for region in ("changchun", "jilin"):
        w.probes[region] = instances.start(kb, SYSTEM, instances.StartCommand(
            key="probe", variables={"region": TypedValue("String", region)})).instance.id
    locked = external_tasks.fetch_and_lock(kb, SYSTEM, FetchCommand(
        worker_id="probe-worker", max_tasks=10, topics=[FetchTopic("probe", lock_duration=60_000)]))
    for view in locked:
        region = next(r for r, pid in w.probes.items() if pid == view.task.process_instance_id)
        w.external[region] = view.task.id
        external_tasks.failure(kb, SYSTEM, view.task.id, "probe-worker", "probe failed", "details", 0, 0)
    assert set(w.external) == {"changchun", "jilin"}
    return w


def as_(user: str) -> dict:
    return basic(user, "demo")


class Matrix:
    """Collects every cell that differs from its expectation."""

    def __init__(self, client):
        self.client, self.wrong = client, []

    def ids(self, role: str, path: str, expected: set[str], key: str = "id", count_path: str | None = None):
        """A list shows exactly `expected` (by `key`), and its count agrees."""
        r = self.client.get(path, headers=as_(role))
        if r.status_code != 200:
            self.wrong.append(f"{role:22} GET {path}: {r.status_code} {r.json}")
            return
        got = {item[key] for item in r.json}
        if got != expected:
            self.wrong.append(f"{role:22} GET {path}: saw {sorted(got)}, expected {sorted(expected)}")
        base, _, query = path.partition("?")
        counted = self.client.get(count_path or f"{base}/count" + (f"?{query}" if query else ""),
                                  headers=as_(role))
        if counted.status_code != 200 or counted.json["count"] != len(r.json):
            self.wrong.append(f"{role:22} count of {path}: {counted.status_code} {counted.json}, list {len(r.json)}")

    def status(self, role: str, method: str, path: str, expected: int | tuple[int, ...], **kw):
        r = self.client.open(path, method=method, headers=as_(role), **kw)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if r.status_code not in allowed:
            self.wrong.append(f"{role:22} {method} {path}: {r.status_code}, expected {allowed} "
                              f"{(r.json or {}).get('message', '') if r.is_json else ''}")
        return r

    def missing(self, method: str, template: str, **kw) -> int:
        """What the endpoint answers for an id that does not exist: an unreadable one must look the same."""
        return self.client.open(template.format(id="00000000-0000-0000-0000-000000000000"), method=method,
                                headers=as_(ADMIN), **kw).status_code

    def check(self):
        assert not self.wrong, "permission matrix differs in %d cells:\n%s" % (len(self.wrong), "\n".join(self.wrong))


def readers(w: World) -> dict[str, set[str]]:
    """The instances each role may read."""
    cc = {w.claims["cc1"], w.claims["cc2"]}
    expected = {role: set() for role in ROLES}
    expected[ADMIN] = {*w.claims.values(), *w.probes.values()}
    expected[MANAGER] = cc | {w.probes["changchun"]}
    expected["changchun.hrss"] = cc
    expected["jilin.hrss"] = {w.claims["jl1"]}
    expected[OUTLET] = {w.claims["cc1"]}
    return expected


def test_every_role_sees_exactly_its_cases_and_may_do_exactly_its_work(client, world):
    w, m = world, Matrix(client)
    cases = readers(w)
    tasks_of = {role: set() for role in ROLES}
    tasks_of[ADMIN] = set(w.tasks.values())
    tasks_of[MANAGER] = tasks_of["changchun.hrss"] = {w.tasks["cc1"], w.tasks["cc2"]}
    tasks_of["jilin.hrss"] = {w.tasks["jl1"]}
    probe_of = {role: {w.probes[r] for r in ("changchun", "jilin") if w.probes[r] in cases[role]} for role in ROLES}
    claims_of = {role: cases[role] - set(w.probes.values()) for role in ROLES}
    for role in ROLES:
        # instances, runtime and history
        m.ids(role, "/engine-rest/process-instance", cases[role])
        m.ids(role, "/engine-rest/history/process-instance", cases[role])
        m.ids(role, "/engine-rest/history/activity-instance?activityType=userTask", claims_of[role],
              key="processInstanceId")
        m.ids(role, "/engine-rest/history/variable-instance?variableName=region", cases[role],
              key="processInstanceId")
        m.ids(role, "/engine-rest/history/task", {w.tasks[n] for n in w.tasks if w.claims[n] in claims_of[role]}
              | (tasks_of[role] if role == MANAGER else set()))
        m.ids(role, "/engine-rest/history/user-operation?entityType=ProcessInstance", cases[role],
              key="processInstanceId")
        for name, instance_id in w.claims.items():
            m.status(role, "GET", f"/engine-rest/process-instance/{instance_id}",
                     200 if instance_id in cases[role] else 404)
            m.status(role, "GET", f"/engine-rest/history/process-instance/{instance_id}",
                     200 if instance_id in cases[role] else 404)
        # tasks
        m.ids(role, "/engine-rest/task", tasks_of[role])
        for name, task_id in w.tasks.items():
            m.status(role, "GET", f"/engine-rest/task/{task_id}", 200 if task_id in tasks_of[role] else 404)
        # variables: read where the case is readable; change only as administrator
        cc1, change = w.claims["cc1"], {"modifications": {"note": {"value": role, "type": "String"}}}
        m.status(role, "GET", f"/engine-rest/process-instance/{cc1}/variables",
                 200 if cc1 in cases[role] else m.missing("GET", "/engine-rest/process-instance/{id}/variables"))
        m.status(role, "POST", f"/engine-rest/process-instance/{cc1}/variables",
                 204 if role == ADMIN else (403 if cc1 in cases[role] else m.missing(
                     "POST", "/engine-rest/process-instance/{id}/variables", json=change)), json=change)
        m.status(role, "GET", f"/engine-rest/task/{w.tasks['cc1']}/variables",
                 200 if w.tasks["cc1"] in tasks_of[role] else m.missing("GET", "/engine-rest/task/{id}/variables"))
        # incidents, jobs and external tasks follow the instances
        m.ids(role, "/engine-rest/incident", probe_of[role], key="processInstanceId")
        m.ids(role, "/engine-rest/external-task", probe_of[role], key="processInstanceId")
        m.ids(role, "/engine-rest/job?timers=true", claims_of[role], key="processInstanceId")
        m.status(role, "POST", "/engine-rest/external-task/fetchAndLock", 200 if role == ADMIN else 403,
                 json={"workerId": "w", "maxTasks": 0, "topics": [{"topicName": "none", "lockDuration": 1000}]})
        m.status(role, "PUT", f"/engine-rest/external-task/{w.external['changchun']}/retries",
                 204 if role == ADMIN else (403 if w.probes["changchun"] in cases[role] else 404),
                 json={"retries": 0})
        # definitions are readable by every login; deployments and identity administration are not
        total = client.get("/engine-rest/process-definition/count", headers=as_(ADMIN)).json["count"]
        seen = client.get("/engine-rest/process-definition/count", headers=as_(role)).json["count"]
        if seen != total:
            m.wrong.append(f"{role:22} sees {seen} of {total} process definitions")
        m.ids(role, "/engine-rest/deployment", {d["id"] for d in client.get(
            "/engine-rest/deployment", headers=as_(ADMIN)).json} if role == ADMIN else set())
        m.status(role, "POST", "/engine-rest/deployment/create", 200 if role == ADMIN else 403,
                 content_type="multipart/form-data", data={
                     "deployment-name": f"by-{role}",
                     "file": (io.BytesIO(diagrams.script_process(f"p_{role.replace('.', '_').replace('-', '_')}",
                                                                 "x = 1")), "p.bpmn")})
        m.status(role, "GET", "/engine-rest/user?idIn=jl.admin,changchun.hrss", 200)
        m.status(role, "POST", "/engine-rest/user/create", 204 if role == ADMIN else 403,
                 json={"profile": {"id": f"new-{role.replace('.', '-')}"}, "credentials": {"password": "long enough"}})
        m.status(role, "POST", "/engine-rest/authorization/create", 200 if role == ADMIN else 403,
                 json={"type": 1, "permissions": ["READ"], "groupId": "nobody", "resourceType": 7,
                       "resourceId": "x"})
        if role != ADMIN:
            m.ids(role, "/engine-rest/authorization", set())
    # claiming: refused to all but the claim's own bureau (and the administrator); done last, it changes state
    target = w.tasks["cc1"]
    for role in ROLES:
        if role in (ADMIN, "changchun.hrss"):
            continue
        m.status(role, "POST", f"/engine-rest/task/{target}/claim", 403, json={"userId": role})
    m.status("changchun.hrss", "POST", f"/engine-rest/task/{target}/claim", 204, json={"userId": "changchun.hrss"})
    m.status("changchun.manager", "POST", f"/engine-rest/task/{target}/assignee", 403, json={"userId": MANAGER})
    m.status(ADMIN, "POST", f"/engine-rest/task/{target}/assignee", 204, json={"userId": "changchun.hrss"})
    m.check()


def test_starting_a_case_needs_the_starter_group_and_its_region(client, world):
    m = Matrix(client)
    body = {"businessKey": "PM-START", "variables": {
        "claim_no": {"value": "PM-START"}, "courier_id": {"value": "C-0001"}, "outlet_id": {"value": "JL-KD-0001"},
        "accident_date": {"value": date.today().isoformat()}, "filed_on": {"value": date.today().isoformat()},
        "applicant_kind": {"value": "employer"}, "description": {"value": "x"}}}
    path = "/engine-rest/process-definition/key/injury_claim/start"

    def start(role: str, region: str, expected: int):
        m.status(role, "POST", path, expected, json={**body, "variables": {**body["variables"],
                                                                          "region": {"value": region}}})

    start("changchun.ssb", "changchun", 403)    # not a starter group of injury claims
    start("jilin.hrss", "changchun", 403)       # a starter, but not of that region
    start(MANAGER, "changchun", 403)            # managers follow cases, they do not file them
    start(OUTLET, "changchun", 200)             # outlets file their couriers' claims
    start("changchun.hrss", "changchun", 200)
    m.check()
