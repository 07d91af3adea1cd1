"""Reading and preparing a restored workflow: what it waits for, its process variables, async holds."""
from __future__ import annotations

from typing import Any, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .outcome import Subscription

FRONTIER = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def reconnect_event_subprocesses(wf: BpmnWorkflow) -> None:
    """Spiff wires an event subprocess to the start task only when it triggers, on the spec object it runs with;
    each command restores fresh spec objects, so wire the ones the stored state already uses again."""
    start, end = wf.spec.start, wf.spec.end
    for name in start.trigger_specs:
        spec = wf.spec.task_specs.get(name)
        if spec is not None and start not in spec.inputs and any(
                t.task_spec is spec for t in wf.tasks.values()):
            start.connect(spec)
            spec.connect(end)


def ancestors(task):
    while task.parent is not None:
        task = task.parent
        yield task


def is_async(spec) -> bool:
    return getattr(spec, "kuaibao_async", False)


def hold_async(wf: BpmnWorkflow) -> None:
    """Async continuations: a task with camunda:asyncBefore (or following one with camunda:asyncAfter) waits
    READY for the job executor instead of being run by Spiff's engine steps. The spec objects belong to this
    instance alone, so marking them is safe."""
    specs = [wf.spec, *wf.subprocess_specs.values()]
    for process in specs:
        for spec in process.task_specs.values():
            ext = getattr(spec, "extensions", None) or {}
            if ext.get("camunda:asyncAfter") == "true":
                for follower in spec.outputs:
                    mark_async(follower)
            if ext.get("camunda:asyncBefore") == "true":
                mark_async(spec)


def mark_async(spec) -> None:
    spec.kuaibao_async = True
    spec.manual = True


def job_priority(ext: Mapping[str, Any]) -> int:
    try:
        return int(ext.get("camunda:jobPriority") or ext.get("camunda:taskPriority") or 0)
    except ValueError:
        return 0


def subscriptions(wf: BpmnWorkflow) -> list[Subscription]:
    """Every event the instance waits for, in a stable order: catch events, and the start events of its event
    subprocesses (Spiff starts those when the event comes, so they wait while the instance runs)."""
    result = []
    for task in wf.event_manager.tasks.values():
        pending = task.task_spec.event_definition.details(task)
        value = pending.value if isinstance(pending.value, str) else None
        result.append(Subscription(pending.event_type, pending.name, task.task_spec.bpmn_id, value))
    if not wf.is_completed():
        for name in wf.spec.start.trigger_specs:
            for start in wf.subprocess_specs[name].bpmn_start_events:
                definition = start.event_definition
                result.append(Subscription(type(definition).__name__, getattr(definition, "name", None),
                                           start.bpmn_id, getattr(definition, "code", None)))
    return sorted(result, key=lambda s: (s.event_type, s.name or "", s.activity_id, s.value or ""))


def process_variables(wf: BpmnWorkflow) -> dict[str, Any]:
    """Camunda's process scope, seen through Spiff's per-task data: the live branches merged, latest last."""
    if wf.is_completed():
        return dict(wf.data)
    merged: dict[str, Any] = {}
    for t in sorted(wf.get_tasks(state=FRONTIER), key=lambda t: t.last_state_change):
        merged.update(t.data)
    return merged
