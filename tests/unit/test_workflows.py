"""The Jilin process pack in workflows/: it deploys, every diagram is a complete drawing, it follows
workflows/CONTRACT.md (topics, decisions, candidate groups, stages, forms), and every process runs on
the engine with stub handlers that return what the contract promises."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from app.engine.decisions import evaluate_decision
from app.engine.deployment import parse_deployment
from app.engine.runtime import Context, Engine
from app.engine.serializer import SpecBundle, dump_state
from app.services import forms
from app.services.typed_values import TypedValue

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
CONTRACT = (WORKFLOWS / "CONTRACT.md").read_text(encoding="utf-8")
BPMN_FILES = sorted(WORKFLOWS.glob("*.bpmn"))
DMN_FILES = sorted(WORKFLOWS.glob("*.dmn"))
RESOURCES = {p.name: p.read_bytes() for p in BPMN_FILES + DMN_FILES}

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "camunda": "http://camunda.org/schema/1.0/bpmn", "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"

PROCESSES = ["monthly_outlet_list", "outlet_enrolment", "contribution", "personnel_change", "injury_claim",
             "disability_appraisal", "benefit_payment"]
STAGES = {"enrolment", "contribution", "injury_determination", "disability_appraisal", "benefit_payment"}
START_VARIABLES = {  # CONTRACT.md, "Processes": the start forms of the processes people start
    "monthly_outlet_list": {"region", "month", "outlets_json"},
    "contribution": {"outlet_id", "region", "period", "wages_usable", "last_year_wages"},
    "personnel_change": {"outlet_id", "region", "courier_id", "courier_name", "id_number", "change", "change_date"},
    "injury_claim": {"claim_no", "courier_id", "outlet_id", "region", "accident_date", "filed_on", "applicant_kind",
                     "description"},
}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
ACTIVITIES = {"task", "userTask", "serviceTask", "businessRuleTask", "scriptTask", "sendTask", "receiveTask",
              "manualTask", "callActivity", "subProcess", "transaction"}
SIZES = {**{k: (36, 36) for k in EVENTS}, **{k: (50, 50) for k in GATEWAYS}, **{k: (100, 80) for k in ACTIVITIES}}


def local(node) -> str:
    return etree.QName(node).localname


def tree(path: Path):
    return etree.fromstring(path.read_bytes())


def process_of(root):
    [process] = root.findall(f"{{{BPMN_NS}}}process")
    return process


def flow_nodes(process) -> list:
    return [n for n in process.iter(etree.Element) if local(n) in SIZES]


def contract_topics() -> set[str]:
    return set(re.findall(r"`(jilin\.[a-z_]+)`", CONTRACT))


def contract_decisions() -> dict[str, tuple[str, str]]:
    """decision id -> (result variable, mapDecisionResult), from the decisions table of CONTRACT.md."""
    rows = {}
    for line in CONTRACT.splitlines():
        match = re.match(r"^\| `(\w+)`.*→ `(\w+)` / (\w+)", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def dmn_decisions() -> dict[str, etree._Element]:
    return {d.get("id"): d for p in DMN_FILES for d in tree(p).findall(f"{{{NS['dmn']}}}decision")}


@pytest.fixture(scope="module")
def deployed():
    return parse_deployment(RESOURCES)


# --- (a) and (f): the pack deploys; one process per file, named after it ---------------------------------

def test_every_process_of_the_contract_has_its_file():
    assert sorted(p.stem for p in BPMN_FILES) == sorted(PROCESSES)
    assert {p.name for p in DMN_FILES} == {"eligibility.dmn", "contribution_rate.dmn", "benefit_grades.dmn",
                                           "jilin_figures.dmn"}


def test_all_files_deploy_together(deployed):
    assert len(contract_decisions()) == 8
    assert sorted(p.key for p in deployed.processes) == sorted(PROCESSES)
    assert {d.key for d in deployed.decisions} == set(contract_decisions()) | {"care_allowance"}


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_file_name_is_the_process_id_and_the_process_is_executable(path):
    process = process_of(tree(path))
    assert process.get("id") == path.stem
    assert process.get("isExecutable") == "true"
    assert process.get(f"{CAMUNDA}historyTimeToLive")
    assert re.search(r"[\u4e00-\u9fff]", process.get("name") or "")


# --- (b) every diagram is a complete drawing -------------------------------------------------------------

def bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def on_border(point, box) -> bool:
    (px, py), (x, y, w, h) = point, box
    inside_x, inside_y = x - 0.5 <= px <= x + w + 0.5, y - 0.5 <= py <= y + h + 0.5
    return (inside_y and (abs(px - x) < 0.5 or abs(px - x - w) < 0.5)) or \
        (inside_x and (abs(py - y) < 0.5 or abs(py - y - h) < 0.5))


def on_gateway_border(point, box) -> bool:
    """A gateway is drawn as a diamond: edges meet it at one of its four corners."""
    x, y, w, h = box
    corners = {(x, y + h / 2), (x + w, y + h / 2), (x + w / 2, y), (x + w / 2, y + h)}
    return any(abs(point[0] - cx) < 0.5 and abs(point[1] - cy) < 0.5 for cx, cy in corners)


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def through(points, box) -> bool:
    x, y, w, h = box
    for (x1, y1), (x2, y2) in pairwise(points):
        if x1 == x2 and x < x1 < x + w and max(min(y1, y2), y) < min(max(y1, y2), y + h):
            return True
        if y1 == y2 and y < y1 < y + h and max(min(x1, x2), x) < min(max(x1, x2), x + w):
            return True
    return False


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_diagram_is_a_complete_drawing(path):
    root = tree(path)
    process = process_of(root)
    [plane] = root.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == process.get("id")
    in_process = {n.get("id") for n in process.iter(etree.Element) if n.get("id")}
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert set(shapes) | set(edges) <= in_process, "every drawn element belongs to this file's process"
    assert len(root.findall("bpmndi:BPMNDiagram", NS)) == 1

    nodes = {n.get("id"): n for n in flow_nodes(process)}
    assert set(nodes) - set(shapes) == set(), "flow nodes without a shape"
    boxes = {}
    for nid, node in nodes.items():
        box = bounds(shapes[nid])
        assert box[2:] == SIZES[local(node)], f"{nid} has size {box[2:]}"
        assert box[0] >= 0 and box[1] >= 0, f"{nid} is off the canvas"
        boxes[nid] = box
    plain = [n for n in nodes if local(nodes[n]) != "boundaryEvent"]
    clashes = [(a, b) for i, a in enumerate(plain) for b in plain[i + 1:] if overlap(boxes[a], boxes[b])]
    assert clashes == []
    for nid, node in nodes.items():
        if local(node) == "boundaryEvent":
            x, y, w, h = boxes[nid]
            assert on_border((x + w / 2, y + h / 2), boxes[node.get("attachedToRef")]), \
                f"{nid} is not on its task's border"

    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        fid, src, dst = flow.get("id"), flow.get("sourceRef"), flow.get("targetRef")
        assert fid in edges, f"sequence flow {fid} has no edge"
        points = [(float(w.get("x")), float(w.get("y"))) for w in edges[fid].findall("di:waypoint", NS)]
        assert len(points) >= 2, fid
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in pairwise(points)), f"{fid} is not orthogonal"
        for point, end in ((points[0], src), (points[-1], dst)):
            touches = on_gateway_border if local(nodes[end]) in GATEWAYS else on_border
            assert touches(point, boxes[end]), f"{fid} does not start/end on the border of {end}"
        crossed = [n for n in plain if n not in (src, dst) and through(points, boxes[n])]
        assert crossed == [], f"{fid} runs through {crossed}"


# --- (c) user tasks, call activities, start forms ----------------------------------------------------------

def form_fields(node) -> list:
    return node.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS)


def stage(node) -> str | None:
    values = [p.get("value") for p in node.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
              if p.get("name") == "stage"]
    return values[0] if values else None


def user_tasks():
    return [(p.stem, t) for p in BPMN_FILES for t in process_of(tree(p)).iter(f"{{{BPMN_NS}}}userTask")]


@pytest.mark.parametrize("where,task", user_tasks(), ids=lambda v: v if isinstance(v, str) else v.get("id"))
def test_user_task_has_a_queue_a_form_and_a_stage(where, task):
    assert task.get(f"{CAMUNDA}candidateGroups") or task.get(f"{CAMUNDA}assignee")
    fields = form_fields(task)
    assert fields, "a form with at least one field"
    assert any(f.find("camunda:validation/camunda:constraint[@name='required']", NS) is not None for f in fields), \
        "the case worker must decide something"
    assert all(re.search(r"[\u4e00-\u9fff]", f.get("label") or "") for f in fields), "Chinese labels"
    assert all(f.get("type") in ("string", "long", "boolean", "date", "enum") for f in fields)
    assert stage(task) in STAGES
    assert re.search(r"[\u4e00-\u9fff]", task.get("name") or "")


def test_every_call_activity_has_a_stage_and_a_business_key():
    calls = [c for p in BPMN_FILES for c in process_of(tree(p)).iter(f"{{{BPMN_NS}}}callActivity")]
    assert {c.get("calledElement") for c in calls} == {"outlet_enrolment", "disability_appraisal", "benefit_payment"}
    for call in calls:
        assert stage(call) in STAGES
        assert call.get("calledElement") in PROCESSES
        assert call.findall("bpmn:extensionElements/camunda:in[@businessKey]", NS)


@pytest.mark.parametrize("pid", PROCESSES)
def test_start_event_form_and_first_task_read_the_settings(pid):
    process = process_of(tree(WORKFLOWS / f"{pid}.bpmn"))
    [start] = process.findall("bpmn:startEvent", NS)
    fields = {f.get("id") for f in form_fields(start)}
    assert fields == START_VARIABLES.get(pid, set())
    [first] = [f.get("targetRef") for f in process.findall("bpmn:sequenceFlow", NS) if f.get("sourceRef") == "start"]
    task = process.find(f"*[@id='{first}']")
    assert (local(task), task.get("name"), task.get(f"{CAMUNDA}decisionRef"), task.get(f"{CAMUNDA}resultVariable"),
            task.get(f"{CAMUNDA}mapDecisionResult")) == (
        "businessRuleTask", "读取参数", "pack_settings", "settings", "singleResult")


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_gateway_branches_have_conditions_or_are_the_default(path):
    process = process_of(tree(path))
    for gateway in process.findall("bpmn:exclusiveGateway", NS):
        outgoing = [f for f in process.findall("bpmn:sequenceFlow", NS) if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            condition = flow.find("bpmn:conditionExpression", NS)
            assert flow.get("id") == gateway.get("default") or (
                condition is not None and condition.text.strip().startswith("${")), flow.get("id")


# --- (d) topics and decisions come from the contract ------------------------------------------------------

def test_every_external_task_topic_is_in_the_contract_and_every_contract_topic_is_used():
    used = set()
    for path in BPMN_FILES:
        for task in process_of(tree(path)).iter(f"{{{BPMN_NS}}}serviceTask"):
            assert task.get(f"{CAMUNDA}type") == "external", task.get("id")
            used.add(task.get(f"{CAMUNDA}topic"))
    assert used - contract_topics() == set()
    assert contract_topics() - used == set()


def test_every_business_rule_task_uses_a_decision_of_the_pack_as_the_contract_says():
    decisions, expected = dmn_decisions(), {**contract_decisions(), "care_allowance": ("care_pct", "singleEntry")}
    seen = set()
    for path in BPMN_FILES:
        for task in process_of(tree(path)).iter(f"{{{BPMN_NS}}}businessRuleTask"):
            ref = task.get(f"{CAMUNDA}decisionRef")
            assert ref in decisions, ref
            assert (task.get(f"{CAMUNDA}resultVariable"), task.get(f"{CAMUNDA}mapDecisionResult")) == expected[ref]
            seen.add(ref)
    assert set(expected) - seen == {"disposable_income"}  # death benefits are not drawn yet


# --- (e) candidate groups ---------------------------------------------------------------------------------

GROUP = re.compile(r"^(\$\{region\}-(hrss|ssb|postal|tax|appraisal|managers)|\$\{employer_group\}|jl-appraisal"
                   r"|outlet-\$\{outlet_id\})$")


@pytest.mark.parametrize("where,task", user_tasks(), ids=lambda v: v if isinstance(v, str) else v.get("id"))
def test_candidate_groups_start_from_the_region_or_the_employer(where, task):
    """`outlet-${outlet_id}` is the employer group of an outlet before jilin.determine_employer ran (CONTRACT.md,
    告知不予纳入原因); every other group is an agency of the region, the employer, or the provincial committee."""
    for group in (task.get(f"{CAMUNDA}candidateGroups") or "").split(","):
        assert GROUP.match(group.strip()), group


# --- the decision tables ----------------------------------------------------------------------------------

def test_every_dmn_element_has_an_id_and_every_decision_a_description():
    for path in DMN_FILES:
        root = tree(path)
        for node in root.iter(etree.Element):
            if local(node) in ("decision", "decisionTable", "input", "inputExpression", "output", "rule",
                               "inputEntry", "outputEntry", "DMNShape", "DMNDiagram"):
                assert node.get("id"), f"{path.name}: a {local(node)} without id"
        for decision in root.findall("dmn:decision", NS):
            assert (decision.findtext("dmn:description", namespaces=NS) or "").strip()
        shapes = {s.get("dmnElementRef") for s in root.iter("{https://www.omg.org/spec/DMN/20191111/DMNDI/}DMNShape")}
        assert shapes == {d.get("id") for d in root.findall("dmn:decision", NS)}


def test_placeholder_figures_are_flagged():
    decisions = dmn_decisions()
    for did in ("regional_average_wage", "province_average_wage", "disposable_income", "leaving_lump_sums"):
        assert "PLACEHOLDER" in decisions[did].findtext("dmn:description", namespaces=NS), did


def decide(file: str, decision: str, **variables):
    [result] = evaluate_decision(RESOURCES[file], decision, variables, resource=file)
    return result


@pytest.mark.parametrize("facts,eligible,reason", [
    ((True, False, False), True, ""),
    ((False, False, False), False, "全部社会保险"),
    ((True, True, False), False, "劳务派遣单位"),
    ((False, True, True), False, "全部社会保险"),
    ((True, False, True), False, "印发前已按规定参加工伤保险"),
])
def test_eligibility_gives_the_first_reason_in_chinese(facts, eligible, reason):
    result = decide("eligibility.dmn", "eligibility", flexible_staffing=facts[0], uses_labour_dispatch=facts[1],
                    insured_before_notice=facts[2])
    assert result["eligible"] is eligible and reason in result["reason"] and bool(result["reason"]) != eligible


@pytest.mark.parametrize("cls,grade,rate", [(2, 3, "0.004"), (2, 1, "0.002"), (2, 5, "0.006"), (1, 1, "0.002"),
                                            (1, 5, "0.003"), (8, 4, "0.0228"), (5, 2, "0.0088")])
def test_contribution_rate_is_base_rate_times_grade(cls, grade, rate):
    result = decide("contribution_rate.dmn", "contribution_rate", industry_class=cls, floating_grade=grade)
    assert Decimal(str(result["rate"])) == Decimal(rate)
    assert Decimal(str(result["base_rate"])) * Decimal(str(result["multiplier"])) == Decimal(rate)


def test_benefit_grades_and_care_allowance_follow_the_regulation():
    months = [decide("benefit_grades.dmn", "benefit_grades", grade=str(g))["grant_months"] for g in range(1, 11)]
    assert months == [27, 25, 23, 21, 18, 16, 13, 11, 9, 7]
    assert decide("benefit_grades.dmn", "benefit_grades", grade="6") == {
        "grant_months": 16, "allowance_pct": 60, "allowance_payer": "employer"}
    assert decide("benefit_grades.dmn", "benefit_grades", grade="none")["grant_months"] == 0
    care = {s: decide("benefit_grades.dmn", "care_allowance", self_care=s)["care_pct"]
            for s in ("total", "mostly", "partly", "none")}
    assert care == {"total": 50, "mostly": 40, "partly": 30, "none": 0}


def test_pack_settings_are_the_contract_settings():
    line = next(line for line in CONTRACT.splitlines() if "Settings (strings)" in line)
    start = CONTRACT.index(line)
    text = CONTRACT[start:CONTRACT.index("Every process starts with", start)]
    expected = dict(re.findall(r"`(\w+)` `([^`]+)`", text))
    assert len(expected) == 15
    assert decide("jilin_figures.dmn", "pack_settings") == expected


def test_reference_figures_of_the_brief():
    assert decide("jilin_figures.dmn", "province_average_wage", previous_year=2021) == {
        "monthly_average_wage": "6384.83"}
    assert decide("jilin_figures.dmn", "disposable_income", year=2021) == {"yearly_income": "47412"}
    assert decide("jilin_figures.dmn", "regional_average_wage", region="yanbian", accident_year=2022)[
        "monthly_average_wage"] == "6384.83"
    assert decide("jilin_figures.dmn", "leaving_lump_sums", grade="3") == {"medical_months": 0, "employment_months": 0}


# --- smoke: every process runs on the engine with stub handlers ---------------------------------------------

TODAY = datetime.now(UTC).date()
DECISION_DUE = (TODAY + timedelta(days=60)).isoformat()


def stub_handlers(calls: list) -> dict:
    """What each topic's handler returns, per CONTRACT.md; every call is recorded as (topic, variables)."""
    outlet = {"outlet_name": "长春朝阳区某快递网点", "outlet_kind": "licensed", "has_employer_status": True,
              "flexible_staffing": True, "uses_labour_dispatch": False, "insured_before_notice": False,
              "industry_class": 2, "floating_grade": 3, "parent_enterprise_id": None, "previous_year": 2021}
    results = {
        "jilin.register_outlet_list": {"outlet_ids": ["CC-001", "CC-002"]},
        "jilin.load_outlet": outlet,
        "jilin.record_out_of_scope": {},
        "jilin.determine_employer": {"employer_id": "CC-001", "employer_kind": "outlet", "employer_name": "某快递网点",
                                     "employer_group": "outlet-CC-001"},
        "jilin.send_enrolment_reminder": {},
        "jilin.escalate_to_postal": {},
        "jilin.register_enrolment": {},
        "jilin.file_roster": {},
        "jilin.publish_insurance_status": {},
        "jilin.assess_premium": {"premium": "255.39", "premium_calc": {"amount": "255.39", "formula": "w*n*r",
                                                                       "inputs": {}},
                                 "base_kind": "average_wage", "insured_headcount": 10,
                                 "due_date": (TODAY + timedelta(days=15)).isoformat()},
        "jilin.record_contribution_payment": {"late_days": 0, "late_fee": "0.00", "late_fee_calc": {},
                                              "period_status": "paid"},
        "jilin.check_personnel_change": {"filed_late": False},
        "jilin.apply_personnel_change": {},
        "jilin.check_filing_deadline": {"filing_refused": False, "refusal_reason": "", "late_employer": False,
                                        "late_days": 0},
        "jilin.close_claim": {},
        "jilin.request_materials": {},
        "jilin.accept_claim": {"accepted_on": TODAY.isoformat(), "decision_due": DECISION_DUE},
        "jilin.resume_decision_clock": {"decision_due": (TODAY + timedelta(days=75)).isoformat()},
        "jilin.deliver_decision": {},
        "jilin.flag_overdue": {},
        "jilin.record_appraisal": {"concluded_on": TODAY.isoformat(),
                                   "reappraisal_deadline": (TODAY + timedelta(days=15)).isoformat(),
                                   "employer_group": "enterprise-E1"},
        "jilin.determine_payer": {"payer": "fund", "payer_reason": "已参保、已缴费、在花名册内", "on_roster": True,
                                  "employer_group": "outlet-CC-001", "accident_year": 2022},
        "jilin.compute_benefits": {"base_wage": "5000.00", "base_wage_calc": {}, "one_off_grant": "90000.00",
                                   "monthly_allowance": "3500.00", "care_allowance_amount": "1915.45",
                                   "fund_items": [{"item": "one_off_grant", "amount": "90000.00",
                                                   "formula": "18×5000"}],
                                   "employer_items": [{"item": "monthly_allowance", "amount": "3500.00",
                                                       "formula": "70%×5000"}]},
        "jilin.record_fund_payment": {},
        "jilin.record_employer_payment": {},
    }
    assert set(results) == contract_topics()

    def handler(topic):
        def run(call):
            calls.append((topic, dict(call.variables)))
            return results[topic]
        return run
    return {topic: handler(topic) for topic in results}


