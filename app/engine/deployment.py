"""Parse a deployment's resources into process and decision definitions, or refuse it with located problems."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import decisions, dialect, readers, xmlsafe
from .errors import DeploymentInvalid, Problem
from .serializer import spec_to_json
from .specs import KuaibaoParser

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")
DMN_SUFFIXES = (".dmn", ".dmn11.xml", ".dmn13.xml")


@dataclass
class ProcessDefinitionData:
    """A deployable process: what the definitions table stores."""

    key: str
    name: str | None
    resource_name: str
    version_tag: str | None
    category: str | None
    history_time_to_live: int | None
    startable: bool
    spec_json: str
    start_form: dict | None
    description: str | None = None
    start_message: str | None = None
    start_signal: str | None = None
    start_timer: dict | None = None
    starter_groups: list[str] = field(default_factory=list)
    starter_users: list[str] = field(default_factory=list)
    reader_groups: str | None = None  # camunda:property readerGroups (see readers.py)


@dataclass
class DecisionDefinitionData:
    """A deployable DMN decision."""

    key: str
    name: str | None
    resource_name: str
    version_tag: str | None
    category: str | None
    history_time_to_live: int | None


@dataclass
class ParsedDeployment:
    """Everything a deployment defines."""

    processes: list[ProcessDefinitionData] = field(default_factory=list)
    decisions: list[DecisionDefinitionData] = field(default_factory=list)


def is_bpmn(name: str) -> bool:
    return name.lower().endswith(BPMN_SUFFIXES)


def is_dmn(name: str) -> bool:
    return name.lower().endswith(DMN_SUFFIXES)


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()


def parse_deployment(resources: Mapping[str, bytes], validate_schema: bool = True,
                     resolve_decision: Callable[[str], bytes | None] | None = None) -> ParsedDeployment:
    """Parse every BPMN and DMN resource together (decisions resolve across files). A decision that a
    business rule task names but the deployment lacks is asked of `resolve_decision` (the DMN of its
    latest deployed version); it is used to check the task, not deployed again."""
    problems: list[Problem] = []
    bpmn_roots: dict[str, etree._Element] = {}
    dmn_roots: dict[str, etree._Element] = {}
    for name, data in resources.items():
        if not (is_bpmn(name) or is_dmn(name)):
            continue
        try:
            root = xmlsafe.parse(data, name)
        except xmlsafe.UnsafeXml as e:
            problems.append(e.problem)
            continue
        (bpmn_roots if is_bpmn(name) else dmn_roots)[name] = root
    for name, root in bpmn_roots.items():
        problems += dialect.normalize_bpmn(root, name)
    for name, root in dmn_roots.items():
        problems += _check_dmn(root, name)
    if problems:
        raise DeploymentInvalid(problems)
    borrowed = _borrowed_decisions(bpmn_roots, dmn_roots, resolve_decision)

    parser = KuaibaoParser(validator=_validator() if validate_schema else None)
    result = ParsedDeployment()
    for name, root in dmn_roots.items():
        for decision_root in _split_decisions(root):
            try:
                parser.add_dmn_xml(decision_root, filename=name)
            except (ValidationException, SpiffWorkflowException) as e:
                problems.append(_problem(e, name, root))
        result.decisions += _decisions(root, name)
    for name, (ref, root) in borrowed.items():
        for decision_root in _split_decisions(root):
            if decision_root.xpath("dmn:decision/@id", namespaces=_dmn_ns(decision_root)) == [ref]:
                parser.add_dmn_xml(decision_root, filename=name)
    owners: dict[str, tuple[str, etree._Element]] = {}
    for name, root in bpmn_roots.items():
        try:
            parser.add_bpmn_xml(root, filename=name)
        except (ValidationException, SpiffWorkflowException) as e:
            problems.append(_problem(e, name, root, _first(root.xpath("bpmn:process", namespaces=dialect.NS))))
            continue
        executable = root.xpath("bpmn:process[@isExecutable='true']", namespaces=dialect.NS)
        if not executable:
            processes = root.xpath("bpmn:process", namespaces=dialect.NS)
            ids = ", ".join(p.get("id", "?") for p in processes) or "none"
            first = processes[0] if processes else root
            problems.append(Problem(f"no executable process (processes: {ids}); set isExecutable=\"true\"", name,
                                    first.get("id"), first.sourceline))
        for process in executable:
            owners[process.get("id")] = (name, process)
    if problems:
        raise DeploymentInvalid(problems)
    for key, (name, process) in owners.items():
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
            spec_json = spec_to_json(spec, subprocess_specs)
        except (ValidationException, SpiffWorkflowException) as e:
            problems.append(_problem(e, name, process.getroottree().getroot(), process))
            continue
        except Exception as e:  # Spiff raises plain exceptions on some malformed diagrams
            problems.append(Problem(f"{type(e).__name__}: {e}", name, key, process.sourceline))
            continue
        problems += readers.check(readers.declared(process), name, process)
        result.processes.append(_process(process, name, spec_json))
    if problems:
        raise DeploymentInvalid(problems)
    return result


_QUOTED = re.compile(r"""['"]([^'"]{1,200})['"]""")


def _borrowed_decisions(bpmn_roots: dict, dmn_roots: dict, resolve) -> dict[str, tuple[str, etree._Element]]:
    """DMN of decisions referenced here but deployed earlier (Camunda binds decisionRef at run time)."""
    if resolve is None:
        return {}
    defined = {d.get("id") for root in dmn_roots.values() for d in root.xpath("dmn:decision", namespaces=_dmn_ns(root))}
    wanted = {ref for root in bpmn_roots.values() for ref in root.xpath(
        "//bpmn:businessRuleTask/@camunda:decisionRef", namespaces=dialect.NS)} - defined
    borrowed = {}
    for ref in sorted(wanted):
        data = resolve(ref)
        if data is None:
            continue
        root = xmlsafe.parse(data, f"{ref}.dmn")
        if not _check_dmn(root, f"{ref}.dmn"):
            borrowed[f"deployed:{ref}.dmn"] = (ref, root)
    return borrowed


def _problem(e: Exception, resource: str, root: etree._Element, fallback: etree._Element | None = None) -> Problem:
    """Locate a Spiff parse error: element id from the exception, else from an id it quotes; line from our tree."""
    element_id = getattr(e, "id", None) or None
    line = getattr(e, "line_number", None) or None
    message = str(e).strip() or type(e).__name__
    message = " ".join([message, *[n for n in getattr(e, "__notes__", []) if n not in message]])
    node = None
    if element_id:
        found = root.xpath("//*[@id=$id]", id=element_id)
        node = found[0] if found else None
    else:
        for quoted in _QUOTED.findall(message):
            found = root.xpath("//*[@id=$v or @calledElement=$v or @camunda:decisionRef=$v]", v=quoted,
                               namespaces=dialect.NS)
            if found:
                node = found[0]
                break
    node = node if node is not None else fallback
    if node is not None:
        element_id = element_id or dialect.element_context(node)[0]
        line = line or node.sourceline
    return Problem(message, getattr(e, "file_name", None) or resource, element_id, line)


def _first(nodes: list) -> etree._Element | None:
    return nodes[0] if nodes else None


def _camunda(node: etree._Element, attr: str) -> str | None:
    return node.get(f"{{{dialect.CAMUNDA_NS}}}{attr}")


CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn"


def _ttl(node: etree._Element) -> int | None:
    value = _camunda(node, "historyTimeToLive") or node.get(f"{{{CAMUNDA_DMN_NS}}}historyTimeToLive")
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _process(process: etree._Element, resource: str, spec_json: str) -> ProcessDefinitionData:
    doc = process.find(f"{{{dialect.BPMN_NS}}}documentation")
    return ProcessDefinitionData(
        key=process.get("id"), name=process.get("name"), resource_name=resource,
        version_tag=_camunda(process, "versionTag"), category=process.getroottree().getroot().get("targetNamespace"),
        history_time_to_live=_ttl(process),
        startable=(_camunda(process, "isStartableInTasklist") or "true").lower() != "false",
        spec_json=spec_json, start_form=dialect.start_form(process),
        description=doc.text.strip() if doc is not None and doc.text else None,
        start_message=_start_message(process),
        start_signal=_start_signal(process),
        start_timer=dialect.start_timer(process),
        starter_groups=_names(_camunda(process, "candidateStarterGroups")),
        starter_users=_names(_camunda(process, "candidateStarterUsers")),
        reader_groups=readers.declared(process))


def _start_signal(process: etree._Element) -> str | None:
    """The name of the signal that starts this process, if its start event is a signal start event."""
    refs = process.xpath("bpmn:startEvent/bpmn:signalEventDefinition/@signalRef", namespaces=dialect.NS)
    if not refs:
        return None
    names = process.getroottree().getroot().xpath("bpmn:signal[@id=$id]/@name", id=refs[0], namespaces=dialect.NS)
    return names[0] if names else refs[0]


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def _start_message(process: etree._Element) -> str | None:
    """The name of the message that starts this process, if its start event is a message start event."""
    refs = process.xpath("bpmn:startEvent/bpmn:messageEventDefinition/@messageRef", namespaces=dialect.NS)
    if not refs:
        return None
    names = process.getroottree().getroot().xpath("bpmn:message[@id=$id]/@name", id=refs[0], namespaces=dialect.NS)
    return names[0] if names else refs[0]


def _dmn_ns(root: etree._Element) -> dict:
    return {"dmn": root.nsmap.get(None) or root.nsmap.get("dmn") or ""}


def _split_decisions(root: etree._Element) -> list[etree._Element]:
    """One tree per decision: Spiff's DMN parser reads only the first decision of a document."""
    decisions = root.xpath("dmn:decision", namespaces=_dmn_ns(root))
    if len(decisions) <= 1:
        return [root]
    trees = []
    for keep in decisions:
        clone = copy.deepcopy(root)
        for d in clone.xpath("dmn:decision", namespaces=_dmn_ns(root)):
            if d.get("id") != keep.get("id"):
                clone.remove(d)
        trees.append(clone)
    return trees


def _decisions(root: etree._Element, resource: str) -> list[DecisionDefinitionData]:
    return [DecisionDefinitionData(key=d.get("id"), name=d.get("name"), resource_name=resource,
                                   version_tag=_camunda(d, "versionTag") or d.get(f"{{{CAMUNDA_DMN_NS}}}versionTag"),
                                   category=root.get("namespace"),
                                   history_time_to_live=_ttl(d))
            for d in root.xpath("dmn:decision", namespaces=_dmn_ns(root))]


def _check_dmn(root: etree._Element, resource: str) -> list[Problem]:
    """Translate FEEL cells to Python, map hit policies, and refuse what Spiff's DMN engine would get wrong
    silently (see decisions.normalize_dmn)."""
    return decisions.normalize_dmn(root, resource)
