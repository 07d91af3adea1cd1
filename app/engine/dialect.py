"""Translate the Camunda dialect of a BPMN document into what SpiffWorkflow runs, and refuse the rest.

SpiffWorkflow evaluates every expression as Python. Diagrams from the Camunda Modeler use JUEL
(`${...}`), bare ISO-8601 timer strings and extension elements Spiff silently ignores. This pass
rewrites expressions in the XML tree in place (so Spiff's own parsers see Python), checks every
piece of diagram code against the sandbox, and reports unsupported features as problems that name
the element and line, instead of letting them be ignored at run time.
"""
from __future__ import annotations

import re

from lxml import etree

from . import juel, sandbox
from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

ASSIGNMENT_ATTRIBUTES = ("assignee", "candidateGroups", "candidateUsers", "dueDate", "followUpDate", "priority")
PYTHON_LANGUAGES = {"", "python", "py", "python3", "juel"}
_ISO_TIMER = re.compile(r"^(R\d*/|P(?=\d|T)|\d{4}-\d{2}-\d{2})")
_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")
_SIMPLE_JUEL_NAME = re.compile(r"^\s*[$#]\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\s*$")

_EXPRESSION_XPATH = ("//bpmn:sequenceFlow/bpmn:conditionExpression | //bpmn:conditionalEventDefinition/bpmn:condition"
                     " | //bpmn:completionCondition | //bpmn:loopCardinality | //bpmn:loopCondition")
_TIMER_XPATH = "//bpmn:timerEventDefinition/*[self::bpmn:timeDate or self::bpmn:timeDuration or self::bpmn:timeCycle]"
_REFUSED_EXTENSIONS = {
    "executionListener": "execution listeners are not supported; model the step as a script or service task",
    "taskListener": "task listeners are not supported; model the step as a script or service task",
    "inputOutput": "camunda:inputOutput mappings are not supported; set variables in a script task",
    "connector": "camunda connectors are not supported; use camunda:type=\"external\" with a topic",
    "field": "camunda:field injection is not supported",
}
_REFUSED_IMPLEMENTATIONS = ("class", "delegateExpression", "expression")


def element_context(node: etree._Element) -> tuple[str | None, int | None]:
    """Return (id, line) of the nearest element that has an id: what an author can find in the Modeler."""
    line = node.sourceline
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return (node.get("id") if node is not None else None), line


class _Pass:
    def __init__(self, root: etree._Element, resource: str):
        self.root, self.resource, self.problems = root, resource, []

    def problem(self, node: etree._Element, message: str, line: int | None = None) -> None:
        element_id, node_line = element_context(node)
        self.problems.append(Problem(message, self.resource, element_id, line or node_line))

    def xpath(self, path: str) -> list:
        return self.root.xpath(path, namespaces=NS)

    def checked_expression(self, node: etree._Element, python: str, what: str) -> str:
        try:
            sandbox.check_expression(python)
        except sandbox.SandboxViolation as e:
            shown = (node.text or python).strip()
            self.problem(node, f"{what} {shown[:80]!r}: {e}")
        return python

    def to_python(self, node: etree._Element, text: str, what: str, condition: bool = False) -> str | None:
        """Python source for an expression written in JUEL or Python; None (and a problem) if impossible.

        JUEL conditions are coerced as JUEL does (the string "false" is false)."""
        try:
            if juel.is_juel(text):
                python = juel.translate(text)
                python = f"juel_bool({python})" if condition else python
            else:
                python = text.strip()
        except juel.JuelError as e:
            self.problem(node, f"{what}: {e}")
            return None
        return self.checked_expression(node, python, what)


def normalize_bpmn(root: etree._Element, resource: str) -> list[Problem]:
    """Rewrite a parsed BPMN tree in place into Spiff's Python dialect; return the problems found."""
    p = _Pass(root, resource)
    _expressions(p)
    _timers(p)
    _scripts(p)
    _implementations(p)
    _extensions(p)
    _assignments(p)
    _multi_instance(p)
    _call_activities(p)
    for node in p.xpath("//bpmn:dataStore"):
        p.problem(node, f"data stores are not supported ('{node.get('name') or node.get('id')}'); "
                        "keep the data in process variables")
    return p.problems


