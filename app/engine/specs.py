"""Spec classes and parsers: SpiffWorkflow's Camunda parser, taught the attributes it ignores.

The stock CamundaParser drops camunda:assignee/candidate*/dueDate/..., camunda:type and
camunda:topic, reads camunda:properties only on some tasks (and leaks descendants' properties
into embedded subprocesses), and uses Camunda-specific message semantics that break standard
correlation. These subclasses keep every camunda attribute as `camunda:<name>` in
`task_spec.extensions` and use the generic BPMN event parsers.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser, SendTaskParser, StartEventParser
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.specs.defaults import (
    CallActivity,
    ManualTask,
    NoneTask,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StartEvent,
    TransactionSubprocess,
)
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    BusinessRuleTaskParser,
    CamundaTaskParser,
    ScriptTaskParser,
    SubWorkflowParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs.user_task import UserTask

from . import decisions
from .call_activity import IN_KEY, OUT_KEY, CallActivityTask
from .decisions import CamundaBusinessRuleTask

_PREFIX = f"{{{CAMUNDA_MODEL_NS}}}"


class CamundaExtensions:
    """Mixin: direct camunda:properties plus every camunda:* attribute of the element itself; standard
    BPMN multi-instance (loopDataInputRef/inputDataItem) where Spiff's Camunda parser only knows its own."""

    def _add_multiinstance_task(self, loop_characteristics):
        standard = loop_characteristics.xpath("bpmn:loopDataInputRef | bpmn:loopDataOutputRef",
                                              namespaces=self.nsmap)
        if standard and loop_characteristics.get(f"{_PREFIX}collection") is None:
            return TaskParser._add_multiinstance_task(self, loop_characteristics)
        return super()._add_multiinstance_task(loop_characteristics)

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        extensions = {}
        for prop in node.xpath("./bpmn:extensionElements/camunda:properties/camunda:property",
                               namespaces=self.nsmap):
            extensions[prop.get("name")] = prop.get("value")
        for attr, value in node.attrib.items():
            if attr.startswith(_PREFIX):
                extensions[f"camunda:{attr[len(_PREFIX):]}"] = value
        if node.get("isInterrupting") is not None:
            extensions["isInterrupting"] = node.get("isInterrupting")
        cycle = node.xpath("./bpmn:extensionElements/camunda:failedJobRetryTimeCycle", namespaces=self.nsmap)
        if cycle and (cycle[0].text or "").strip():
            extensions["camunda:failedJobRetryTimeCycle"] = cycle[0].text.strip()
        return extensions


class KbTaskParser(CamundaExtensions, CamundaTaskParser):
    """Plain, manual and service tasks, with Camunda multi-instance."""


class KbUserTaskParser(CamundaExtensions, UserTaskParser):
    """User tasks keep their assignment attributes for the service layer to evaluate."""


class KbBusinessRuleTaskParser(CamundaExtensions, BusinessRuleTaskParser):
    """Business rule tasks backed by a DMN decision, with Camunda's result variable and COLLECT aggregations."""

    def create_task(self):
        decision_ref = self.get_decision_ref(self.node)
        engine = self.process_parser.parser.get_engine(decision_ref, self.node)  # names a missing decision
        engine.decision_table.aggregation = decisions.table_aggregation(
            self.process_parser.parser.dmn_parsers[decision_ref].node)
        mapping = self.node.get(f"{_PREFIX}mapDecisionResult")
        if mapping is not None and mapping not in decisions.RESULT_MAPPINGS:
            self.raise_validation_exception(f"camunda:mapDecisionResult '{mapping}' is not one of "
                                            f"{', '.join(decisions.RESULT_MAPPINGS)}")
        if mapping in ("singleEntry", "collectEntries") and len(engine.decision_table.outputs) != 1:
            self.raise_validation_exception(f"camunda:mapDecisionResult '{mapping}' needs a decision with one output; "
                                            f"'{decision_ref}' has {len(engine.decision_table.outputs)}")
        return self.spec_class(self.spec, self.bpmn_id, dmnEngine=engine, **self.bpmn_attributes)


class KbSubWorkflowParser(CamundaExtensions, SubWorkflowParser):
    """Embedded subprocesses, without their descendants' properties; event subprocesses (triggeredByEvent),
    which Spiff's Camunda parser would run as plain subprocesses."""

    def create_task(self):
        if self.node.get("triggeredByEvent") != "true":
            return super().create_task()
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        return self.EVENT_SUBPROCESS_CLASS(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec,
                                           **self.bpmn_attributes)


class KbCallActivityParser(CamundaExtensions, CamundaTaskParser):
    """Call activities start separate instances (see call_activity.py): keep calledElement and the
    camunda:in/out mappings as plain data in extensions."""

    def create_task(self):
        return self.spec_class(self.spec, self.bpmn_id, **self.bpmn_attributes)

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        node = self.node if node is None else node
        extensions["calledElement"] = node.get("calledElement")
        for tag, key in (("in", IN_KEY), ("out", OUT_KEY)):
            extensions[key] = [dict(m.attrib) for m in node.xpath(
                f"./bpmn:extensionElements/camunda:{tag}", namespaces={**self.nsmap, "camunda": CAMUNDA_MODEL_NS})]
        return extensions


class KbScriptTaskParser(CamundaExtensions, CamundaTaskParser):
    """Script tasks, with Camunda multi-instance (the stock parser uses the generic one)."""

    def create_task(self):
        script = ScriptTaskParser.get_script(self)
        return self.spec_class(self.spec, self.bpmn_id, script=script, **self.bpmn_attributes)


class KbSendTaskParser(CamundaExtensions, SendTaskParser):
    """Send tasks (generic message semantics)."""


class KbReceiveTaskParser(CamundaExtensions, ReceiveTaskParser):
    """Receive tasks (generic message semantics)."""


class KbStartEventParser(CamundaExtensions, StartEventParser):
    """Start events keep isInterrupting (event subprocesses) and camunda attributes."""


class KuaibaoParser(CamundaParser):
    """CamundaParser with generic events and every camunda attribute kept in extensions."""

    OVERRIDE_PARSER_CLASSES = {
        full_tag("userTask"): (KbUserTaskParser, UserTask),
        full_tag("businessRuleTask"): (KbBusinessRuleTaskParser, CamundaBusinessRuleTask),
        full_tag("task"): (KbTaskParser, NoneTask),
        full_tag("manualTask"): (KbTaskParser, ManualTask),
        full_tag("serviceTask"): (KbTaskParser, ServiceTask),
        full_tag("scriptTask"): (KbScriptTaskParser, ScriptTask),
        full_tag("subProcess"): (KbSubWorkflowParser, CallActivity),
        full_tag("callActivity"): (KbCallActivityParser, CallActivityTask),
        full_tag("transaction"): (KbSubWorkflowParser, TransactionSubprocess),
        full_tag("sendTask"): (KbSendTaskParser, SendTask),
        full_tag("receiveTask"): (KbReceiveTaskParser, ReceiveTask),
        full_tag("startEvent"): (KbStartEventParser, StartEvent),
    }

