"""Jobs seen from the API: list, count, get, set retries (which resolves a failedJob incident), execute now."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import Incident, Job, ProcessInstance, utcnow
from . import authz, oplog, permissions
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .job_runs import run_job
from .persistence import JOBS_CHANNEL, notify
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class JobQuery:
    job_id: str | None = None
    job_ids: list[str] | None = None
    process_instance_id: str | None = None
    process_instance_ids: list[str] | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id: str | None = None
    with_retries_left: bool = False
    no_retries_left: bool = False
    executable: bool = False
    timers: bool = False
    messages: bool = False
    with_exception: bool = False
    due_before: datetime | None = None
    due_after: datetime | None = None
    tenant_ids: list[str] | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"jobId": Job.id, "processInstanceId": Job.process_instance_id, "executionId": Job.process_instance_id,
                "processDefinitionId": Job.process_definition_id, "processDefinitionKey": Job.process_definition_key,
                "jobRetries": Job.retries, "jobDueDate": Job.due, "jobPriority": Job.priority, "tenantId": Job.tenant_id}


def _filtered(q: JobQuery):
    stmt = select(Job)
    for value, column in ((q.job_id, Job.id), (q.process_instance_id, Job.process_instance_id),
                          (q.process_definition_id, Job.process_definition_id),
                          (q.process_definition_key, Job.process_definition_key), (q.activity_id, Job.activity_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    for values, column in ((q.job_ids, Job.id), (q.process_instance_ids, Job.process_instance_id),
                           (q.tenant_ids, Job.tenant_id)):
        if values:
            stmt = stmt.where(column.in_(values))
    if q.with_retries_left:
        stmt = stmt.where(Job.retries > 0)
    if q.no_retries_left:
        stmt = stmt.where(Job.retries == 0)
    if q.executable:
        stmt = stmt.where(Job.retries > 0, Job.due <= utcnow(), Job.suspended.is_(False))
    if q.timers:
        stmt = stmt.where(Job.type.in_(("timer", "timer-start")))
    if q.messages:
        stmt = stmt.where(Job.type.in_(("async", "handler")))
    if q.with_exception:
        stmt = stmt.where(Job.exception_message.is_not(None))
    if q.due_before:
        stmt = stmt.where(Job.due < q.due_before)
    if q.due_after:
        stmt = stmt.where(Job.due > q.due_after)
    return stmt


def _readable(kb: Kuaibao, actor: Actor, q: JobQuery):
    """Jobs of instances the caller may read (timer-start jobs: READ_INSTANCE on their definition)."""
    where = authz.policy(kb, actor).refers_to_readable(Job.process_instance_id, Job.process_definition_key)
    return _filtered(q) if where is None else _filtered(q).where(where)


def list_jobs(kb: Kuaibao, actor: Actor, q: JobQuery) -> list[Job]:
    stmt = apply_page(apply_sorting(_readable(kb, actor, q), q.sorting, SORT_COLUMNS, Job.due), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_jobs(kb: Kuaibao, actor: Actor, q: JobQuery) -> int:
    return kb.read(lambda s: s.scalar(select(func.count()).select_from(_readable(kb, actor, q).subquery())))


def get_job(kb: Kuaibao, actor: Actor, job_id: str) -> Job:
    """One job the caller may read; any other id is reported missing."""
    job = kb.read(lambda s: s.scalar(_readable(kb, actor, JobQuery(job_id=job_id))))
    if job is None:
        raise NotFound(f"Job with id {job_id} does not exist")
    return job


def _require_retry(kb: Kuaibao, s: Session, actor: Actor, job: Job) -> ProcessInstance | None:
    """RETRY_JOB or UPDATE on the job's instance, or UPDATE_INSTANCE/RETRY_JOB on its definition."""
    pol = authz.policy(kb, actor, s)
    instance = s.get(ProcessInstance, job.process_instance_id) if job.process_instance_id else None
    allowed = pol.may_update_instance(instance, permissions.RETRY_JOB) if instance is not None else pol.any_of(
        permissions.PROCESS_DEFINITION, (permissions.UPDATE_INSTANCE, permissions.RETRY_JOB),
        job.process_definition_key or "*")
    if not allowed:
        raise authz.forbidden(actor, permissions.RETRY_JOB, permissions.PROCESS_INSTANCE,
                              job.process_instance_id or "*")
    return instance


def set_retries(kb: Kuaibao, actor: Actor, job_id: str, retries: int, due: datetime | None = None) -> None:
    """Give a job more tries; retries above 0 resolve its failedJob incident and it runs again when due."""
    if retries is None or retries < 0:
        raise InvalidRequest("The number of job retries must be a non-negative integer.")
    get_job(kb, actor, job_id)

    def work(s: Session) -> None:
        values = {"retries": retries, "lock_owner": None, "lock_expiration": None}
        if due is not None or retries > 0:
            values["due"] = due or utcnow()
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"No job found with id '{job_id}'.")
        instance, before = _require_retry(kb, s, actor, job), job.retries
        s.execute(update(Job).where(Job.id == job_id).values(**values))
        oplog.write(s, actor, "SetJobRetries", "Job", oplog.OPERATOR, [("retries", before, retries)], instance,
                    job_id=job_id, process_definition_id=job.process_definition_id,
                    process_definition_key=job.process_definition_key)
        if retries > 0:
            s.execute(delete(Incident).where(Incident.configuration == job_id, Incident.incident_type == "failedJob"))
            notify(s, JOBS_CHANNEL)

    kb.command(work)


def execute_now(kb: Kuaibao, actor: Actor, job_id: str) -> None:
    """Run a job at once in this request (Camunda's POST /job/{id}/execute); a failure is recorded and raised."""
    get_job(kb, actor, job_id)

    def work(s: Session) -> None:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"Job with id {job_id} does not exist")
        _require_retry(kb, s, actor, job)
        run_job(kb, s, job)

    kb.command(work)
