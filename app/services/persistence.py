"""Write what the engine did (an Outcome) to the instance row, the work queue and the variable table."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Mapping

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..engine.runtime import Outcome
from ..models import COMPLETED, ProcessInstance, Task, TaskCandidate, Variable, new_id, utcnow
from . import typed_values as tv


def naive_utc(value: datetime | None) -> datetime | None:
    """Storage convention: naive UTC."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def apply_outcome(session: Session, instance: ProcessInstance, outcome: Outcome,
                  declared: Mapping[str, tv.TypedValue] | None = None, is_new: bool = False) -> None:
    """Persist an outcome: instance state, opened and closed tasks, changed variables."""
    now = utcnow()
    instance.workflow = outcome.state
    if outcome.ended:
        instance.state = COMPLETED
        instance.end_time = now
    if is_new:
        session.add(instance)
    session.flush()  # the instance row (and its version check) first: tasks and variables reference it
    if outcome.closed:
        session.execute(delete(Task).where(Task.id.in_(outcome.closed)))
    if outcome.ended:
        session.execute(delete(Task).where(Task.process_instance_id == instance.id))
    elif outcome.opened:
        _open_tasks(session, instance, outcome, now)
    sync_variables(session, instance.id, outcome.variables, declared or {}, is_new)


def _open_tasks(session: Session, instance: ProcessInstance, outcome: Outcome, now: datetime) -> None:
    rows, candidates = [], []
    for r in outcome.opened:
        rows.append(dict(
            id=r.id, process_instance_id=instance.id, process_definition_id=instance.definition_id,
            process_definition_key=instance.definition_key, task_definition_key=r.activity_id, name=r.name,
            description=r.description, assignee=r.assignee, owner=None, created=now, last_updated=None,
            due=naive_utc(r.due), follow_up=naive_utc(r.follow_up), priority=r.priority, form_key=r.form_key,
            form_fields=json.dumps(r.form_fields, ensure_ascii=False) if r.form_fields else None,
            tenant_id=instance.tenant_id))
        candidates += [dict(task_id=r.id, group_id=g, user_id=None) for g in r.candidate_groups]
        candidates += [dict(task_id=r.id, group_id=None, user_id=u) for u in r.candidate_users]
    session.execute(insert(Task), rows)
    if candidates:
        session.execute(insert(TaskCandidate), candidates)


def sync_variables(session: Session, instance_id: str, values: Mapping, declared: Mapping[str, tv.TypedValue],
                   is_new: bool = False) -> None:
    """Make the variable table match the engine's process variables, keeping declared Camunda types."""
    existing = {} if is_new else {
        v.name: v for v in session.scalars(select(Variable).where(Variable.process_instance_id == instance_id))}
    inserts, deleted = [], [name for name in existing if name not in values]
    for name, value in values.items():
        row = existing.get(name)
        if name in declared and declared[name].value == value:
            typed = declared[name]
        else:
            typed = tv.TypedValue(tv.infer(value, row.type if row else None), value,
                                  json.loads(row.value_info) if row is not None and row.value_info else {})
        columns = tv.to_columns(typed)
        if row is None:
            inserts.append(dict(id=new_id(), process_instance_id=instance_id, name=name, **columns))
        elif (row.type, row.value, row.value_info) != (columns["type"], columns["value"], columns["value_info"]):
            session.execute(update(Variable).where(Variable.id == row.id).values(**columns))
    if deleted:
        session.execute(delete(Variable).where(Variable.process_instance_id == instance_id,
                                               Variable.name.in_(deleted)))
    if inserts:
        session.execute(insert(Variable), inserts)


def load_variables(session: Session, instance_id: str, names: list[str] | None = None) -> dict[str, tv.TypedValue]:
    """Typed process variables of an instance, straight from the table (no workflow is loaded)."""
    stmt = select(Variable.name, Variable.type, Variable.value, Variable.value_info).where(
        Variable.process_instance_id == instance_id)
    if names:
        stmt = stmt.where(Variable.name.in_(names))
    return {name: tv.from_columns(kind, value, info) for name, kind, value, info in session.execute(stmt)}


def lock_instance(session: Session, instance_id: str, postgres: bool) -> ProcessInstance | None:
    """Load an instance to change it; on PostgreSQL also take its row lock so writers queue, not collide."""
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
    if postgres:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)
