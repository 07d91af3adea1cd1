"""Write what the engine did (an Outcome) to the instance row, the work queue and the variable table."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Mapping

from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..engine.runtime import Outcome
from ..models import (
    COMPLETED,
    TIMER,
    EventSubscription,
    ExternalTask,
    Job,
    ProcessInstance,
    Task,
    TaskCandidate,
    Variable,
    new_id,
    utcnow,
)
from ..models.base import naive_utc
from . import history_writer
from . import typed_values as tv

_INSTANCES = ProcessInstance.__table__
_TASKS = Task.__table__
_SUBSCRIPTIONS = EventSubscription.__table__
_JOBS = Job.__table__
_EXTERNAL = ExternalTask.__table__


def write_outcome(session: Session, instance: ProcessInstance, outcome: Outcome,
                  declared: Mapping[str, tv.TypedValue] | None = None, is_new: bool = False) -> None:
    """Persist an outcome in a few statements: instance row (compare-and-set on its version), closed and
    opened tasks, awaited events, changed variables. `instance` is updated in memory to match the row.
    Only the gate (services/gate.py) calls this."""
    now = utcnow()
    state = COMPLETED if outcome.ended else instance.state
    end_time = now if outcome.ended else instance.end_time
    if is_new:
        session.execute(insert(_INSTANCES).values(
            id=instance.id, definition_id=instance.definition_id, definition_key=instance.definition_key,
            business_key=instance.business_key, tenant_id=instance.tenant_id, state=state, suspended=False,
            workflow=outcome.state, version=1, start_time=instance.start_time, end_time=end_time,
            start_user_id=instance.start_user_id, super_process_instance_id=instance.super_process_instance_id,
            super_task_id=instance.super_task_id, root_process_instance_id=instance.root_process_instance_id))
        version = 1
    else:
        if instance in session:
            session.expunge(instance)  # written below with an explicit version check, not by the unit of work
        version = instance.version + 1
        changed = session.execute(update(_INSTANCES).where(_INSTANCES.c.id == instance.id,
                                                           _INSTANCES.c.version == instance.version)
                                  .values(workflow=outcome.state, state=state, end_time=end_time, version=version))
        if changed.rowcount != 1:
            raise StaleDataError(f"process instance {instance.id} changed since version {instance.version}")
    instance.workflow, instance.state, instance.end_time, instance.version = outcome.state, state, end_time, version
    history_writer.record_outcome(session, instance, outcome, now)  # before the tasks: candidates refer to it
    if outcome.ended:
        session.execute(delete(_TASKS).where(_TASKS.c.process_instance_id == instance.id))
    else:
        if outcome.closed:
            session.execute(delete(_TASKS).where(_TASKS.c.id.in_(outcome.closed)))
        if outcome.opened:
            _open_tasks(session, instance, outcome, now)
    if outcome.subscriptions_changed:
        _sync_subscriptions(session, instance.id, outcome.subscriptions, is_new)
    if outcome.ended:
        # Only what could still be there: jobs of closed work or timers, external tasks that were open.
        if outcome.work_closed or outcome.subscriptions_changed:
            session.execute(delete(_JOBS).where(_JOBS.c.process_instance_id == instance.id))
        if any(w.kind == "external" for w in outcome.work_closed):
            session.execute(delete(_EXTERNAL).where(_EXTERNAL.c.process_instance_id == instance.id))
    else:
        if outcome.subscriptions_changed:
            _sync_timer_jobs(session, instance, outcome.subscriptions, is_new)
        _sync_work(session, instance, outcome, now)
    sync_variables(session, instance.id, outcome.variables, declared or {}, is_new)


def _sync_work(session: Session, instance: ProcessInstance, outcome: Outcome, now: datetime) -> None:
    """External tasks become fetchable rows; handler calls and async continuations become jobs."""
    closed = [w.task_id for w in outcome.work_closed]
    if closed:
        session.execute(delete(_JOBS).where(_JOBS.c.task_id.in_(closed)))
        session.execute(delete(_EXTERNAL).where(_EXTERNAL.c.id.in_(closed)))
    external = [w for w in outcome.work_opened if w.kind == "external"]
    jobs = [w for w in outcome.work_opened if w.kind != "external"]
    if external:
        session.execute(insert(_EXTERNAL), [dict(
            id=w.task_id, process_instance_id=instance.id, process_definition_id=instance.definition_id,
            process_definition_key=instance.definition_key, process_definition_version_tag=None,
            activity_id=w.activity_id, topic=w.topic or "", business_key=instance.business_key,
            tenant_id=instance.tenant_id, worker_id=None, lock_expiration=None, retries=None, error_message=None,
            error_details=None, priority=w.priority, suspended=False, created=now) for w in external])
        notify(session, EXTERNAL_CHANNEL)
    if jobs:
        session.execute(insert(_JOBS), [_job_row(instance, w.kind, now, w.activity_id, w.task_id, w.retry_cycle,
                                                 w.priority, {"topic": w.topic} if w.topic else None)
                                        for w in jobs])
        notify(session, JOBS_CHANNEL)


def _sync_timer_jobs(session: Session, instance: ProcessInstance, subscriptions, is_new: bool) -> None:
    if not is_new:
        session.execute(delete(_JOBS).where(_JOBS.c.process_instance_id == instance.id, _JOBS.c.type == TIMER))
    timers = [s for s in subscriptions if "Timer" in s.event_type and _due(s.value) is not None]
    if timers:
        session.execute(insert(_JOBS), [_job_row(instance, TIMER, _due(t.value), t.activity_id, None, None, 0,
                                                 {"event": t.event_type, "name": t.name}) for t in timers])
        notify(session, JOBS_CHANNEL)


def _job_row(instance: ProcessInstance, kind: str, due: datetime, activity_id: str | None, task_id: str | None,
             retry_cycle: str | None, priority: int, configuration: dict | None) -> dict:
    return dict(id=new_id(), type=kind, process_instance_id=instance.id, process_definition_id=instance.definition_id,
                process_definition_key=instance.definition_key, activity_id=activity_id, task_id=task_id, due=due,
                retries=retries_of(retry_cycle), retry_cycle=retry_cycle, lock_owner=None, lock_expiration=None,
                exception_message=None, exception_stacktrace=None, priority=priority, suspended=False,
                tenant_id=instance.tenant_id, configuration=json.dumps(configuration) if configuration else None,
                created=utcnow())


def retries_of(cycle: str | None, default: int = 3) -> int:
    """The number of tries camunda:failedJobRetryTimeCycle allows (R5/PT10M: 5); Camunda's default is 3."""
    if cycle and cycle.startswith("R") and "/" in cycle:
        try:
            return max(1, int(cycle[1:cycle.index("/")]))
        except ValueError:
            return default
    return default


