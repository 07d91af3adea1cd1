"""Incidents: read them (Cockpit's list), and raise or resolve the ones external tasks cause."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import ExternalTask, Incident, ProcessInstance, new_id
from . import authz, oplog, permissions
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .queries import Page, Sorting, apply_page, apply_sorting

FAILED_EXTERNAL_TASK, FAILED_JOB = "failedExternalTask", "failedJob"
BUILT_IN = (FAILED_EXTERNAL_TASK, FAILED_JOB)


class CannotResolve(InvalidRequest):
    camunda_type = "BadUserRequestException"


@dataclass
class IncidentQuery:
    """Camunda's incident query criteria that map onto our table, in snake case."""

    incident_id: str | None = None
    incident_type: str | None = None
    incident_message: str | None = None
    incident_message_like: str | None = None
    process_definition_id: str | None = None
    process_definition_key_in: list[str] | None = None
    process_instance_id: str | None = None
    execution_id: str | None = None
    activity_id: str | None = None
    failed_activity_id: str | None = None
    configuration: str | None = None
    tenant_id_in: list[str] | None = None
    incident_timestamp_before: datetime | None = None
    incident_timestamp_after: datetime | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"incidentId": Incident.id, "incidentMessage": Incident.message, "incidentTimestamp": Incident.timestamp,
                "incidentType": Incident.incident_type, "executionId": Incident.process_instance_id,
                "activityId": Incident.activity_id, "processInstanceId": Incident.process_instance_id,
                "processDefinitionId": Incident.process_definition_id, "causeIncidentId": Incident.id,
                "rootCauseIncidentId": Incident.id, "configuration": Incident.configuration,
                "tenantId": Incident.tenant_id}


def _filtered(stmt, q: IncidentQuery):
    i = Incident
    equal = [(i.id, q.incident_id), (i.incident_type, q.incident_type), (i.message, q.incident_message),
             (i.process_definition_id, q.process_definition_id), (i.process_instance_id, q.process_instance_id),
             (i.process_instance_id, q.execution_id), (i.activity_id, q.activity_id),
             (i.activity_id, q.failed_activity_id), (i.configuration, q.configuration)]
    conditions = [column == value for column, value in equal if value is not None]
    if q.incident_message_like:
        conditions.append(i.message.like(q.incident_message_like))
    if q.tenant_id_in:
        conditions.append(i.tenant_id.in_(q.tenant_id_in))
    if q.incident_timestamp_before is not None:
        conditions.append(i.timestamp < q.incident_timestamp_before)
    if q.incident_timestamp_after is not None:
        conditions.append(i.timestamp > q.incident_timestamp_after)
    if q.process_definition_key_in:
        conditions.append(i.process_instance_id.in_(select(ProcessInstance.id).where(
            ProcessInstance.definition_key.in_(q.process_definition_key_in))))
    return stmt.where(*conditions)


def _readable(kb: Kuaibao, actor: Actor, stmt):
    where = authz.policy(kb, actor).refers_to_readable(Incident.process_instance_id)
    return stmt if where is None else stmt.where(where)


def list_incidents(kb: Kuaibao, actor: Actor, q: IncidentQuery) -> list[Incident]:
    """Open incidents matching the criteria, of instances the caller may read."""
    stmt = apply_page(apply_sorting(_readable(kb, actor, _filtered(select(Incident), q)), q.sorting, SORT_COLUMNS,
                                    default=Incident.id), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_incidents(kb: Kuaibao, actor: Actor, q: IncidentQuery) -> int:
    """How many open incidents match (paging and sorting aside)."""
    apply_sorting(select(Incident.id), q.sorting, SORT_COLUMNS)  # an invalid sortBy is a 400 here too
    return kb.read(lambda s: s.scalar(_readable(kb, actor, _filtered(select(func.count(Incident.id)), q))))


def get_incident(kb: Kuaibao, actor: Actor, incident_id: str) -> Incident:
    """One open incident the caller may read; any other id is Camunda's 404."""
    incident = kb.read(lambda s: s.scalar(_readable(kb, actor, select(Incident).where(Incident.id == incident_id))))
    if incident is None:
        raise NotFound(f"No matching incident with id {incident_id}")
    return incident


def resolve_incident(kb: Kuaibao, actor: Actor, incident_id: str) -> None:
    """Camunda resolves only custom incidents this way; failed jobs and external tasks need new retries."""
    incident = get_incident(kb, actor, incident_id)
    if incident.incident_type in BUILT_IN:
        raise CannotResolve(f"Cannot resolve an incident of type {incident.incident_type}; "
                             "set the retries of its job or external task instead")
    def work(s: Session) -> None:
        instance = s.get(ProcessInstance, incident.process_instance_id) if incident.process_instance_id else None
        if instance is not None and not authz.policy(kb, actor, s).may_update_instance(instance):
            raise authz.forbidden(actor, permissions.UPDATE, permissions.PROCESS_INSTANCE, instance.id)
        s.execute(delete(Incident).where(Incident.id == incident_id))
        oplog.write(s, actor, "Resolve", "Incident", oplog.OPERATOR, instance=instance)

    kb.command(work)


def raise_for_external_task(s: Session, task: ExternalTask, message: str | None) -> None:
    """A failedExternalTask incident for a task out of retries (once: an open one is kept)."""
    if s.scalar(select(Incident.id).where(Incident.configuration == task.id,
                                          Incident.incident_type == FAILED_EXTERNAL_TASK)):
        return
    s.add(Incident(id=new_id(), incident_type=FAILED_EXTERNAL_TASK, process_instance_id=task.process_instance_id,
                   process_definition_id=task.process_definition_id, activity_id=task.activity_id,
                   configuration=task.id, message=message, tenant_id=task.tenant_id))


def resolve_for_external_task(s: Session, task_id: str) -> None:
    """The task has retries again: its incident is over."""
    s.execute(delete(Incident).where(Incident.configuration == task_id,
                                     Incident.incident_type == FAILED_EXTERNAL_TASK))
