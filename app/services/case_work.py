"""What is open in a case and what happened in it: the agencies holding it, its deadlines, its timeline.

These read a set of process instances the caller has already been allowed to read (case_tracker decides which);
they only gather the rows that belong to them. Times stay stored (naive UTC); days are Jilin calendar days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Group, HistoryActivity, OperationLog, ProcessDefinition, ProcessInstance, Task, TaskCandidate
from .case_stages import activity_stage, deadline_status
from .context import Kuaibao
from .local_time import local_day

# Statutory dates the pack keeps in variables, and the variable whose presence says the date has been met.
STATUTORY_DATES = (("decision_due", "decided_on"), ("reappraisal_deadline", "request_reappraisal"))
# Activity types the timeline leaves out: routing, and reading the settings decision, say nothing to a reader.
QUIET_TYPES = ("businessRuleTask", "multiInstanceBody")


@dataclass(frozen=True)
class Agency:
    id: str
    name: str


@dataclass(frozen=True)
class Holder:
    """An open user task: who holds the case now (its candidate agencies, or the person who claimed it)."""

    task_id: str
    task_name: str | None
    process_name: str | None
    instance_id: str
    activity_id: str
    stage: str | None
    agencies: tuple[Agency, ...]
    users: tuple[str, ...]
    assignee: str | None
    created: datetime
    due: datetime | None


@dataclass(frozen=True)
class Deadline:
    """A date the case must meet: an open task's due date (`label` = the task's name) or a statutory date kept in
    a variable (`label` = the variable's name, e.g. decision_due)."""

    kind: str  # "task" or "statutory"
    label: str
    due: date
    status: str  # ok / at_risk / overdue
    days_left: int


@dataclass(frozen=True)
class Happening:
    """One line of the timeline: an activity the case went through, or an operation someone made on it."""

    at: datetime
    kind: str  # "activity" or "operation"
    name: str | None
    process_name: str | None
    activity_type: str | None = None
    ended: datetime | None = None
    state: str = "done"  # activities: open / done / canceled; operations: the operation type
    who: str | None = None
    details: tuple[tuple[str, str | None], ...] = field(default_factory=tuple)


def process_names(s: Session, instances: list[ProcessInstance]) -> dict[str, str | None]:
    """{instance id: its process's name (as drawn, in Chinese)}."""
    ids = {i.definition_id for i in instances}
    names = dict(s.execute(select(ProcessDefinition.id, ProcessDefinition.name)
                           .where(ProcessDefinition.id.in_(ids))).all())
    return {i.id: names.get(i.definition_id) or i.definition_key for i in instances}


def holders(kb: Kuaibao, s: Session, instances: list[ProcessInstance]) -> list[Holder]:
    """The open user tasks of the instances, oldest first, with their candidate agencies by name."""
    names = process_names(s, instances)
    tasks = list(s.scalars(select(Task).where(Task.process_instance_id.in_(list(names)))
                           .order_by(Task.created, Task.id)))
    candidates = s.execute(select(TaskCandidate.task_id, TaskCandidate.group_id, TaskCandidate.user_id, Group.name)
                           .outerjoin(Group, Group.id == TaskCandidate.group_id)
                           .where(TaskCandidate.task_id.in_([t.id for t in tasks]))
                           .order_by(TaskCandidate.id)).all()
    found = []
    for t in tasks:
        mine = [c for c in candidates if c.task_id == t.id]
        found.append(Holder(
            t.id, t.name, names.get(t.process_instance_id), t.process_instance_id, t.task_definition_key,
            activity_stage(kb, s, t.process_definition_id, t.process_definition_key, t.task_definition_key),
            tuple(Agency(c.group_id, c.name or c.group_id) for c in mine if c.group_id),
            tuple(c.user_id for c in mine if c.user_id), t.assignee, t.created, t.due))
    return found


def deadlines(open_tasks: list[Holder], variables: dict[str, object], today: date) -> list[Deadline]:
    """Open tasks' due dates, then statutory dates not yet met that no open task already carries; soonest first.

    `variables` are the running instances' values of the STATUTORY_DATES names (merged; the case has one of each)."""
    found = [Deadline("task", t.task_name or t.activity_id, local_day(t.due), *deadline_status(local_day(t.due), today))
             for t in open_tasks if t.due is not None]
    carried = {d.due for d in found}
    for name, met_by in STATUTORY_DATES:
        due = _date(variables.get(name))
        if due is not None and variables.get(met_by) in (None, "") and due not in carried:
            found.append(Deadline("statutory", name, due, *deadline_status(due, today)))
    return sorted(found, key=lambda d: (d.due, d.kind, d.label))


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value not in (None, "") else None
    except ValueError:
        return None


def timeline(s: Session, instances: list[ProcessInstance]) -> list[Happening]:
    """What happened, in order: the activities (with who completed each user task) and the other operations of
    the user operation log (claims, assignments, messages, variable changes, cancellations)."""
    names = process_names(s, instances)
    ids = list(names)
    ha = HistoryActivity
    activities = s.execute(select(ha.id, ha.activity_name, ha.activity_id, ha.activity_type, ha.process_instance_id,
                                  ha.start_time, ha.end_time, ha.canceled, ha.assignee, ha.sequence)
                           .where(ha.process_instance_id.in_(ids)).order_by(ha.start_time, ha.sequence, ha.id)).all()
    operations = _operations(s, ids)
    completed_by = {op["task_id"]: op["user_id"] for op in operations if op["type"] == "Complete" and op["task_id"]}
    task_names = {a.id: a.activity_name for a in activities}
    found = [Happening(a.start_time, "activity", a.activity_name or a.activity_id, names.get(a.process_instance_id),
                       a.activity_type, a.end_time,
                       "canceled" if a.canceled else "open" if a.end_time is None else "done",
                       completed_by.get(a.id) or a.assignee)
             for a in activities if "Gateway" not in a.activity_type and a.activity_type not in QUIET_TYPES]
    for op in operations:
        if op["type"] == "Complete":
            continue
        subject = task_names.get(op["task_id"]) if op["task_id"] else names.get(op["instance_id"])
        found.append(Happening(op["at"], "operation", subject, names.get(op["instance_id"]), state=op["type"],
                               who=op["user_id"], details=tuple(op["details"])))
    return sorted(found, key=lambda h: h.at)


def _operations(s: Session, instance_ids: list[str]) -> list[dict]:
    """The operation log of the instances, one entry per operation (its rows share an operationId)."""
    log = OperationLog
    rows = s.execute(select(log.operation_id, log.operation_type, log.entity_type, log.property, log.new_value,
                            log.user_id, log.timestamp, log.task_id, log.process_instance_id)
                     .where(log.process_instance_id.in_(instance_ids)).order_by(log.timestamp, log.id))
    grouped: dict[str, dict] = {}
    for r in rows:
        entry = grouped.setdefault(r.operation_id, {"type": r.operation_type, "entity": r.entity_type,
                                                    "user_id": r.user_id, "at": r.timestamp, "task_id": r.task_id,
                                                    "instance_id": r.process_instance_id, "details": []})
        if r.property and r.operation_type in DETAILED and r.property in DETAILED[r.operation_type]:
            entry["details"].append((r.property, r.new_value))
    return list(grouped.values())


# The properties worth a line on the timeline, per operation (start variables and form values are left to the
# Cockpit: a timeline says who did what, not every value).
DETAILED = {"Claim": ("assignee",), "Assign": ("assignee",), "CorrelateMessage": ("messageName",),
            "Delete": ("deleteReason",), "Suspend": ("suspensionState",), "Activate": ("suspensionState",),
            "Create": ("businessKey",)}
