"""Read external tasks (list, count, one, topic names, error details) with Camunda's query criteria."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import ExternalTask, ProcessDefinition, utcnow
from . import authz
from . import typed_values as tv
from .context import Actor, Kuaibao
from .errors import NotFound
from .queries import Page, Sorting, apply_page, apply_sorting

ET = ExternalTask


@dataclass
class ExternalTaskView:
    """An external task as the API reports it; fetch-and-lock adds what the worker asked to see."""

    task: ExternalTask
    version_tag: str | None = None
    variables: dict[str, tv.TypedValue] = field(default_factory=dict)
    extension_properties: dict[str, str] = field(default_factory=dict)
    deserialize_values: bool = False


@dataclass
class ExternalTaskQuery:
    """Camunda's ExternalTaskQueryDto, in snake case."""

    external_task_id: str | None = None
    external_task_id_in: list[str] | None = None
    topic_name: str | None = None
    worker_id: str | None = None
    locked: bool = False
    not_locked: bool = False
    with_retries_left: bool = False
    no_retries_left: bool = False
    lock_expiration_after: datetime | None = None
    lock_expiration_before: datetime | None = None
    activity_id: str | None = None
    activity_id_in: list[str] | None = None
    execution_id: str | None = None
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_definition_id: str | None = None
    active: bool = False
    suspended: bool = False
    priority_higher_than_or_equals: int | None = None
    priority_lower_than_or_equals: int | None = None
    tenant_id_in: list[str] | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"id": ET.id, "lockExpirationTime": ET.lock_expiration, "processInstanceId": ET.process_instance_id,
                "processDefinitionId": ET.process_definition_id, "processDefinitionKey": ET.process_definition_key,
                "tenantId": ET.tenant_id, "taskPriority": ET.priority, "createTime": ET.created}


def _filtered(stmt, q: ExternalTaskQuery):
    now = utcnow()
    equal = [(ET.id, q.external_task_id), (ET.topic, q.topic_name), (ET.worker_id, q.worker_id),
             (ET.activity_id, q.activity_id), (ET.process_instance_id, q.process_instance_id),
             (ET.process_instance_id, q.execution_id),  # an instance is its own (only) execution here
             (ET.process_definition_id, q.process_definition_id)]
    conditions = [column == value for column, value in equal if value is not None]
    within = {ET.id: q.external_task_id_in, ET.activity_id: q.activity_id_in,
              ET.process_instance_id: q.process_instance_id_in, ET.tenant_id: q.tenant_id_in}
    conditions += [column.in_(values) for column, values in within.items() if values]
    if q.locked:
        conditions.append(ET.lock_expiration > now)
    if q.not_locked:
        conditions.append(or_(ET.lock_expiration.is_(None), ET.lock_expiration < now))
    if q.with_retries_left:
        conditions.append(or_(ET.retries.is_(None), ET.retries > 0))
    if q.no_retries_left:
        conditions.append(ET.retries == 0)
    if q.lock_expiration_after is not None:
        conditions.append(ET.lock_expiration > q.lock_expiration_after)
    if q.lock_expiration_before is not None:
        conditions.append(ET.lock_expiration < q.lock_expiration_before)
    if q.active:
        conditions.append(ET.suspended.is_(False))
    if q.suspended:
        conditions.append(ET.suspended.is_(True))
    if q.priority_higher_than_or_equals is not None:
        conditions.append(ET.priority >= q.priority_higher_than_or_equals)
    if q.priority_lower_than_or_equals is not None:
        conditions.append(ET.priority <= q.priority_lower_than_or_equals)
    return stmt.where(*conditions)


def with_version_tag(stmt):
    """The definition's versionTag rides along (the task row does not carry it reliably)."""
    return stmt.outerjoin(ProcessDefinition, ProcessDefinition.id == ET.process_definition_id)


def _readable(kb: Kuaibao, actor: Actor, stmt):
    where = authz.policy(kb, actor).refers_to_readable(ET.process_instance_id)
    return stmt if where is None else stmt.where(where)


def list_external_tasks(kb: Kuaibao, actor: Actor, q: ExternalTaskQuery) -> list[ExternalTaskView]:
    """External tasks matching the criteria, of instances the caller may read, sorted and paged as asked."""
    stmt = _readable(kb, actor, _filtered(with_version_tag(select(ET, ProcessDefinition.version_tag)), q))
    stmt = apply_page(apply_sorting(stmt, q.sorting, SORT_COLUMNS, default=ET.id), q.page)
    return kb.read(lambda s: [ExternalTaskView(task, tag) for task, tag in s.execute(stmt)])


def count_external_tasks(kb: Kuaibao, actor: Actor, q: ExternalTaskQuery) -> int:
    """How many external tasks match (paging and sorting aside)."""
    apply_sorting(select(ET.id), q.sorting, SORT_COLUMNS)  # an invalid sortBy is a 400 here too
    return kb.read(lambda s: s.scalar(_readable(kb, actor, _filtered(select(func.count(ET.id)), q))))


def get_external_task(kb: Kuaibao, actor: Actor, task_id: str) -> ExternalTaskView:
    """One external task; unknown ids are Camunda's 404 InvalidRequestException."""
    stmt = _readable(kb, actor, with_version_tag(select(ET, ProcessDefinition.version_tag)).where(ET.id == task_id))
    row = kb.read(lambda s: s.execute(stmt).first())
    if row is None:
        raise NotFound(f"External task with id {task_id} does not exist")
    return ExternalTaskView(row[0], row[1])


def error_details(kb: Kuaibao, actor: Actor, task_id: str) -> str | None:
    """The full error details a worker reported with its last failure."""
    return get_external_task(kb, actor, task_id).task.error_details


def topic_names(kb: Kuaibao, actor: Actor, with_locked: bool = False, with_unlocked: bool = False,
                with_retries_left: bool = False) -> list[str]:
    """Distinct topics of existing external tasks, optionally only locked / unlocked / with retries left."""
    q = ExternalTaskQuery(locked=with_locked, not_locked=with_unlocked, with_retries_left=with_retries_left)
    stmt = _readable(kb, actor, _filtered(select(ET.topic).distinct(), q)).order_by(ET.topic)

    def work(s: Session) -> list[str]:
        return list(s.scalars(stmt))
    return kb.read(work)
