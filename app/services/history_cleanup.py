"""History retention: delete ended process instances once their time to live has passed, in short batches.

Camunda's "end time based" strategy, per root instance: a root instance expires when it has ended and its end time
plus the time to live of its definition (camunda:historyTimeToLive, else HISTORY_TIME_TO_LIVE_DAYS) lies before
now. It leaves together with its whole tree (the instances its call activities started); a called instance never
leaves alone, and a tree with a member still running stays.

Each batch is one short transaction (choose up to `batch_size` expired roots, delete their rows table by table,
commit), so work queues and commands wait at most one batch, never the whole cleanup. On PostgreSQL the batch is
chosen with `FOR UPDATE SKIP LOCKED`, so any number of workers may clean at once without colliding. The Jilin
records (`jl_*`) are the programme's own data, not history: they are never touched.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, any_, delete, exists, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from ..models import (
    ACTIVE,
    COMPLETED,
    EXTERNALLY_TERMINATED,
    Authorization,
    Comment,
    HistoryActivity,
    OperationLog,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    Variable,
    utcnow,
)
from ..models.base import naive_utc
from .context import Actor, Kuaibao
from .errors import Forbidden

ENDED = (COMPLETED, EXTERNALLY_TERMINATED)
# History rows that hang on one process instance of the tree, deleted before it. The runtime rows (task, job,
# external_task, event_subscription, incident) are gone once an instance has ended; should one be left, its foreign
# key's ON DELETE CASCADE takes it along with the instance.
_PER_INSTANCE = (Variable.process_instance_id, Comment.process_instance_id, OperationLog.process_instance_id)
# Rows that carry the root's id for the whole tree.
_PER_ROOT = (HistoryActivity.root_process_instance_id, OperationLog.root_process_instance_id,
             Authorization.root_process_instance_id)


@dataclass(frozen=True)
class CleanupReport:
    """What one cleanup run removed: process instances (called ones included) in how many transactions."""

    removed_instances: int
    batches: int
    seconds: float


@dataclass(frozen=True)
class Cutoff:
    """Roots of definitions with this time to live (None: the definition has none) expire if they ended before
    `ended_before`. Computed in Python, one per distinct TTL, so SQLite and PostgreSQL run the same SQL."""

    ttl_days: int | None
    ended_before: datetime


def cleanup(kb: Kuaibao, now: datetime | None = None, batch_size: int | None = None,
            max_batches: int | None = None) -> CleanupReport:
    """Delete expired history batch by batch until none is left (or `max_batches` ran); one transaction each."""
    started = time.monotonic()
    now = naive_utc(now) or utcnow()
    size = batch_size or kb.settings.history_cleanup_batch
    cutoffs = kb.read(lambda s: cutoffs_at(s, now, kb.settings.history_time_to_live_days))
    removed = batches = 0
    while cutoffs and (max_batches is None or batches < max_batches):
        count = kb.command(lambda s: delete_batch(s, cutoffs, size, kb.store.is_postgres))
        if not count:
            break
        removed, batches = removed + count, batches + 1
    return CleanupReport(removed, batches, time.monotonic() - started)


def cleanup_requested(kb: Kuaibao, actor: Actor, batch_size: int | None = None) -> CleanupReport:
    """Cleanup on demand (REST, Cockpit): administrators only, as Camunda's HistoryService.cleanUpHistoryAsync."""
    if not actor.is_admin:
        raise Forbidden("ENGINE-03029 Required admin authenticated group or user.", actor.user_id)
    return cleanup(kb, batch_size=batch_size)


def cutoffs_at(s: Session, now: datetime, default_days: int) -> list[Cutoff]:
    """One cutoff per distinct time to live among the definitions; none for those kept forever."""
    result = []
    for ttl in s.scalars(select(ProcessDefinition.history_time_to_live).distinct()):
        days = default_days if ttl is None else ttl
        if (ttl is None and default_days == 0) or days < 0:
            continue  # the setting's 0 keeps history forever; a definition's own 0 means "right after it ends"
        result.append(Cutoff(ttl, now - timedelta(days=days)))
    return result


def expired_roots(cutoffs: list[Cutoff], limit: int, lock: bool):
    """The oldest `limit` expired root instances (an index scan on end_time), locked on PostgreSQL."""
    member = aliased(ProcessInstance)
    running_member = exists().where(member.root_process_instance_id == ProcessInstance.id, member.state == ACTIVE)
    ttl = ProcessDefinition.history_time_to_live
    expired = or_(*(and_(ttl.is_(None) if c.ttl_days is None else ttl == c.ttl_days,
                         ProcessInstance.end_time < c.ended_before) for c in cutoffs))
    stmt = (select(ProcessInstance.id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessInstance.end_time < max(c.ended_before for c in cutoffs),
                   ProcessInstance.root_process_instance_id.is_(None), ProcessInstance.state.in_(ENDED),
                   expired, ~running_member)
            .order_by(ProcessInstance.end_time).limit(limit))
    return stmt.with_for_update(skip_locked=True, of=ProcessInstance) if lock else stmt


def delete_batch(s: Session, cutoffs: list[Cutoff], size: int, postgres: bool) -> int:
    """Delete up to `size` expired roots with their trees, children first; returns how many process instances
    went (called ones included)."""
    roots = list(s.scalars(expired_roots(cutoffs, size, lock=postgres)))
    if not roots:
        return 0

    def among(column, ids: list[str]):
        return _among(column, ids, postgres)

    called = [i for part in _chunks(roots) for i in s.scalars(
        select(ProcessInstance.id).where(among(ProcessInstance.root_process_instance_id, part)))]
    for part in _chunks(roots):
        _delete(s, TaskCandidate, TaskCandidate.task_id.in_(
            select(HistoryActivity.id).where(among(HistoryActivity.root_process_instance_id, part))))
        for column in _PER_ROOT:
            _delete(s, column.class_, among(column, part))
    for part in _chunks(called + roots):
        for column in _PER_INSTANCE:
            _delete(s, column.class_, among(column, part))
    for part in _chunks(called + roots):  # called instances before their callers
        _delete(s, ProcessInstance, among(ProcessInstance.id, part))
    return len(called) + len(roots)


def _among(column, ids: list[str], postgres: bool):
    """`column IN (ids)`. On PostgreSQL `= ANY(:ids)` with one array parameter instead of one per id: that spares
    the driver most of the cleanup's Python work, and the cleanup shares its interpreter with the server's requests."""
    return column == any_(literal(ids, ARRAY(String))) if postgres else column.in_(ids)


def _chunks(ids: list[str], size: int = 1000):
    """IN lists of bounded length (SQLite caps bound parameters; call activities can make big trees)."""
    return (ids[i:i + size] for i in range(0, len(ids), size))


def _delete(s: Session, model, condition) -> None:
    # Plain SQL DELETE: nothing of these rows is loaded in the session, so there is nothing to synchronize.
    s.execute(delete(model).where(condition).execution_options(synchronize_session=False))