def _expressions(p: _Pass) -> None:
    for node in p.xpath(_EXPRESSION_XPATH):
        language = (node.get("language") or "").lower()
        if language not in PYTHON_LANGUAGES:
            p.problem(node, f"expression language '{node.get('language')}' is not supported (use JUEL ${{...}} or Python)")
            continue
        if node.get(f"{{{CAMUNDA_NS}}}resource"):
            p.problem(node, "external expression resources (camunda:resource) are not supported")
            continue
        text = node.text or ""
        if not text.strip():
            continue
        condition = etree.QName(node).localname != "loopCardinality"
        python = p.to_python(node, text, "expression", condition=condition)
        if python is not None:
            node.text = python


def _timers(p: _Pass) -> None:
    for node in p.xpath(_TIMER_XPATH):
        text = (node.text or "").strip()
        kind = etree.QName(node).localname
        if not text:
            p.problem(node, f"{kind} is empty")
        elif juel.is_juel(text):
            python = p.to_python(node, text, kind)
            if python is not None:
                node.text = python
        elif _ISO_TIMER.match(text):
            node.text = repr(text)
        elif _CRON.match(text) and not text.startswith(("'", '"')):
            p.problem(node, f"cron expressions are not supported in {kind}; use ISO 8601 (e.g. R/PT1H)")
        else:
            node.text = p.checked_expression(node, text, kind)


def _scripts(p: _Pass) -> None:
    for node in p.xpath("//bpmn:scriptTask"):
        fmt = (node.get("scriptFormat") or "").strip().lower()
        if fmt not in PYTHON_LANGUAGES - {"juel"}:
            p.problem(node, f"scriptFormat '{node.get('scriptFormat')}' is not supported: Kuaibao runs Python scripts")
            continue
        if node.get(f"{{{CAMUNDA_NS}}}resource"):
            p.problem(node, "external script resources (camunda:resource) are not supported; inline the script")
            continue
        if node.get(f"{{{CAMUNDA_NS}}}resultVariable"):
            p.problem(node, "camunda:resultVariable on a script task is not supported; assign the variable in the script")
        script = node.find(f"{{{BPMN_NS}}}script")
        if script is None or not (script.text or "").strip():
            p.problem(node, "script task has no script")
            continue
        try:
            sandbox.check_script(script.text)
        except sandbox.SandboxViolation as e:
            line = script.sourceline + (e.line or 1) - 1 if script.sourceline else None
            p.problem(node, f"script: {e}", line=line)


def _implementations(p: _Pass) -> None:
    for node in p.xpath("//bpmn:serviceTask | //bpmn:sendTask | //bpmn:businessRuleTask"
                        " | //bpmn:intermediateThrowEvent/bpmn:messageEventDefinition"
                        " | //bpmn:endEvent/bpmn:messageEventDefinition"):
        tag = etree.QName(node).localname
        for attr in _REFUSED_IMPLEMENTATIONS:
            if node.get(f"{{{CAMUNDA_NS}}}{attr}") is not None:
                p.problem(node, f"camunda:{attr} is not supported (Kuaibao runs no Java); "
                                f"use camunda:type=\"external\" camunda:topic=\"...\" and a handler or worker")
        kind = node.get(f"{{{CAMUNDA_NS}}}type")
        if kind is not None and kind != "external":
            p.problem(node, f"camunda:type=\"{kind}\" is not supported; use \"external\"")
        if kind == "external" and not node.get(f"{{{CAMUNDA_NS}}}topic"):
            p.problem(node, "an external service task needs camunda:topic")
        if tag == "businessRuleTask" and node.get(f"{{{CAMUNDA_NS}}}decisionRef") is None and kind is None:
            p.problem(node, "a business rule task needs camunda:decisionRef (the id of a DMN decision)")


def _extensions(p: _Pass) -> None:
    for local, message in _REFUSED_EXTENSIONS.items():
        for node in p.xpath(f"//camunda:{local}"):
            p.problem(node, message)


def _assignments(p: _Pass) -> None:
    for node in p.xpath("//bpmn:userTask"):
        for attr in ASSIGNMENT_ATTRIBUTES:
            value = node.get(f"{{{CAMUNDA_NS}}}{attr}")
            if value is None:
                continue
            try:
                python = juel.translate_template(value)
            except juel.JuelError as e:
                p.problem(node, f"camunda:{attr}: {e}")
                continue
            p.checked_expression(node, python, f"camunda:{attr}")


