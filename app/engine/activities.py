"""Activity instances for history: which BPMN activities a command started and ended.

A snapshot of the workflow's flow-node tasks is taken when a command begins; at its end the difference says
which activities began (and maybe also ended) and which earlier ones ended, completed or cancelled. Camunda
records an activity instance only when the token reaches it, so a boundary event or an event-based
gateway's alternative counts only if it fired.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins import (
    BoundaryEventMixin,
    CallActivityMixin,
    EndEventMixin,
    EventBasedGatewayMixin,
    EventSubprocessMixin,
    ExclusiveGatewayMixin,
    InclusiveGatewayMixin,
    IntermediateCatchEventMixin,
    IntermediateThrowEventMixin,
    ManualTaskMixin,
    NoneTaskMixin,
    ParallelGatewayMixin,
    ParallelMultiInstanceTaskMixin,
    ReceiveTaskMixin,
    ScriptTaskMixin,
    SendTaskMixin,
    SequentialMultiInstanceTaskMixin,
    ServiceTaskMixin,
    StartEventMixin,
    SubWorkflowTaskMixin,
    TransactionSubprocessMixin,
    UserTaskMixin,
)
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.task import TaskState

from .call_activity import CalledProcessTask

_REACHED = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR \
    | TaskState.CANCELLED
_ENDED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR

# Most specific first: Spiff's Camunda specs subclass these.
_TYPES: tuple[tuple[type, str], ...] = (
    (UserTaskMixin, "userTask"), (BusinessRuleTaskMixin, "businessRuleTask"), (ScriptTaskMixin, "scriptTask"),
    (SendTaskMixin, "sendTask"), (ReceiveTaskMixin, "receiveTask"), (ServiceTaskMixin, "serviceTask"),
    (ManualTaskMixin, "manualTask"), (CallActivityMixin, "callActivity"), (CalledProcessTask, "callActivity"), (EventSubprocessMixin, "subProcess"),
    (TransactionSubprocessMixin, "transaction"), (SubWorkflowTaskMixin, "subProcess"),
    (ParallelMultiInstanceTaskMixin, "multiInstanceBody"), (SequentialMultiInstanceTaskMixin, "multiInstanceBody"),
    (ExclusiveGatewayMixin, "exclusiveGateway"), (ParallelGatewayMixin, "parallelGateway"),
    (InclusiveGatewayMixin, "inclusiveGateway"), (EventBasedGatewayMixin, "eventBasedGateway"),
    (NoneTaskMixin, "task"),
)
_EVENT_WORDS = {"TimerEventDefinition": "Timer", "DurationTimerEventDefinition": "Timer",
                "TimeDateEventDefinition": "Timer", "CycleTimerEventDefinition": "Timer",
                "MessageEventDefinition": "Message", "SignalEventDefinition": "Signal",
                "ErrorEventDefinition": "Error", "EscalationEventDefinition": "Escalation",
                "TerminateEventDefinition": "Terminate", "CancelEventDefinition": "Cancel",
                "CompensationEventDefinition": "Compensation", "ConditionalEventDefinition": "Conditional"}


@dataclass(frozen=True)
class ActivityEvent:
    """An activity instance that began or ended (or both) during one command. `id` is the Spiff task id,
    which is also the user task's id when the activity is a user task."""

    id: str
    activity_id: str
    name: str | None
    activity_type: str
    started: bool             # it began in this command (else it began in an earlier one)
    ended: bool
    canceled: bool
    parent_id: str | None     # the enclosing (sub)process activity instance, when there is one
    order: float              # when Spiff last changed its state: orders the events of one command


def activity_type(spec) -> str:
    """Camunda's activityType names (userTask, exclusiveGateway, startTimerEvent, boundaryMessage…)."""
    for cls, name in _TYPES:
        if isinstance(spec, cls):
            return name
    definition = type(getattr(spec, "event_definition", None)).__name__
    word = _EVENT_WORDS.get(definition, "")
    if isinstance(spec, StartEventMixin):
        return {"Timer": "startTimerEvent", "": "startEvent"}.get(word, word.lower() + "StartEvent")
    if isinstance(spec, EndEventMixin):
        return (word.lower() or "none") + "EndEvent"
    if isinstance(spec, BoundaryEventMixin):
        return "boundary" + (word or "Event")
    if isinstance(spec, IntermediateCatchEventMixin):
        return {"Timer": "intermediateTimer", "": "intermediateCatchEvent"}.get(word, f"intermediate{word}Catch")
    if isinstance(spec, IntermediateThrowEventMixin):
        return f"intermediate{word}Throw" if word else "intermediateNoneThrowEvent"
    return "task"


def _is_activity(task) -> bool:
    return getattr(task.task_spec, "bpmn_id", None) is not None


def snapshot(wf) -> dict:
    """The flow-node tasks the token has reached, by id, with their state."""
    return {t.id: t.state for t in wf.get_tasks(state=_REACHED) if _is_activity(t)}


def _counts(task) -> bool:
    """Boundary events and an event-based gateway's alternatives exist only once they fire."""
    if isinstance(task.task_spec, BoundaryEventMixin) or (
            task.parent is not None and isinstance(task.parent.task_spec, EventBasedGatewayMixin)):
        return task.state == TaskState.COMPLETED
    return True


def changes(wf, before: dict) -> list[ActivityEvent]:
    """What began or ended since `before` (a snapshot), in the order Spiff changed them."""
    events = []
    for task in wf.get_tasks(state=_REACHED):
        if not _is_activity(task) or not _counts(task):
            continue
        earlier = before.get(task.id)
        ended = bool(task.state & _ENDED)
        if earlier is not None and (not ended or earlier & _ENDED):
            continue
        spec = task.task_spec
        events.append(ActivityEvent(
            str(task.id), spec.bpmn_id, getattr(spec, "bpmn_name", None), activity_type(spec),
            started=earlier is None, ended=ended, canceled=task.state == TaskState.CANCELLED,
            parent_id=_parent_activity(task), order=task.last_state_change))
    events.sort(key=lambda e: e.order)
    return events


def _parent_activity(task) -> str | None:
    """The subprocess task that holds this task's workflow, if it is not the top-level process."""
    parent = getattr(task.workflow, "parent_task_id", None)
    return str(parent) if parent else None
