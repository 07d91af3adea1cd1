"""Write history as the runtime changes, in the same transaction: activity instances from the engine's
outcome, task assignment, cancellation of what a deleted instance left open."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from ..engine.outcome import Outcome
from ..models import HistoryActivity, ProcessInstance
from ..models.base import naive_utc

_HISTORY = HistoryActivity.__table__
COMPLETED_REASON, DELETED_REASON = "completed", "deleted"


def record_outcome(session: Session, instance: ProcessInstance, outcome: Outcome, now: datetime) -> None:
    """One insert for the activities that began, one update per kind of ending for those that began earlier."""
    if not outcome.activities:
        return
    opened = {r.id: r for r in outcome.opened}
    root = instance.root_process_instance_id or instance.id
    rows, completed, canceled = [], [], []
    for sequence, event in enumerate(outcome.activities):
        if not event.started:
            (canceled if event.canceled else completed).append(event.id)
            continue
        task = opened.get(event.id)
        rows.append(dict(
            id=event.id, parent_activity_instance_id=event.parent_id, activity_id=event.activity_id,
            activity_name=event.name, activity_type=event.activity_type, process_instance_id=instance.id,
            process_definition_id=instance.definition_id, process_definition_key=instance.definition_key,
            root_process_instance_id=root, tenant_id=instance.tenant_id, start_time=now,
            end_time=now if event.ended else None, sequence=sequence, canceled=event.canceled,
            called_process_instance_id=None, assignee=task.assignee if task else None, owner=None,
            description=task.description if task else None, due=naive_utc(task.due) if task else None,
            follow_up=naive_utc(task.follow_up) if task else None, priority=task.priority if task else None,
            delete_reason=_reason(event.canceled) if event.ended else None))
    if rows:
        session.execute(insert(_HISTORY), rows)
    for ids, was_canceled in ((completed, False), (canceled, True)):
        if ids:
            session.execute(update(_HISTORY).where(_HISTORY.c.id.in_(ids)).values(
                end_time=now, canceled=was_canceled, delete_reason=_reason(was_canceled)))


def record_call(session: Session, call_task_id: str, called_instance_id: str) -> None:
    session.execute(update(_HISTORY).where(_HISTORY.c.id == call_task_id)
                    .values(called_process_instance_id=called_instance_id))


def record_assignee(session: Session, task_id: str, assignee: str | None) -> None:
    session.execute(update(_HISTORY).where(_HISTORY.c.id == task_id).values(assignee=assignee))


def record_cancellation(session: Session, instance_ids: list[str], now: datetime) -> None:
    """A deleted instance: whatever was still running ends cancelled."""
    session.execute(update(_HISTORY).where(_HISTORY.c.process_instance_id.in_(instance_ids),
                                           _HISTORY.c.end_time.is_(None))
                    .values(end_time=now, canceled=True, delete_reason=DELETED_REASON))


def _reason(canceled: bool) -> str:
    return DELETED_REASON if canceled else COMPLETED_REASON