def _multi_instance(p: _Pass) -> None:
    for item in p.xpath("//bpmn:multiInstanceLoopCharacteristics/bpmn:inputDataItem"
                        " | //bpmn:multiInstanceLoopCharacteristics/bpmn:outputDataItem"):
        if item.get("id") is None and item.get("name"):
            item.set("id", item.get("name"))  # Camunda names the item; Spiff keys it by id
    for node in p.xpath("//bpmn:multiInstanceLoopCharacteristics"):
        for attr in ("collection", "elementVariable"):
            value = node.get(f"{{{CAMUNDA_NS}}}{attr}")
            if value is None or not juel.is_juel(value):
                continue
            match = _SIMPLE_JUEL_NAME.match(value)
            if match is None:
                p.problem(node, f"camunda:{attr} must name a variable (e.g. ${{reviewers}}), not a computed expression")
            else:
                node.set(f"{{{CAMUNDA_NS}}}{attr}", match.group(1))


def _call_activities(p: _Pass) -> None:
    """Call activities start their own instance; camunda:in/out map variables as in Camunda."""
    for node in p.xpath("//bpmn:callActivity"):
        called = node.get("calledElement") or ""
        if not called:
            p.problem(node, "a call activity needs calledElement (the id of the process to start)")
        elif juel.is_juel(called):
            p.problem(node, "calledElement must be a process id; expressions are not supported")
        binding = node.get(f"{{{CAMUNDA_NS}}}calledElementBinding") or "latest"
        if binding not in ("latest", "deployment", "version", "versionTag"):
            p.problem(node, f"camunda:calledElementBinding '{binding}' is not supported")
        for mapping in node.xpath("bpmn:extensionElements/camunda:in | bpmn:extensionElements/camunda:out",
                                  namespaces=NS):
            what = f"camunda:{etree.QName(mapping).localname}"
            for attr in ("sourceExpression", "businessKey"):
                text = mapping.get(attr)
                if text is not None:
                    try:
                        python = juel.translate_template(text)
                    except juel.JuelError as e:
                        p.problem(mapping, f"{what} {attr}: {e}")
                        continue
                    p.checked_expression(mapping, python, f"{what} {attr}")
            if not (mapping.get("variables") == "all" or mapping.get("businessKey") is not None
                    or (mapping.get("target") and (mapping.get("source") or mapping.get("sourceExpression")))):
                p.problem(mapping, f"{what} needs variables=\"all\", businessKey, or source/sourceExpression and target")


def start_form(process: etree._Element) -> dict | None:
    """The start event's camunda:formKey, formData fields and initiator variable, which Spiff does not read."""
    start = process.find(f"{{{BPMN_NS}}}startEvent")
    if start is None:
        return None
    key = start.get(f"{{{CAMUNDA_NS}}}formKey")
    initiator = start.get(f"{{{CAMUNDA_NS}}}initiator")
    fields = [form_field(f) for f in start.xpath(".//camunda:formData/camunda:formField", namespaces=NS)]
    return {"key": key, "fields": fields, "initiator": initiator} if key or fields or initiator else None


def start_timer(process: etree._Element) -> dict | None:
    """The start event's timer (after translation to Python): {"kind": timeDate|timeDuration|timeCycle,
    "expression": ...}; the service schedules instances from it."""
    timer = process.xpath("bpmn:startEvent/bpmn:timerEventDefinition/*[self::bpmn:timeDate or "
                          "self::bpmn:timeDuration or self::bpmn:timeCycle]", namespaces=NS)
    if not timer or not (timer[0].text or "").strip():
        return None
    return {"kind": etree.QName(timer[0]).localname, "expression": timer[0].text.strip()}


def form_field(node: etree._Element) -> dict:
    """A camunda:formField as plain data."""
    return {
        "id": node.get("id"), "label": node.get("label"), "type": node.get("type"),
        "default": node.get("defaultValue"),
        "validation": [{"name": c.get("name"), "config": c.get("config")}
                       for c in node.xpath("camunda:validation/camunda:constraint", namespaces=NS)],
        "options": [{"id": v.get("id"), "name": v.get("name")} for v in node.xpath("camunda:value", namespaces=NS)],
    }
