"""Historic activity instances: when the token reached each flow node and when it left (history_activity)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..models import HistoryActivity
from . import authz
from .context import Actor, Kuaibao
from .errors import NotFound
from .history_common import millis, millis_between, readable_instance, removal_time, with_removal
from .queries import Page, Sorting, apply_page, apply_sorting

HA = HistoryActivity


@dataclass
class HistoricActivityQuery:
    """Camunda's historic activity instance query criteria, in snake case."""

    activity_instance_id: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    execution_id: str | None = None
    activity_id: str | None = None
    activity_name: str | None = None
    activity_name_like: str | None = None
    activity_type: str | None = None
    task_assignee: str | None = None
    finished: bool = False
    unfinished: bool = False
    canceled: bool = False
    complete_scope: bool = False
    started_before: datetime | None = None
    started_after: datetime | None = None
    finished_before: datetime | None = None
    finished_after: datetime | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


_OCCURRENCE, _SEQUENCE = "occurrence", " sequence"  # the second key is internal: no client sends a leading space
SORT_COLUMNS = {"activityInstanceId": HA.id, "instanceId": HA.process_instance_id,
                "executionId": HA.process_instance_id, "activityId": HA.activity_id, "activityName": HA.activity_name,
                "activityType": HA.activity_type, "startTime": HA.start_time, "endTime": HA.end_time,
                "duration": millis_between(HA.start_time, HA.end_time), "definitionId": HA.process_definition_id,
                "tenantId": HA.tenant_id, _OCCURRENCE: HA.start_time, _SEQUENCE: HA.sequence}


def completes_scope():
    """An end event that ended normally completed its (sub)process: Camunda's completeScope."""
    return and_(HA.activity_type.like("%EndEvent"), HA.end_time.is_not(None), HA.canceled.is_(False))


def _conditions(q: HistoricActivityQuery) -> list:
    equal = [(HA.id, q.activity_instance_id), (HA.process_instance_id, q.process_instance_id),
             (HA.process_instance_id, q.execution_id), (HA.process_definition_id, q.process_definition_id),
             (HA.activity_id, q.activity_id), (HA.activity_name, q.activity_name),
             (HA.activity_type, q.activity_type), (HA.assignee, q.task_assignee)]
    where = [column == value for column, value in equal if value is not None]
    if q.activity_name_like is not None:
        where.append(HA.activity_name.like(q.activity_name_like))
    if q.tenant_id_in:
        where.append(HA.tenant_id.in_(q.tenant_id_in))
    for value, condition in ((q.started_before, lambda d: HA.start_time <= d),
                             (q.started_after, lambda d: HA.start_time >= d),
                             (q.finished_before, lambda d: HA.end_time <= d),
                             (q.finished_after, lambda d: HA.end_time >= d)):
        if value is not None:
            where.append(condition(value))
    flags = [(q.finished, HA.end_time.is_not(None)), (q.unfinished, HA.end_time.is_(None)),
             (q.canceled, HA.canceled.is_(True)), (q.complete_scope, completes_scope()),
             (q.without_tenant_id, HA.tenant_id.is_(None))]
    return where + [condition for wanted, condition in flags if wanted]


def occurrence_sorting(sorting: list[Sorting]) -> list[Sorting]:
    """Camunda's `occurrence`: start time, then the order within the command that started them together."""
    result = []
    for s in sorting:
        result.append(s)
        if s.sort_by == _OCCURRENCE:
            result.append(Sorting(_SEQUENCE, s.sort_order))
    return result


def _readable(s: Session, kb: Kuaibao, actor: Actor) -> list:
    where = readable_instance(authz.policy(kb, actor, s), HA.process_instance_id)
    return [] if where is None else [where]


def _listed():
    return with_removal(select(*HA.__table__.c), HA.root_process_instance_id)


def _row(kb: Kuaibao, r) -> dict:
    return dict(r._mapping, duration_in_millis=millis(r.start_time, r.end_time),
                task_id=r.id if r.activity_type == "userTask" else None,
                complete_scope=r.activity_type.endswith("EndEvent") and r.end_time is not None and not r.canceled,
                removal_time=removal_time(r.root_end_time, r.root_ttl, kb.settings))


def list_historic_activities(kb: Kuaibao, actor: Actor, q: HistoricActivityQuery) -> list[dict]:
    """A page of activity instances of instances the caller may read (default order: as they happened)."""
    def work(s: Session):
        stmt = _listed().where(*_readable(s, kb, actor), *_conditions(q))
        stmt = apply_sorting(stmt, occurrence_sorting(q.sorting), SORT_COLUMNS)
        stmt = apply_page(stmt.order_by(HA.start_time, HA.sequence, HA.id), q.page)
        return [_row(kb, r) for r in s.execute(stmt)]
    return kb.read(work)


def count_historic_activities(kb: Kuaibao, actor: Actor, q: HistoricActivityQuery) -> int:
    """How many match (paging and sorting aside; an invalid sortBy is still a 400)."""
    apply_sorting(select(HA.id), q.sorting, SORT_COLUMNS)
    return kb.read(lambda s: s.scalar(select(func.count(HA.id)).where(*_readable(s, kb, actor), *_conditions(q))))


def get_historic_activity(kb: Kuaibao, actor: Actor, activity_instance_id: str) -> dict:
    """One activity instance; one the caller may not read is reported exactly like one that does not exist."""
    found = kb.read(lambda s: s.execute(_listed().where(HA.id == activity_instance_id,
                                                        *_readable(s, kb, actor))).first())
    if found is None:
        raise NotFound(f"Historic activity instance with id {activity_instance_id} does not exist")
    return _row(kb, found)