class Case:
    """One process instance driven through the engine as a case worker would: forms validated like the service."""

    def __init__(self, deployed, key: str, variables: dict, business_key: str, **overrides):
        definition = next(p for p in deployed.processes if p.key == key)
        if definition.start_form:
            forms.validate(definition.start_form["fields"], {k: TypedValue("Object", v) for k, v in variables.items()},
                           {}, key)
        self.calls: list = []
        handlers = stub_handlers(self.calls)
        for topic, result in overrides.items():
            handlers[f"jilin.{topic}"] = lambda call, result=result, topic=topic: (
                self.calls.append((f"jilin.{topic}", dict(call.variables))) or result)
        self.bundle, self.engine = SpecBundle(definition.spec_json), Engine(handlers)
        self.ctx = Context(business_key, f"pi-{key}")
        self.open: dict = {}
        self.pending: dict = {}
        self.call_requests: dict = {}
        self.apply(self.engine.start(self.bundle, variables, self.ctx))

    def apply(self, outcome):
        """Take an outcome in, then run its handler calls and async continuations as the job executor would."""
        self.outcome, self.state = outcome, outcome.state
        self.open = {k: t for k, t in self.open.items() if t.id not in outcome.closed}
        self.open.update({t.activity_id: t for t in outcome.opened})
        closed = {w.task_id for w in outcome.work_closed}
        self.pending = {k: w for k, w in self.pending.items() if k not in closed}
        self.pending.update({w.task_id: w for w in outcome.work_opened if w.kind in ("handler", "async")})
        self.call_requests.update({c.activity_id: c for c in outcome.calls})
        if self.pending:
            task_id, item = next(iter(self.pending.items()))
            if item.kind == "handler":
                return self.apply(self.engine.run_handler(self.bundle, self.state, task_id, self.ctx, "job-1"))
            return self.apply(self.engine.run_async(self.bundle, self.state, task_id, self.ctx))
        return outcome

    def task(self, activity_id: str):
        assert activity_id in self.open, f"{activity_id} is not open; open: {sorted(self.open)}"
        return self.open[activity_id]

    def complete(self, activity_id: str, values: dict):
        task = self.task(activity_id)
        forms.validate(task.form_fields, {k: TypedValue("Object", v) for k, v in values.items()}, {}, task.name)
        return self.apply(self.engine.complete_user_task(self.bundle, self.state, task.id, values, self.ctx))

    def send(self, message: str, variables: dict | None = None):
        return self.apply(self.engine.send_message(self.bundle, self.state, message, variables or {}, self.ctx))

    def finish_call(self, activity_id: str, variables: dict):
        call = self.call_requests.pop(activity_id)
        return self.apply(self.engine.complete_call(self.bundle, self.state, call.task_id, variables, self.ctx))

    def topics(self) -> list[str]:
        return [topic for topic, _ in self.calls]

    def seen_by(self, topic: str) -> dict:
        return [v for t, v in self.calls if t == topic][-1]

    def fire_timer(self, activity_id: str):
        """Fast-forward a boundary timer (the engine reports timers; a scheduler fires them)."""
        wf = self.bundle.load(self.state)
        [timer] = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id == activity_id]
        timer.internal_data["event_value"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        wf.refresh_timers()
        self.state = dump_state(wf)

    def message_waits(self) -> set[str]:
        return {s.name for s in self.outcome.subscriptions if s.event_type == "MessageEventDefinition"}

    def timers(self) -> dict[str, str]:
        kinds = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")
        return {s.activity_id: s.value for s in self.outcome.subscriptions if s.event_type in kinds}


def due_in_days(task) -> int:
    return round((task.due - datetime.now(UTC)).total_seconds() / 86400)


def test_monthly_outlet_list_starts_one_enrolment_per_outlet(deployed):
    case = Case(deployed, "monthly_outlet_list", {"region": "changchun", "month": "2022-03",
                                                  "outlets_json": '["CC-001", "CC-002"]'}, "changchun-2022-03")
    assert case.topics() == ["jilin.register_outlet_list"]
    assert case.seen_by("jilin.register_outlet_list")["settings"]["acceptance_days"] == "15"
    calls = case.outcome.calls
    assert [(c.called_element, c.business_key, c.variables) for c in calls] == [
        ("outlet_enrolment", "CC-001", {"outlet_id": "CC-001", "region": "changchun"}),
        ("outlet_enrolment", "CC-002", {"outlet_id": "CC-002", "region": "changchun"})]
    for call in calls:
        case.apply(case.engine.complete_call(case.bundle, case.state, call.task_id, {}, case.ctx))
    assert case.outcome.ended


def test_monthly_outlet_list_without_outlets_ends(deployed):
    case = Case(deployed, "monthly_outlet_list", {"region": "jilin", "month": "2022-04", "outlets_json": "[]"},
                "jilin-2022-04", register_outlet_list={"outlet_ids": []})
    assert case.outcome.ended and case.outcome.calls == []


def test_outlet_enrolment_registers_an_eligible_outlet(deployed):
    case = Case(deployed, "outlet_enrolment", {"outlet_id": "CC-001", "region": "changchun"}, "CC-001")
    assert case.topics() == ["jilin.load_outlet", "jilin.determine_employer"]
    apply = case.task("submit_application")
    assert apply.candidate_groups == ("outlet-CC-001",) and due_in_days(apply) == 30
    assert set(case.timers()) == {"reminder_timer", "escalate_timer"} and all(case.timers().values())
    case.complete("submit_application", {"application_submitted": True, "contact_person": "张三",
                                         "contact_phone": "0431-00000000"})
    assert case.task("review_enrolment").candidate_groups == ("changchun-ssb",)
    case.complete("review_enrolment", {"approved": False, "review_comment": "营业执照复印件不清晰"})
    case.complete("submit_application", {"application_submitted": True, "contact_person": "张三",
                                         "contact_phone": "0431-00000000"})
    case.complete("review_enrolment", {"approved": True, "registration_no": "220100-0001"})
    roster = case.task("submit_roster")
    assert roster.candidate_groups == ("outlet-CC-001",) and due_in_days(roster) == 30
    case.complete("submit_roster", {"roster_json": '[{"courier_id": "K1", "name": "李四", "id_number": '
                                                   '"220102199001010011", "start_date": "2022-03-01"}]'})
    assert case.topics()[-3:] == ["jilin.register_enrolment", "jilin.file_roster", "jilin.publish_insurance_status"]
    assert case.outcome.ended


def test_outlet_enrolment_escalates_to_the_postal_bureau(deployed):
    case = Case(deployed, "outlet_enrolment", {"outlet_id": "CC-001", "region": "changchun"}, "CC-001")
    case.fire_timer("escalate_timer")
    case.complete("submit_application", {"application_submitted": True, "contact_person": "张三",
                                         "contact_phone": "0431-00000000"})
    assert "jilin.escalate_to_postal" in case.topics()
    assert case.task("urge_outlet").candidate_groups == ("changchun-postal",)


def test_outlet_enrolment_records_why_an_outlet_is_out_of_scope(deployed):
    case = Case(deployed, "outlet_enrolment", {"outlet_id": "SP-009", "region": "siping"}, "SP-009",
                load_outlet={"outlet_name": "四平某网点", "flexible_staffing": True, "uses_labour_dispatch": True,
                             "insured_before_notice": False, "industry_class": 2, "floating_grade": 3})
    assert case.topics() == ["jilin.load_outlet", "jilin.record_out_of_scope"]
    seen = case.seen_by("jilin.record_out_of_scope")["eligibility"]
    assert seen["eligible"] is False and "劳务派遣" in seen["reason"]
    notice = case.task("notify_out_of_scope")
    assert notice.candidate_groups == ("outlet-SP-009",) and "劳务派遣" in notice.description
    case.complete("notify_out_of_scope", {"out_of_scope_acknowledged": True})
    assert case.outcome.ended


def test_contribution_assesses_with_the_rate_table_and_the_province_wage(deployed):
    case = Case(deployed, "contribution", {"outlet_id": "CC-001", "region": "changchun", "period": "2022-03",
                                           "wages_usable": False, "last_year_wages": ""}, "CC-001-2022-03")
    seen = case.seen_by("jilin.assess_premium")
    assert seen["rate_table"] == {"base_rate": "0.004", "multiplier": "1.0", "rate": "0.004"}
    assert seen["province_wage"] == "6384.83" and Decimal(str(seen["rate_table"]["rate"])) == Decimal("0.004")
    assert case.task("confirm_assessment").candidate_groups == ("changchun-ssb",)
    case.complete("confirm_assessment", {"premium_confirmed": False, "wages_usable": True,
                                         "last_year_wages": "600000.00"})
    assert case.seen_by("jilin.assess_premium")["wages_usable"] is True
    case.complete("confirm_assessment", {"premium_confirmed": True})
    collect = case.task("collect_premium")
    assert collect.candidate_groups == ("changchun-tax",) and collect.due.date() == TODAY + timedelta(days=15)
    case.complete("collect_premium", {"paid_on": TODAY.isoformat(), "amount_paid": "255.39"})
    assert case.topics()[-1] == "jilin.record_contribution_payment" and case.outcome.ended


def test_personnel_change_is_filed(deployed):
    case = Case(deployed, "personnel_change", {
        "outlet_id": "CC-001", "region": "changchun", "courier_id": "K2", "courier_name": "王五",
        "id_number": "220102199202020022", "change": "join", "change_date": "2022-03-10"}, "CC-001-K2-2022-03-10")
    task = case.task("file_change")
    assert task.candidate_groups == ("changchun-ssb",) and "增员" in task.description
    case.complete("file_change", {"filing_accepted": True})
    assert case.topics() == ["jilin.check_personnel_change", "jilin.apply_personnel_change"] and case.outcome.ended


CLAIM = {"claim_no": "GS-2022-0001", "courier_id": "K1", "outlet_id": "CC-001", "region": "changchun",
         "accident_date": "2022-05-03", "filed_on": "2022-05-20", "applicant_kind": "employer",
         "description": "派件途中发生交通事故，右腿骨折"}


def test_injury_claim_runs_to_appraisal_and_benefits(deployed):
    case = Case(deployed, "injury_claim", CLAIM, CLAIM["claim_no"])
    review = case.task("review_claim")
    assert review.candidate_groups == ("changchun-hrss",) and due_in_days(review) == 15
    assert set(case.timers()) == {"acceptance_timer"}
    case.complete("review_claim", {"materials_complete": False, "missing_materials": "医疗诊断证明", "clear_case": False})
    assert case.topics()[-1] == "jilin.request_materials" and case.message_waits() == {"materials_supplemented"}
    case.send("materials_supplemented", {"supplemented_on": TODAY.isoformat()})
    case.complete("accept_supplemented", {"supplement_checked": True, "clear_case": False})
    assert case.topics()[-1] == "jilin.accept_claim"
    investigate = case.task("investigate")
    assert investigate.due.date().isoformat() == DECISION_DUE
    case.complete("investigate", {"findings": "交通事故认定书待出具", "conclusion_pending": True,
                                  "paused_on": TODAY.isoformat()})
    assert case.message_waits() == {"conclusion_received"}
    case.send("conclusion_received", {"conclusion": "对方负全部责任"})
    assert case.topics()[-1] == "jilin.resume_decision_clock"
    decide_task = case.task("decide_claim")
    assert decide_task.due.date() == TODAY + timedelta(days=75)
    assert case.timers() == {"decision_timer": (TODAY + timedelta(days=75)).isoformat()}
    case.complete("decide_claim", {"decision": "work_injury", "decision_reason": "工作时间内因工作原因受到事故伤害",
                                   "disability_remains": True})
    assert case.topics()[-1] == "jilin.deliver_decision"
    [call] = case.outcome.calls
    assert (call.called_element, call.business_key) == ("disability_appraisal", "GS-2022-0001")
    assert call.variables == {k: CLAIM[k] for k in ("claim_no", "courier_id", "outlet_id", "region", "accident_date")}
    case.finish_call("call_appraisal", {"grade": "5", "self_care": "partly", "secret": "not mapped"})
    [call] = case.outcome.calls
    assert (call.called_element, call.business_key) == ("benefit_payment", "GS-2022-0001")
    assert call.variables["grade"] == "5" and call.variables["self_care"] == "partly"
    assert "secret" not in call.variables
    case.finish_call("call_benefits", {"payer": "fund", "fund_items": [], "employer_items": []})
    assert case.outcome.ended and case.outcome.subscriptions == [] and case.open == {}


def test_injury_claim_out_of_time_is_refused(deployed):
    case = Case(deployed, "injury_claim", CLAIM, CLAIM["claim_no"],
                check_filing_deadline={"filing_refused": True, "refusal_reason": "超过1年申请时限",
                                       "late_employer": False, "late_days": 400})
    assert case.topics()[-1] == "jilin.close_claim" and case.outcome.ended and case.open == {}


def test_injury_claim_not_a_work_injury_is_closed(deployed):
    case = Case(deployed, "injury_claim", CLAIM, CLAIM["claim_no"])
    case.complete("review_claim", {"materials_complete": True, "clear_case": True})
    case.complete("investigate", {"findings": "下班后饮酒", "conclusion_pending": False})
    case.fire_timer("decision_timer")
    case.complete("decide_claim", {"decision": "not_work_injury", "decision_reason": "醉酒（第16条）",
                                   "disability_remains": False})
    assert sorted(case.topics()[-3:]) == ["jilin.close_claim", "jilin.deliver_decision", "jilin.flag_overdue"]
    assert case.task("supervise_decision").candidate_groups == ("changchun-managers",) and not case.outcome.ended
    case.complete("supervise_decision", {"decision_supervision_note": "已督促承办人"})
    assert case.outcome.ended


def test_injury_claim_overdue_acceptance_goes_to_the_supervisors(deployed):
    case = Case(deployed, "injury_claim", CLAIM, CLAIM["claim_no"])
    case.fire_timer("acceptance_timer")
    case.complete("review_claim", {"materials_complete": True, "clear_case": True})
    assert "jilin.flag_overdue" in case.topics()
    assert case.task("supervise_acceptance").candidate_groups == ("changchun-managers",)
    assert "investigate" in case.open


def test_disability_appraisal_with_provincial_reappraisal(deployed):
    start = {k: CLAIM[k] for k in ("claim_no", "courier_id", "outlet_id", "region", "accident_date")}
    case = Case(deployed, "disability_appraisal", start, CLAIM["claim_no"])
    assert case.task("accept_application").candidate_groups == ("changchun-appraisal",)
    case.complete("accept_application", {"appraisal_applicant": "courier", "appraisal_materials_complete": True})
    expert = case.task("expert_appraisal")
    assert expert.candidate_groups == ("changchun-appraisal",) and due_in_days(expert) == 60
    case.complete("expert_appraisal", {"grade": "7", "self_care": "none", "extended": False})
    ask = case.task("ask_reappraisal")
    assert ask.candidate_groups == ("enterprise-E1",) and ask.due.date() == TODAY + timedelta(days=15)
    case.complete("ask_reappraisal", {"request_reappraisal": True})
    assert case.task("provincial_reappraisal").candidate_groups == ("jl-appraisal",)
    case.complete("provincial_reappraisal", {"grade": "6", "self_care": "partly"})
    assert case.topics().count("jilin.record_appraisal") == 2
    final = case.outcome.variables
    assert case.outcome.ended and (final["grade"], final["self_care"]) == ("6", "partly")


def test_benefit_payment_reads_the_tables_and_pays_fund_and_employer_items(deployed):
    start = {**{k: CLAIM[k] for k in ("claim_no", "courier_id", "outlet_id", "region", "accident_date")},
             "decision": "work_injury", "late_employer": False, "late_days": 0, "grade": "5", "self_care": "partly"}
    case = Case(deployed, "benefit_payment", start, CLAIM["claim_no"])
    base = case.task("confirm_base_wage")
    assert base.candidate_groups == ("changchun-ssb",)
    case.complete("confirm_base_wage", {"average_contribution_wage": "5000.00"})
    seen = case.seen_by("jilin.compute_benefits")
    assert seen["grade_table"] == {"grant_months": 18, "allowance_pct": 70, "allowance_payer": "employer"}
    assert seen["care_pct"] == 30 and seen["average_wage"] == "6384.83"
    assert seen["lump_sums"] == {"medical_months": 18, "employment_months": 36}
    assert seen["average_contribution_wage"] == "5000.00" and seen["settings"]["base_wage_floor_pct"] == "60"
    case.complete("approve_benefits", {"benefits_approved": False, "approval_note": "本人工资有误"})
    case.complete("confirm_base_wage", {"average_contribution_wage": "5100.00"})
    case.complete("approve_benefits", {"benefits_approved": True})
    assert case.topics()[-1] == "jilin.record_fund_payment"
    assert case.task("pay_employer_items").candidate_groups == ("outlet-CC-001",)
    case.complete("pay_employer_items", {"employer_paid_on": TODAY.isoformat(), "employer_amount_paid": "3500.00"})
    assert case.topics()[-1] == "jilin.record_employer_payment" and case.outcome.ended
