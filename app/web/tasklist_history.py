"""A case's history beside its task: what happened (the activity history of the case and of the cases it
called, in the order it happened, with who did each task) and who changed what (the user operation log).

Read through the history services, so a case worker sees the history of exactly the cases their tasks let them
read; a called case the caller may not read is left out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..services import history_activities, history_queries, oplog_queries
from ..services.context import Actor, Kuaibao
from ..services.errors import NotFound
from ..services.history_activities import HistoricActivityQuery
from ..services.history_queries import HistoricInstanceQuery
from ..services.oplog_queries import OperationLogQuery
from ..services.queries import Page, Sorting

MAX_CASES, MAX_ROWS, MAX_CHANGES, MAX_VALUE = 20, 300, 6, 80
HIDDEN_TYPES = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "multiInstanceBody")
OPERATIONS = {"Create": _l("Started the case"), "Claim": _l("Claimed"), "Assign": _l("Assigned"),
              "Complete": _l("Completed"), "SetVariable": _l("Changed data"), "RemoveVariable": _l("Removed data"),
              "Delete": _l("Cancelled the case"), "Suspend": _l("Suspended"), "Activate": _l("Resumed"),
              "CorrelateMessage": _l("Message received"), "SetJobRetries": _l("Retried"),
              "Resolve": _l("Resolved an incident")}


@dataclass
class Step:
    """An activity of the case: a task, an automatic step, an event."""

    name: str
    kind: str  # task, service, rule, call, start, end, event
    started: datetime
    ended: datetime | None
    canceled: bool
    assignee: str | None
    case: str | None  # the called case's process name; None in the case itself
    sequence: int = 0


@dataclass
class Operation:
    """One entry of the operation log (its rows share an operation id)."""

    time: datetime
    user: str | None
    label: str
    task: str | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    more: int = 0


@dataclass
class CaseHistory:
    steps: list[Step]
    operations: list[Operation]


def case_history(kb: Kuaibao, actor: Actor, instance_id: str) -> CaseHistory:
    """The history of the whole case tree the instance belongs to (its root and every case called from it)."""
    cases = case_tree(kb, actor, instance_id)
    steps: list[Step] = []
    task_names: dict[str, str] = {}
    for case in cases:
        called = None if case["super_process_instance_id"] is None else (case["definition_name"]
                                                                          or case["definition_key"])
        for row in history_activities.list_historic_activities(kb, actor, HistoricActivityQuery(
                process_instance_id=case["id"], sorting=[Sorting("occurrence", "asc")], page=Page(0, MAX_ROWS))):
            if row["activity_type"] == "userTask":
                task_names[row["id"]] = row["activity_name"] or row["activity_id"]
            if row["activity_type"] in HIDDEN_TYPES:
                continue
            steps.append(Step(row["activity_name"] or row["activity_id"], _kind(row["activity_type"]),
                              row["start_time"], row["end_time"], bool(row["canceled"]), row["assignee"], called,
                              row["sequence"] or 0))
    steps.sort(key=lambda s: (s.started, s.sequence))
    operations = []
    for case in cases:
        operations += _operations(kb, actor, case["id"], task_names)
    operations.sort(key=lambda o: o.time)
    return CaseHistory(steps, operations)


def case_tree(kb: Kuaibao, actor: Actor, instance_id: str) -> list[dict]:
    """The root instance and the instances called from it, level by level (at most MAX_CASES)."""
    instance = history_queries.get_historic_instance(kb, actor, instance_id)
    try:
        root = history_queries.get_historic_instance(kb, actor, instance["root_process_instance_id"])
    except NotFound:
        root = instance
    found, frontier = [root], [root["id"]]
    while frontier and len(found) < MAX_CASES:
        called = []
        for parent in frontier:
            called += history_queries.list_historic_instances(kb, actor, HistoricInstanceQuery(
                super_process_instance_id=parent, page=Page(0, MAX_CASES)))
        found += called[:MAX_CASES - len(found)]
        frontier = [c["id"] for c in called]
    return found


def _operations(kb: Kuaibao, actor: Actor, instance_id: str, task_names: dict[str, str]) -> list[Operation]:
    rows = oplog_queries.list_operations(kb, actor, OperationLogQuery(process_instance_id=instance_id,
                                                                     page=Page(0, MAX_ROWS)))
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["operation_id"], []).append(row)
    result = []
    for entries in grouped.values():
        first = entries[0]
        kind = first["operation_type"]
        changes = [(e["property"], _short(e["org_value"]), _short(e["new_value"])) for e in entries
                   if e["property"] and not (kind == "Complete" and e["property"] == "delete")]
        label = OPERATIONS.get(kind, kind)
        if kind == "Claim" and all(e["new_value"] is None for e in entries):
            label = _l("Gave the task back")
        result.append(Operation(first["timestamp"], first["user_id"], label, task_names.get(first["task_id"] or ""),
                                changes[:MAX_CHANGES], max(0, len(changes) - MAX_CHANGES)))
    return result


def _kind(activity_type: str) -> str:
    if activity_type == "userTask":
        return "task"
    if activity_type in ("serviceTask", "scriptTask", "sendTask", "task"):
        return "service"
    if activity_type == "businessRuleTask":
        return "rule"
    if activity_type == "callActivity":
        return "call"
    if activity_type.endswith("StartEvent") or activity_type == "startEvent":
        return "start"
    if activity_type.endswith("EndEvent"):
        return "end"
    return "event"


def _short(value: str | None) -> str:
    if value is None:
        return ""
    return value if len(value) <= MAX_VALUE else value[:MAX_VALUE - 1] + "…"
