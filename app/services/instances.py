"""Start process instances, read and delete them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer

from ..models import ACTIVE, EXTERNALLY_TERMINATED, EventSubscription, ProcessDefinition, ProcessInstance, Task, utcnow
from . import authz, gate, history_writer, oplog, permissions
from . import typed_values as tv
from .context import Actor, Kuaibao
from .definitions import by_id, latest_by_key, may_start
from .errors import Forbidden, NotFound
from .persistence import load_variables
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class StartCommand:
    definition_id: str | None = None
    key: str | None = None
    tenant_id: str | None = None
    business_key: str | None = None
    variables: Mapping[str, tv.TypedValue] = field(default_factory=dict)
    with_variables_in_return: bool = False


@dataclass
class Started:
    instance: ProcessInstance
    variables: dict[str, tv.TypedValue] | None = None


@dataclass
class InstanceQuery:
    ids: list[str] | None = None
    business_key: str | None = None
    business_key_like: str | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    definition_keys: list[str] | None = None
    definition_keys_not: list[str] | None = None
    deployment_id: str | None = None
    active: bool = False
    suspended: bool = False
    tenant_ids: list[str] | None = None
    without_tenant_id: bool = False
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"instanceId": ProcessInstance.id, "definitionKey": ProcessInstance.definition_key,
                "definitionId": ProcessInstance.definition_id, "tenantId": ProcessInstance.tenant_id,
                "businessKey": ProcessInstance.business_key}
_LIGHT = (defer(ProcessInstance.workflow),)


def start(kb: Kuaibao, actor: Actor, cmd: StartCommand) -> Started:
    """Create an instance and run it until it waits; a failing script or handler leaves nothing behind."""
    def work(s: Session) -> Started:
        d = by_id(s, cmd.definition_id) if cmd.definition_id else latest_by_key(s, cmd.key, cmd.tenant_id)
        pol = authz.policy(kb, actor, s)
        if not may_start(pol, d):
            raise authz.forbidden(actor, permissions.CREATE_INSTANCE, permissions.PROCESS_DEFINITION, d.key)
        instance = gate.start_instance(kb, s, d, cmd.business_key, cmd.variables, actor.user_id)
        if not pol.bypass and instance.tenant_id is not None and instance.tenant_id not in actor.tenants:
            raise Forbidden(f"The user with id '{actor.user_id}' cannot start a process instance for tenant "
                            f"'{instance.tenant_id}': not a member of it", actor.user_id)
        oplog.write(s, actor, "Create", "ProcessInstance", oplog.OPERATOR,
                    [("businessKey", None, cmd.business_key), *oplog.variable_changes(dict(cmd.variables))], instance)
        variables = load_variables(s, instance.id) if cmd.with_variables_in_return else None
        return Started(instance, variables)

    return kb.command(work)


def _filtered(q: InstanceQuery, readable):
    pi = ProcessInstance
    stmt = select(pi).options(*_LIGHT).where(pi.state == ACTIVE)
    if readable is not None:
        stmt = stmt.where(readable)
    for value, column in ((q.business_key, pi.business_key), (q.definition_id, pi.definition_id),
                          (q.definition_key, pi.definition_key)):
        if value is not None:
            stmt = stmt.where(column == value)
    if q.business_key_like:
        stmt = stmt.where(pi.business_key.like(q.business_key_like))
    if q.ids:
        stmt = stmt.where(pi.id.in_(q.ids))
    if q.definition_keys:
        stmt = stmt.where(pi.definition_key.in_(q.definition_keys))
    if q.definition_keys_not:
        stmt = stmt.where(pi.definition_key.not_in(q.definition_keys_not))
    if q.deployment_id:
        stmt = stmt.where(pi.definition_id.in_(select(ProcessDefinition.id).where(
            ProcessDefinition.deployment_id == q.deployment_id)))
    if q.active:
        stmt = stmt.where(pi.suspended.is_(False))
    if q.suspended:
        stmt = stmt.where(pi.suspended.is_(True))
    if q.tenant_ids:
        stmt = stmt.where(pi.tenant_id.in_(q.tenant_ids))
    if q.without_tenant_id:
        stmt = stmt.where(pi.tenant_id.is_(None))
    return stmt


def list_instances(kb: Kuaibao, actor: Actor, q: InstanceQuery) -> list[ProcessInstance]:
    """Running instances the caller may read (see authz.instance_filter)."""
    apply_sorting(select(ProcessInstance.id), q.sorting, SORT_COLUMNS)  # an invalid sortBy is a 400 first

    def work(s: Session):
        readable = authz.policy(kb, actor, s).instance_filter()
        stmt = apply_sorting(_filtered(q, readable), q.sorting, SORT_COLUMNS, ProcessInstance.start_time)
        return list(s.scalars(apply_page(stmt, q.page)))
    return kb.read(work)


def count_instances(kb: Kuaibao, actor: Actor, q: InstanceQuery) -> int:
    def work(s: Session):
        readable = authz.policy(kb, actor, s).instance_filter()
        return s.scalar(select(func.count()).select_from(_filtered(q, readable).subquery()))
    return kb.read(work)


def active_instance(s: Session, instance_id: str) -> ProcessInstance:
    found = s.scalar(select(ProcessInstance).options(*_LIGHT).where(ProcessInstance.id == instance_id,
                                                                     ProcessInstance.state == ACTIVE))
    if found is None:
        raise NotFound(f"Process instance with id {instance_id} does not exist")
    return found


def readable_instance(kb: Kuaibao, s: Session, actor: Actor, instance_id: str) -> ProcessInstance:
    """A running instance the actor may read; one they may not is reported missing, as Camunda's query does."""
    instance = active_instance(s, instance_id)
    readable = authz.policy(kb, actor, s).instance_filter()
    if readable is not None and s.scalar(select(ProcessInstance.id).where(ProcessInstance.id == instance_id,
                                                                          readable)) is None:
        raise NotFound(f"Process instance with id {instance_id} does not exist")
    return instance


