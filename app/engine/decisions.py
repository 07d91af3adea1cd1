"""DMN decision tables: the deploy-time pass (FEEL cells -> Python), Camunda's decision results for
business rule tasks, and evaluating a decision outside a workflow.

SpiffWorkflow's DMN engine evaluates cells as Python, supports only the UNIQUE (returns the first
match) and COLLECT hit policies, and merges the outputs into task data. Camunda users write FEEL,
use FIRST, RULE ORDER and COLLECT aggregations, and read results through
`camunda:resultVariable` / `camunda:mapDecisionResult`. `normalize_dmn` rewrites a parsed DMN
tree in place so Spiff's parser sees Python (refusing what it cannot translate, with the cell's
id and line); `CamundaBusinessRuleTask` maps results the way Camunda does.
"""
from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.dmn.serializer.task_spec import BaseBusinessRuleTaskConverter
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.deep_merge import DeepMerge

from . import dialect, feel, juel, sandbox, xmlsafe
from .errors import DeploymentInvalid, Problem, TaskFailed
from .script_engine import SandboxedScriptEngine

HIT_POLICIES = {"UNIQUE": "UNIQUE", "FIRST": "UNIQUE", "COLLECT": "COLLECT", "RULE ORDER": "COLLECT"}
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
RESULT_MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


class DecisionFailed(TaskFailed):
    """A decision could not be evaluated (bad input, a cell that failed, an impossible result mapping)."""


# --- deploy-time pass -------------------------------------------------------------------------

def dmn_namespaces(root: etree._Element) -> dict:
    return {"dmn": root.nsmap.get(None) or root.nsmap.get("dmn") or ""}


def _language(node: etree._Element, default: str | None) -> str:
    """'feel', 'python' or 'juel' (or the unsupported name) for a cell, from expressionLanguage."""
    language = (node.get("expressionLanguage") or default or "feel").strip().lower()
    return "feel" if "feel" in language else {"py": "python", "python3": "python"}.get(language, language)


def normalize_dmn(root: etree._Element, resource: str) -> list[Problem]:
    """Rewrite a DMN tree in place for Spiff (FEEL -> Python, FIRST -> UNIQUE, RULE ORDER -> COLLECT);
    return what cannot run as problems that name the cell."""
    ns = dmn_namespaces(root)
    decisions = root.xpath("dmn:decision", namespaces=ns)
    if not decisions:
        return [Problem("no decision in DMN resource", resource, line=root.sourceline)]
    problems = []
    for decision in decisions:
        tables = decision.xpath("dmn:decisionTable", namespaces=ns)
        if len(tables) != 1:
            problems.append(Problem("a decision must contain exactly one decision table (literal expressions "
                                    "and decision requirements are not supported)", resource, decision.get("id"),
                                    decision.sourceline))
            continue
        problems += _table(tables[0], decision, resource, ns, root.get("expressionLanguage"))
    return problems


def _table(table, decision, resource: str, ns: dict, default_language: str | None) -> list[Problem]:
    problems = []
    where = (table.get("id") or decision.get("id"), table.sourceline)
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    aggregation = (table.get("aggregation") or "").upper()
    outputs = table.xpath("dmn:output", namespaces=ns)
    if policy not in HIT_POLICIES:
        problems.append(Problem(f"hit policy {policy} is not supported (UNIQUE, FIRST, COLLECT, RULE ORDER)",
                                resource, *where))
    elif aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
        problems.append(Problem(f"hit policy {policy} with aggregation {aggregation} is not supported "
                                f"(COLLECT with {', '.join(AGGREGATIONS)})", resource, *where))
    elif aggregation and len(outputs) != 1:
        problems.append(Problem(f"COLLECT {aggregation} needs exactly one output column, not {len(outputs)}",
                                resource, *where))
    else:
        table.set("hitPolicy", HIT_POLICIES[policy])
    inputs = table.xpath("dmn:input", namespaces=ns)
    for node in table.xpath("dmn:input/dmn:inputExpression", namespaces=ns):
        problems += _cell(node, "input expression", _language(node, default_language), resource, ns)
    for rule in table.xpath("dmn:rule", namespaces=ns):
        entries = rule.xpath("dmn:inputEntry", namespaces=ns)
        results = rule.xpath("dmn:outputEntry", namespaces=ns)
        if len(entries) != len(inputs) or len(results) != len(outputs):
            problems.append(Problem(f"rule has {len(entries)} input and {len(results)} output entries, the table "
                                    f"has {len(inputs)} inputs and {len(outputs)} outputs", resource,
                                    rule.get("id"), rule.sourceline))
            continue
        for node in entries:
            problems += _cell(node, "input entry", _language(node, default_language), resource, ns)
        for node in results:
            problems += _cell(node, "output entry", _language(node, default_language), resource, ns)
    if not problems:
        _add_missing_ids(table, decision.get("id") or "decision", ns)
    return problems


