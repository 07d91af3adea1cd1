"""Workflow state <-> JSON, with the spec kept apart: stored once per definition, never per instance."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import MessageEventDefinition as GenericMessageEventDefinition
from SpiffWorkflow.bpmn.serializer.config import ParallelMultiInstanceTask as GenericParallelMI
from SpiffWorkflow.bpmn.serializer.config import SequentialMultiInstanceTask as GenericSequentialMI
from SpiffWorkflow.bpmn.serializer.default.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, MultiInstanceTaskConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition

from .call_activity import CallActivityTask
from .decisions import CamundaBusinessRuleTask, CamundaBusinessRuleTaskConverter

FORMAT = "kb-1"  # our envelope around Spiff's 1.5 format; bump when the stored shape changes


def _registry() -> DefaultRegistry:
    registry = DefaultRegistry()
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    config = dict(CAMUNDA_CONFIG)
    config[ServiceTask] = BpmnTaskSpecConverter                                # missing from stock configs
    # We parse events with the generic BPMN parsers, so the generic message definition replaces
    # Camunda's (both are named MessageEventDefinition, and a registry keys converters by name).
    config.pop(CamundaMessageEventDefinition)
    config[GenericMessageEventDefinition] = MessageEventDefinitionConverter
    registry = BpmnWorkflowSerializer.configure(config, registry)
    # Standard loopDataInputRef multi-instance, under names that do not collide with Camunda's classes.
    MultiInstanceTaskConverter(GenericParallelMI, registry, typename="StandardParallelMultiInstanceTask")
    MultiInstanceTaskConverter(GenericSequentialMI, registry, typename="StandardSequentialMultiInstanceTask")
    # Business rule tasks with Camunda's result variable and COLLECT aggregations (app.engine.decisions).
    CamundaBusinessRuleTaskConverter(CamundaBusinessRuleTask, registry, typename="KuaibaoBusinessRuleTask")
    BpmnTaskSpecConverter(CallActivityTask, registry, typename="SeparateCallActivity")
    return registry


_SERIALIZER = BpmnWorkflowSerializer(_registry())
_REGISTRY = _SERIALIZER.registry


def _dumps(obj) -> str:
    _REGISTRY._encoder_mode = True
    try:
        return json.dumps(_SERIALIZER.to_dict(obj), cls=_SERIALIZER._encoder_cls, separators=(",", ":"),
                          ensure_ascii=False)
    finally:
        _REGISTRY._encoder_mode = False


def spec_to_json(spec, subprocess_specs: dict) -> str:
    """Serialize a parsed process spec with its subprocess specs, once, at deploy time."""
    return json.dumps({"spec": json.loads(_dumps(spec)),
                       "subprocess_specs": {k: json.loads(_dumps(v)) for k, v in subprocess_specs.items()}},
                      separators=(",", ":"), ensure_ascii=False)


class SpecBundle:
    """A definition's parsed spec as plain dicts; hands out fresh spec objects per instance.

    Fresh objects matter: SpiffWorkflow's Camunda multi-instance mutates its spec while running.
    """

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def _dicts(self) -> dict:
        return json.loads(self.text)

    def new_workflow(self) -> BpmnWorkflow:
        dicts = self._dicts()
        spec = _SERIALIZER.from_dict(dicts["spec"])
        subs = {k: _SERIALIZER.from_dict(v) for k, v in dicts["subprocess_specs"].items()}
        return BpmnWorkflow(spec, subs)

    def load(self, state: str) -> BpmnWorkflow:
        dct = json.loads(state)
        dct.update(self._dicts())
        return _SERIALIZER.from_dict(dct)


_WORKFLOW_TYPENAME = _REGISTRY.typenames[BpmnWorkflow]
_WORKFLOW_CONVERTER = _REGISTRY.convert_to_dict[_WORKFLOW_TYPENAME].args[1].__self__


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialize an instance's state without its spec (converting the spec would be wasted work)."""
    conv = _WORKFLOW_CONVERTER
    _REGISTRY._encoder_mode = True
    try:
        dct = WorkflowConverter.to_dict(conv, workflow)
        dct["subprocesses"] = conv.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
        dct["typename"] = _WORKFLOW_TYPENAME
        return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    finally:
        _REGISTRY._encoder_mode = False
