"""Call activities with Camunda's semantics: the called process runs as its own process instance.

SpiffWorkflow runs a call activity as a subworkflow inside the caller's state. Camunda starts a
separate instance (its own business key, tasks and history), which is what agencies track. Here a
call activity is a task that waits (like an external task); the service layer starts the called
instance and, when that one ends, completes the call activity with the mapped variables.
"""
from __future__ import annotations

from typing import Any, Mapping

from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.specs.base import TaskSpec

IN_KEY, OUT_KEY = "kuaibao:in", "kuaibao:out"


class CalledProcessTask(TaskSpec):
    """Runs into STARTED and waits until the service reports that the called instance ended."""

    def _run_hook(self, my_task):
        return None


class CallActivityTask(CalledProcessTask, BpmnSpecMixin):
    """The spec class for bpmn:callActivity."""


def mapped(mappings: list[dict], source: Mapping[str, Any], evaluate) -> dict[str, Any]:
    """Apply camunda:in or camunda:out mappings to `source` (variables="all", source/target, sourceExpression)."""
    result: dict[str, Any] = {}
    for m in mappings:
        if m.get("variables") == "all":
            result.update(source)
        elif m.get("target"):
            if m.get("sourceExpression"):
                result[m["target"]] = evaluate(m["sourceExpression"], source)
            elif m.get("source") in source:
                result[m["target"]] = source[m["source"]]
    return result


def business_key_expression(mappings: list[dict]) -> str | None:
    """The camunda:in businessKey expression, if the call passes one."""
    return next((m["businessKey"] for m in mappings if m.get("businessKey")), None)