def _add_missing_ids(table: etree._Element, prefix: str, ns: dict) -> None:
    """Spiff's DMN parser needs ids on the table, its inputs, outputs, rules and entries; DMN makes them optional."""
    nodes = [table, *table.xpath("dmn:input | dmn:output | dmn:rule | dmn:rule/dmn:inputEntry | dmn:rule/dmn:outputEntry",
                                 namespaces=ns)]
    for n, node in enumerate(nodes):
        if not node.get("id"):
            node.set("id", f"{prefix}_{etree.QName(node).localname}_{n}")


def _cell(node: etree._Element, what: str, language: str, resource: str, ns: dict) -> list[Problem]:
    """Translate one cell's <text> in place; a problem names the cell's id and line if it cannot run."""
    text = node.find("dmn:text", namespaces=ns)
    cell = (text.text or "").strip() if text is not None else ""
    if text is None or not cell or (cell == "-" and what == "input entry"):
        if text is not None and what == "input entry":
            text.text = "-"  # Spiff reads "-" as "any"; whitespace would be compared with the input
        return []
    try:
        if language == "feel":
            python = feel.translate_unary_tests(cell) if what == "input entry" else feel.translate_expression(cell)
        elif language == "python":
            python = feel.python_unary_tests(cell) if what == "input entry" else cell
        elif language == "juel" and what != "input entry":
            python = juel.translate(cell if juel.is_juel(cell) else f"${{{cell}}}")
        else:
            raise feel.FeelError(f"expression language '{language}' is not supported"
                                 f"{' in input entries' if language == 'juel' else ''} (use FEEL or Python)")
        sandbox.check_expression(python)
    except (feel.FeelError, juel.JuelError, sandbox.SandboxViolation) as e:
        element_id, line = dialect.element_context(text)
        return [Problem(f"DMN {what} {cell!r}: {e}", resource, element_id, line)]
    if what == "input entry":
        python = feel.to_spiff_cell(python)
        text.text = "-" if "?" not in python else python  # no '?': a constant test, only "True" is possible
    else:
        text.text = python
    return []


def table_aggregation(dmn_root: etree._Element) -> str | None:
    """The COLLECT aggregation of the (only) decision table in a DMN tree Spiff parsed."""
    tables = dmn_root.xpath(".//dmn:decisionTable", namespaces=dmn_namespaces(dmn_root))
    aggregation = tables[0].get("aggregation") if tables else None
    return aggregation.upper() if aggregation else None


# --- evaluation -------------------------------------------------------------------------------

def decide(engine: DMNEngine, task) -> list[dict[str, Any]]:
    """Camunda's decision result: one dict of outputs per matched rule (a single dict when aggregated)."""
    script_engine = task.workflow.script_engine
    results = []
    for rule in engine.decide(task):
        results.append({entry.output.name or entry.output.label:
                        script_engine.evaluate(task, entry.text) if entry.text else None
                        for entry in rule.outputEntries})
    aggregation = getattr(engine.decision_table, "aggregation", None)
    if not aggregation:
        return results
    output = engine.decision_table.outputs[0]
    name = output.name or output.label
    values = [r[name] for r in results if r.get(name) is not None]
    if aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    return [{name: {"SUM": sum, "MIN": min, "MAX": max}[aggregation](values)}]


def map_result(results: list[dict[str, Any]], mapping: str) -> Any:
    """Apply camunda:mapDecisionResult (singleEntry, singleResult, collectEntries, resultList)."""
    if mapping == "resultList":
        return results
    if mapping in ("singleEntry", "singleResult") and len(results) > 1:
        raise ValueError(f"mapDecisionResult '{mapping}' needs at most one matching rule, but {len(results)} "
                         "matched (use collectEntries or resultList)")
    if mapping in ("singleEntry", "collectEntries") and any(len(r) > 1 for r in results):
        raise ValueError(f"mapDecisionResult '{mapping}' needs a decision with a single output")
    if mapping == "singleResult":
        return results[0] if results else None
    entries = [next(iter(r.values()), None) for r in results]
    if mapping == "collectEntries":
        return entries
    return entries[0] if entries else None


