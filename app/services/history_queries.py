"""Historic process instances: the process_instance table itself, running and ended, until history is removed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import (
    ACTIVE,
    COMPLETED,
    EXTERNALLY_TERMINATED,
    HistoryActivity,
    Incident,
    ProcessDefinition,
    ProcessInstance,
)
from . import authz
from .context import Actor, Kuaibao
from .errors import BadUserRequest, NotFound
from .history_common import (
    VariableFilter,
    millis,
    millis_between,
    nothing_if,
    removal_time,
    variable_matches,
    with_removal,
)
from .queries import Page, Sorting, apply_page, apply_sorting

PI, PD, HA = ProcessInstance, ProcessDefinition, HistoryActivity
_CALLED = aliased(PI, name="called")  # another instance, where one refers to another (made once: aliases cost)
SUSPENDED, INTERNALLY_TERMINATED = "SUSPENDED", "INTERNALLY_TERMINATED"


@dataclass
class HistoricInstanceQuery:
    """Camunda's historic process instance query criteria, in snake case."""

    process_instance_id: str | None = None
    process_instance_ids: list[str] | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    process_definition_key_not_in: list[str] | None = None
    process_definition_name: str | None = None
    process_definition_name_like: str | None = None
    process_instance_business_key: str | None = None
    process_instance_business_key_in: list[str] | None = None
    process_instance_business_key_like: str | None = None
    root_process_instances: bool = False
    leaf_process_instances: bool = False
    finished: bool = False
    unfinished: bool = False
    with_incidents: bool = False
    with_root_incidents: bool = False
    incident_type: str | None = None
    incident_status: str | None = None
    incident_message: str | None = None
    incident_message_like: str | None = None
    started_before: datetime | None = None
    started_after: datetime | None = None
    finished_before: datetime | None = None
    finished_after: datetime | None = None
    executed_activity_before: datetime | None = None
    executed_activity_after: datetime | None = None
    started_by: str | None = None
    super_process_instance_id: str | None = None
    sub_process_instance_id: str | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    activity_id_in: list[str] | None = None
    executed_activity_id_in: list[str] | None = None
    active_activity_id_in: list[str] | None = None
    active: bool = False
    suspended: bool = False
    completed: bool = False
    externally_terminated: bool = False
    internally_terminated: bool = False
    variables: list[VariableFilter] | None = None
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    case_instance_id: str | None = None
    super_case_instance_id: str | None = None
    sub_case_instance_id: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"instanceId": PI.id, "definitionId": PI.definition_id, "definitionKey": PI.definition_key,
                "businessKey": PI.business_key, "startTime": PI.start_time, "endTime": PI.end_time,
                "duration": millis_between(PI.start_time, PI.end_time), "definitionName": PD.name,
                "definitionVersion": PD.version, "tenantId": PI.tenant_id}
_STATES = {"active": (PI.state == ACTIVE, PI.suspended.is_(False)),
           "suspended": (PI.state == ACTIVE, PI.suspended.is_(True)),
           "completed": (PI.state == COMPLETED,), "externally_terminated": (PI.state == EXTERNALLY_TERMINATED,),
           "internally_terminated": (false(),)}  # Kuaibao never terminates an instance from inside


def _conditions(q: HistoricInstanceQuery) -> list:
    equal = [(PI.id, q.process_instance_id), (PI.definition_id, q.process_definition_id),
             (PI.definition_key, q.process_definition_key), (PI.business_key, q.process_instance_business_key),
             (PI.start_user_id, q.started_by), (PI.super_process_instance_id, q.super_process_instance_id)]
    where = [column == value for column, value in equal if value is not None]
    within = [(PI.id, q.process_instance_ids), (PI.definition_key, q.process_definition_key_in),
              (PI.business_key, q.process_instance_business_key_in), (PI.tenant_id, q.tenant_id_in)]
    where += [column.in_(values) for column, values in within if values]
    if q.process_definition_key_not_in:
        where.append(PI.definition_key.not_in(q.process_definition_key_not_in))
    if q.process_instance_business_key_like is not None:
        where.append(PI.business_key.like(q.process_instance_business_key_like))
    if q.process_definition_name is not None or q.process_definition_name_like is not None:
        named = select(PD.id)
        if q.process_definition_name is not None:
            named = named.where(PD.name == q.process_definition_name)
        if q.process_definition_name_like is not None:
            named = named.where(PD.name.like(q.process_definition_name_like))
        where.append(PI.definition_id.in_(named))
    for value, condition in ((q.started_before, lambda d: PI.start_time <= d),
                             (q.started_after, lambda d: PI.start_time >= d),
                             (q.finished_before, lambda d: PI.end_time <= d),
                             (q.finished_after, lambda d: PI.end_time >= d)):
        if value is not None:
            where.append(condition(value))
    flags = [(q.root_process_instances, PI.super_process_instance_id.is_(None)),
             (q.leaf_process_instances, ~exists().where(_CALLED.super_process_instance_id == PI.id)),
             (q.finished, PI.end_time.is_not(None)), (q.unfinished, PI.end_time.is_(None)),
             (q.without_tenant_id, PI.tenant_id.is_(None))]
    where += [condition for wanted, condition in flags if wanted]
    if q.sub_process_instance_id is not None:
        sub = _CALLED
        where.append(PI.id == select(sub.super_process_instance_id).where(sub.id == q.sub_process_instance_id)
                     .scalar_subquery())
    where += _state(q) + _activities(q) + _incidents(q)
    where += [variable_matches(PI.id, f, q.variable_names_ignore_case, q.variable_values_ignore_case)
              for f in q.variables or []]
    return where + nothing_if(q.case_instance_id, q.super_case_instance_id, q.sub_case_instance_id)


