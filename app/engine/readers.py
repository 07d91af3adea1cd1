"""Reader groups: who may follow a case besides the people who work on it.

A process declares them as a Camunda extension property on the process element, in the Modeler's
"Extensions" tab: `<camunda:property name="readerGroups" value="outlet-${outlet_id}, jl-audit"/>`. Each
comma-separated item is a group, literal or a `${…}` template evaluated against the start variables; the
service grants those groups READ on the new instance (and so on the instances it calls).
"""
from __future__ import annotations

from typing import Any, Mapping

from lxml import etree

from . import dialect, juel, sandbox
from .errors import Problem

PROPERTY = "readerGroups"


def declared(process: etree._Element) -> str | None:
    """The raw readerGroups property of a process element, if it has one."""
    values = process.xpath("bpmn:extensionElements/camunda:properties/camunda:property[@name=$n]/@value",
                           n=PROPERTY, namespaces=dialect.NS)
    return values[0].strip() or None if values else None


def check(value: str | None, resource: str, process: etree._Element) -> list[Problem]:
    """Deploy-time check: every item must be a literal or a template Kuaibao can translate."""
    problems = []
    for item in _items(value):
        try:
            juel.translate_template(item)
        except juel.JuelError as e:
            problems.append(Problem(f"camunda:property {PROPERTY}: cannot read '{item}': {e}", resource,
                                    process.get("id"), process.sourceline))
    return problems


def evaluate(value: str | None, variables: Mapping[str, Any],
             limits: sandbox.Limits = sandbox.DEFAULT_LIMITS) -> list[str]:
    """The groups named for these variables; an item whose variables are missing names nobody."""
    groups = []
    for item in _items(value):
        try:
            group = sandbox.evaluate(juel.translate_template(item), dict(variables), juel.HELPERS, limits)
        except (juel.JuelError, sandbox.SandboxError, NameError, KeyError, TypeError, ValueError):
            continue
        if group not in (None, "") and str(group) not in groups:
            groups.append(str(group))
    return groups


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]