class CamundaBusinessRuleTask(BusinessRuleTask):
    """A business rule task that stores its result in camunda:resultVariable as camunda:mapDecisionResult
    says (default resultList). Without a result variable the outputs are merged into the task data as
    Spiff does (first rule, or per output a list for COLLECT; the aggregate for COLLECT SUM/MIN/MAX/COUNT)."""

    def current_engine(self, my_task) -> DMNEngine:
        """Camunda binds decisionRef to the latest deployed version at run time (decisionRefBinding=latest);
        the script engine carries a resolver for that when the service provides one, else the table
        parsed at deploy is used."""
        resolve = getattr(my_task.workflow.script_engine, "decision_resolver", None)
        binding = self.extensions.get("camunda:decisionRefBinding") or "latest"
        ref = self.extensions.get("camunda:decisionRef")
        if resolve is None or binding != "latest" or not ref:
            return self.dmnEngine
        return resolve(ref) or self.dmnEngine

    def _run_hook(self, my_task):
        variable = self.extensions.get("camunda:resultVariable")
        engine = self.current_engine(my_task)
        try:
            if variable:
                mapping = self.extensions.get("camunda:mapDecisionResult") or "resultList"
                my_task.data[variable] = map_result(decide(engine, my_task), mapping)
            elif getattr(engine.decision_table, "aggregation", None):
                results = decide(engine, my_task)
                my_task.data = DeepMerge.merge(my_task.data, results[0] if results else {})
            else:
                my_task.data = DeepMerge.merge(my_task.data, engine.result(my_task))
        except SpiffWorkflowException as we:
            cause = root_cause(we)
            if cause:
                we.add_note(cause)
            we.add_note(f"Business Rule Task '{my_task.task_spec.bpmn_name}'.")
            raise
        except Exception as e:
            error = WorkflowTaskException(str(e), task=my_task, exception=e)
            error.add_note(f"Business Rule Task '{my_task.task_spec.bpmn_name}'.")
            raise error from e
        return super(BusinessRuleTaskMixin, self)._run_hook(my_task)


def root_cause(error: BaseException) -> str | None:
    """'Type: message' of the first non-Spiff exception behind a Spiff one (Spiff's messages drop it)."""
    seen = 0
    while isinstance(error, SpiffWorkflowException) and seen < 20:
        error, seen = error.__cause__ or error.__context__, seen + 1
    return f"{type(error).__name__}: {error}" if error is not None else None


class CamundaBusinessRuleTaskConverter(BaseBusinessRuleTaskConverter):
    """Serializes the decision table's aggregation with it."""

    def decision_table_to_dict(self, table):
        return {**super().decision_table_to_dict(table), "aggregation": getattr(table, "aggregation", None)}

    def decision_table_from_dict(self, dct):
        table = super().decision_table_from_dict(dct)
        table.aggregation = dct.get("aggregation")
        return table


@functools.lru_cache(maxsize=256)
def decision_engine(dmn: bytes, decision_id: str, resource: str = "decision.dmn") -> DMNEngine:
    """A runnable decision table from DMN bytes (translated FEEL, checked cells); cached by content."""
    root = xmlsafe.parse(dmn, resource)
    return _engine_from_root(root, decision_id, resource)[0]


def _engine_from_root(root: etree._Element, decision_id: str, resource: str):
    ns = dmn_namespaces(root)
    decisions = root.xpath("dmn:decision", namespaces=ns)
    if not any(d.get("id") == decision_id for d in decisions):
        known = ", ".join(d.get("id") or "?" for d in decisions) or "none"
        raise DecisionFailed(f"no decision '{decision_id}' in the DMN (decisions: {known})", element_id=decision_id)
    for other in [d for d in decisions if d.get("id") != decision_id]:
        root.remove(other)
    problems = normalize_dmn(root, resource)
    if problems:
        raise DeploymentInvalid(problems)
    parser = BpmnDmnParser()
    try:
        parser.add_dmn_xml(root, filename=resource)
        engine = parser.get_engine(decision_id, root)
    except Exception as e:  # Spiff's DMN parser raises plain exceptions on some malformed tables
        raise DeploymentInvalid([Problem(f"{type(e).__name__}: {e}", resource, decision_id)]) from e
    engine.decision_table.aggregation = table_aggregation(root)
    return engine, parser.dmn_parsers[decision_id].get_name()


def evaluate_decision(dmn: etree._Element | bytes | str, decision_id: str, variables: Mapping[str, Any],
                      limits: sandbox.Limits = sandbox.DEFAULT_LIMITS, resource: str = "decision.dmn"
                      ) -> list[dict[str, Any]]:
    """Evaluate one decision table outside a workflow: Camunda's result list (one dict per matched rule).

    Raises DeploymentInvalid if the table cannot run, DecisionFailed if the evaluation fails."""
    if isinstance(dmn, etree._Element):
        root = copy.deepcopy(dmn)
    else:
        try:
            root = xmlsafe.parse(dmn.encode() if isinstance(dmn, str) else dmn, resource)
        except xmlsafe.UnsafeXml as e:
            raise DeploymentInvalid([e.problem]) from e
    engine, name = _engine_from_root(root, decision_id, resource)
    spec = SimpleNamespace(name=decision_id, bpmn_id=decision_id, bpmn_name=name)
    workflow = SimpleNamespace(script_engine=SandboxedScriptEngine(juel.HELPERS, limits),
                               spec=SimpleNamespace(file=resource))
    workflow.top_workflow = workflow
    task = SimpleNamespace(data=dict(variables), task_spec=spec, workflow=workflow)
    try:
        return decide(engine, task)
    except (SpiffWorkflowException, sandbox.SandboxError, ValueError, TypeError) as e:
        cause = root_cause(e) if isinstance(e, SpiffWorkflowException) else None
        raise DecisionFailed(" ".join(filter(None, [str(e).strip() or type(e).__name__, cause])),
                             element_id=decision_id) from e