JOBS_CHANNEL, EXTERNAL_CHANNEL = "kuaibao_jobs", "kuaibao_external"
_LISTENERS: list = []


def notify(session: Session, channel: str) -> None:
    """Wake job executors and long-polling workers once this transaction commits: other processes through
    PostgreSQL NOTIFY (delivered on commit), this process through its in-process listeners."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {channel}"))
    pending = session.info.setdefault("kuaibao_notify", set())
    if not pending:
        event.listen(session, "after_commit", _fire_listeners, once=True)
    pending.add(channel)


def _fire_listeners(session: Session) -> None:
    channels = session.info.pop("kuaibao_notify", set())
    for listener in list(_LISTENERS):
        for channel in channels:
            listener(channel)


def add_listener(listener) -> None:
    """Call `listener(channel)` after any commit of this process that made new work."""
    _LISTENERS.append(listener)


def remove_listener(listener) -> None:
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def _sync_subscriptions(session: Session, instance_id: str, subscriptions, is_new: bool) -> None:
    if not is_new:
        session.execute(delete(_SUBSCRIPTIONS).where(_SUBSCRIPTIONS.c.process_instance_id == instance_id))
    if subscriptions:
        now = utcnow()
        session.execute(insert(_SUBSCRIPTIONS), [
            dict(process_instance_id=instance_id, event_type=s.event_type, event_name=s.name,
                 activity_id=s.activity_id, due=_due(s.value), created=now) for s in subscriptions])


def _due(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return naive_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


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
    session.execute(insert(_TASKS), rows)
    if candidates:
        session.execute(insert(TaskCandidate.__table__), candidates)


def sync_variables(session: Session, instance_id: str, values: Mapping, declared: Mapping[str, tv.TypedValue],
                   is_new: bool = False) -> None:
    """Make the variable table match the engine's process variables, keeping declared Camunda types."""
    existing = {} if is_new else {
        v.name: v for v in session.scalars(select(Variable).where(Variable.process_instance_id == instance_id))}
    inserts, deleted, now = [], [name for name in existing if name not in values], utcnow()
    for name, value in values.items():
        row = existing.get(name)
        if name in declared and declared[name].value == value:
            typed = declared[name]
        else:
            typed = tv.TypedValue(tv.infer(value, row.type if row else None), value,
                                  json.loads(row.value_info) if row is not None and row.value_info else {})
        columns = tv.to_columns(typed)
        if row is None:
            inserts.append(dict(id=new_id(), process_instance_id=instance_id, name=name, created=now, **columns))
        elif (row.type, row.value, row.value_info) != (columns["type"], columns["value"], columns["value_info"]):
            session.execute(update(Variable).where(Variable.id == row.id).values(**columns))
    if deleted:
        session.execute(delete(Variable).where(Variable.process_instance_id == instance_id,
                                               Variable.name.in_(deleted)))
    if inserts:
        session.execute(insert(Variable.__table__), inserts)


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