def get_instance(kb: Kuaibao, actor: Actor, instance_id: str) -> ProcessInstance:
    return kb.read(lambda s: readable_instance(kb, s, actor, instance_id))


def delete_instance(kb: Kuaibao, actor: Actor, instance_id: str, fail_if_not_exists: bool = True,
                    reason: str | None = None) -> None:
    """Cancel a running instance and the instances it called: open tasks and awaited events go, the rows
    stay as externally terminated history."""
    def work(s: Session) -> None:
        instance = readable_instance(kb, s, actor, instance_id) if fail_if_not_exists else \
            _readable_or_none(kb, s, actor, instance_id)
        if instance is None:
            return
        if not authz.policy(kb, actor, s).may_delete_instance(instance):
            raise authz.forbidden(actor, permissions.DELETE, permissions.PROCESS_INSTANCE, instance_id)
        changed = s.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                          ProcessInstance.state == ACTIVE)
                            .values(state=EXTERNALLY_TERMINATED, end_time=utcnow(),
                                    version=ProcessInstance.version + 1)).rowcount
        if not changed:
            if fail_if_not_exists:
                raise NotFound(f"Process instance with id {instance_id} does not exist")
            return
        ids, frontier = [instance_id], [instance_id]
        while frontier:
            frontier = list(s.scalars(select(ProcessInstance.id).where(
                ProcessInstance.super_process_instance_id.in_(frontier), ProcessInstance.state == ACTIVE)))
            ids += frontier
        now = utcnow()
        s.execute(update(ProcessInstance).where(ProcessInstance.id.in_(ids), ProcessInstance.state == ACTIVE)
                  .values(state=EXTERNALLY_TERMINATED, end_time=now, version=ProcessInstance.version + 1))
        history_writer.record_cancellation(s, ids, now)
        oplog.write(s, actor, "Delete", "ProcessInstance", oplog.OPERATOR, [("deleteReason", None, reason)],
                    s.get(ProcessInstance, instance_id))
        s.execute(delete(Task).where(Task.process_instance_id.in_(ids)))
        s.execute(delete(EventSubscription).where(EventSubscription.process_instance_id.in_(ids)))

    kb.command(work)


def _readable_or_none(kb: Kuaibao, s: Session, actor: Actor, instance_id: str) -> ProcessInstance | None:
    try:
        return readable_instance(kb, s, actor, instance_id)
    except NotFound:
        return None


def get_any_instance(kb: Kuaibao, actor: Actor, instance_id: str) -> ProcessInstance:
    """Running or ended, if the actor may read its history (what /history/process-instance/{id} shows)."""
    def work(s: Session):
        stmt = select(ProcessInstance).options(*_LIGHT).where(ProcessInstance.id == instance_id)
        readable = authz.policy(kb, actor, s).instance_filter(history=True)
        found = s.scalar(stmt.where(readable) if readable is not None else stmt)
        if found is None:
            raise NotFound(f"Historic process instance with id {instance_id} does not exist")
        return found
    return kb.read(work)