def _state(q: HistoricInstanceQuery) -> list:
    wanted = [name for name in _STATES if getattr(q, name)]
    if len(wanted) > 1:
        raise BadUserRequest("Already querying for historic process instance with another state")
    return list(_STATES[wanted[0]]) if wanted else []


def _activities(q: HistoricInstanceQuery) -> list:
    def had(*condition):
        return exists().where(HA.process_instance_id == PI.id, *condition)
    where = []
    if q.active_activity_id_in:
        where.append(had(HA.activity_id.in_(q.active_activity_id_in), HA.end_time.is_(None)))
    if q.executed_activity_id_in:
        where.append(had(HA.activity_id.in_(q.executed_activity_id_in), HA.end_time.is_not(None)))
    if q.activity_id_in:  # where it waits now, or where it failed
        where.append(or_(had(HA.activity_id.in_(q.activity_id_in), HA.end_time.is_(None)),
                         exists().where(Incident.process_instance_id == PI.id,
                                        Incident.activity_id.in_(q.activity_id_in))))
    if q.executed_activity_after is not None:
        where.append(had(or_(HA.start_time >= q.executed_activity_after, HA.end_time >= q.executed_activity_after)))
    if q.executed_activity_before is not None:
        where.append(had(HA.start_time <= q.executed_activity_before))
    return where


def _incidents(q: HistoricInstanceQuery) -> list:
    """Only open incidents are kept (a resolved one is deleted), so incidentStatus=resolved cannot be answered;
    every incident is its own root cause, so withRootIncidents is withIncidents."""
    if q.incident_status not in (None, "open"):
        raise BadUserRequest(f"incidentStatus '{q.incident_status}' is not supported: Kuaibao keeps open "
                             "incidents only")
    conditions = [(q.incident_type, lambda v: Incident.incident_type == v),
                  (q.incident_message, lambda v: Incident.message == v),
                  (q.incident_message_like, lambda v: Incident.message.like(v))]
    chosen = [condition(value) for value, condition in conditions if value is not None]
    wanted = chosen or q.with_incidents or q.with_root_incidents or q.incident_status is not None
    return [exists().where(Incident.process_instance_id == PI.id, *chosen)] if wanted else []


def _readable(s: Session, kb: Kuaibao, actor: Actor) -> list:
    where = authz.policy(kb, actor, s).instance_filter(PI, history=True)
    return [] if where is None else [where]


def _listed(q: HistoricInstanceQuery):
    start_activity = (select(HA.activity_id)
                      .where(HA.process_instance_id == PI.id, HA.parent_activity_instance_id.is_(None),
                             or_(HA.activity_type.like("%StartEvent"), HA.activity_type.in_(("startEvent",
                                                                                              "startTimerEvent"))))
                      .order_by(HA.start_time, HA.sequence).limit(1).scalar_subquery())
    columns = [c for c in PI.__table__.c if c.key != "workflow"]
    stmt = select(*columns, PD.name.label("definition_name"), PD.version.label("definition_version"),
                  start_activity.label("start_activity_id")).outerjoin(PD, PD.id == PI.definition_id)
    return with_removal(stmt, func.coalesce(PI.root_process_instance_id, PI.id))


def _row(kb: Kuaibao, r) -> dict:
    state = SUSPENDED if r.state == ACTIVE and r.suspended else r.state
    return dict(r._mapping, state=state, root_process_instance_id=r.root_process_instance_id or r.id,
                duration_in_millis=millis(r.start_time, r.end_time), delete_reason=None,
                removal_time=removal_time(r.root_end_time, r.root_ttl, kb.settings))


def list_historic_instances(kb: Kuaibao, actor: Actor, q: HistoricInstanceQuery) -> list[dict]:
    """A page of instances, running and ended, that the caller may read."""
    def work(s: Session):
        stmt = _listed(q).where(*_readable(s, kb, actor), *_conditions(q))
        stmt = apply_page(apply_sorting(stmt, q.sorting, SORT_COLUMNS).order_by(PI.start_time, PI.id), q.page)
        return [_row(kb, r) for r in s.execute(stmt)]
    return kb.read(work)


def count_historic_instances(kb: Kuaibao, actor: Actor, q: HistoricInstanceQuery) -> int:
    """How many match (paging and sorting aside; an invalid sortBy is still a 400)."""
    apply_sorting(select(PI.id), q.sorting, SORT_COLUMNS)
    return kb.read(lambda s: s.scalar(select(func.count(PI.id)).where(*_readable(s, kb, actor), *_conditions(q))))


def get_historic_instance(kb: Kuaibao, actor: Actor, instance_id: str) -> dict:
    """One instance; one the caller may not read is reported exactly like one that does not exist."""
    def work(s: Session):
        return s.execute(_listed(HistoricInstanceQuery()).where(PI.id == instance_id,
                                                                *_readable(s, kb, actor))).first()
    found = kb.read(work)
    if found is None:
        raise NotFound(f"Historic process instance with id {instance_id} does not exist")
    return _row(kb, found)


__all__ = ["HistoricInstanceQuery", "list_historic_instances", "count_historic_instances", "get_historic_instance"]
