"""Reading the user operation log (who did what, when), filtered to what the caller may see."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from ..models import OperationLog
from . import authz
from . import permissions as p
from .context import Actor, Kuaibao
from .history_common import nothing_if, removal_time, with_removal
from .queries import Page, Sorting, apply_page, apply_sorting

LOG = OperationLog
OPERATION_LOG_CATEGORY = 17  # Camunda's resource type: READ on a category shows all of its entries


@dataclass
class OperationLogQuery:
    """Camunda's user operation log query criteria, in snake case."""

    deployment_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_instance_id: str | None = None
    execution_id: str | None = None
    task_id: str | None = None
    job_id: str | None = None
    job_definition_id: str | None = None
    external_task_id: str | None = None
    batch_id: str | None = None
    user_id: str | None = None
    operation_id: str | None = None
    operation_type: str | None = None
    entity_type: str | None = None
    entity_type_in: list[str] | None = None
    category: str | None = None
    category_in: list[str] | None = None
    property: str | None = None
    after_timestamp: datetime | None = None
    before_timestamp: datetime | None = None
    case_definition_id: str | None = None
    case_instance_id: str | None = None
    case_execution_id: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"timestamp": LOG.timestamp}


def _conditions(q: OperationLogQuery) -> list:
    equal = [(LOG.deployment_id, q.deployment_id), (LOG.process_definition_id, q.process_definition_id),
             (LOG.process_definition_key, q.process_definition_key), (LOG.process_instance_id, q.process_instance_id),
             (LOG.process_instance_id, q.execution_id), (LOG.task_id, q.task_id), (LOG.job_id, q.job_id),
             (LOG.external_task_id, q.external_task_id), (LOG.user_id, q.user_id),
             (LOG.operation_id, q.operation_id), (LOG.operation_type, q.operation_type),
             (LOG.entity_type, q.entity_type), (LOG.category, q.category), (LOG.property, q.property)]
    where = [column == value for column, value in equal if value is not None]
    within = [(LOG.entity_type, q.entity_type_in), (LOG.category, q.category_in)]
    where += [column.in_(values) for column, values in within if values]
    if q.after_timestamp is not None:
        where.append(LOG.timestamp > q.after_timestamp)
    if q.before_timestamp is not None:
        where.append(LOG.timestamp < q.before_timestamp)
    return where + nothing_if(q.job_definition_id, q.batch_id, q.case_definition_id, q.case_instance_id,
                              q.case_execution_id)


def _readable(s: Session, kb: Kuaibao, actor: Actor) -> list:
    """Entries of readable instances; entries about no instance (deployments, identities…) only for those who may
    read deployments; and whole categories granted on OperationLogCategory."""
    pol = authz.policy(kb, actor, s)
    readable = pol.readable_instances(LOG.process_instance_id, history=True)
    if readable is None:
        return []
    unattached = true() if pol.allows(p.DEPLOYMENT, p.READ) else false()
    reach = or_(readable, and_(LOG.process_instance_id.is_(None), unattached),
                pol.scope(OPERATION_LOG_CATEGORY, p.READ).condition(LOG.category))
    return [reach, pol.tenant_ok(LOG.tenant_id)]


def _row(kb: Kuaibao, r) -> dict:
    return dict(r._mapping, removal_time=removal_time(r.root_end_time, r.root_ttl, kb.settings))


def list_operations(kb: Kuaibao, actor: Actor, q: OperationLogQuery) -> list[dict]:
    """A page of log entries the caller may see (default order: oldest first)."""
    def work(s: Session):
        stmt = with_removal(select(*LOG.__table__.c), LOG.root_process_instance_id)
        stmt = apply_sorting(stmt.where(*_readable(s, kb, actor), *_conditions(q)), q.sorting, SORT_COLUMNS)
        return [_row(kb, r) for r in s.execute(apply_page(stmt.order_by(LOG.timestamp, LOG.id), q.page))]
    return kb.read(work)


def count_operations(kb: Kuaibao, actor: Actor, q: OperationLogQuery) -> int:
    """How many entries match (paging and sorting aside; an invalid sortBy is still a 400)."""
    apply_sorting(select(LOG.id), q.sorting, SORT_COLUMNS)
    return kb.read(lambda s: s.scalar(select(func.count(LOG.id)).where(*_readable(s, kb, actor), *_conditions(q))))
