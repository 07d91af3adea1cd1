"""Start process instances, read and delete them."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer

from ..engine.errors import EngineError
from ..engine.runtime import Context
from ..models import ACTIVE, EXTERNALLY_TERMINATED, ProcessDefinition, ProcessInstance, Task, new_id, utcnow
from . import typed_values as tv
from .context import Actor, Kuaibao
from .definitions import by_id, latest_by_key
from .deployments import require_manager
from .errors import EngineFailure, NotFound
from .persistence import apply_outcome, load_variables
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
    require_manager(actor)

    def work(s: Session) -> Started:
        d = by_id(s, cmd.definition_id) if cmd.definition_id else latest_by_key(s, cmd.key, cmd.tenant_id)
        if d.suspended:
            raise EngineFailure(f"Cannot instantiate process definition {d.id}: it is suspended")
        instance = ProcessInstance(id=new_id(), definition_id=d.id, definition_key=d.key,
                                   business_key=cmd.business_key, tenant_id=d.tenant_id, state=ACTIVE,
                                   suspended=False, version=1, start_time=utcnow(), start_user_id=actor.user_id)
        form = json.loads(d.start_form) if d.start_form else {}
        initiator = (form["initiator"], actor.user_id) if form.get("initiator") else None
        try:
            outcome = kb.engine.start(kb.specs.get(s, d.id), {n: v.value for n, v in cmd.variables.items()},
                                      Context(cmd.business_key, instance.id), initiator)
        except EngineError as e:
            raise EngineFailure(f"Cannot instantiate process definition {d.id}: {e}") from e
        apply_outcome(s, instance, outcome, cmd.variables, is_new=True)
        variables = load_variables(s, instance.id) if cmd.with_variables_in_return else None
        return Started(instance, variables)

    return kb.command(work)


def _filtered(q: InstanceQuery):
    pi = ProcessInstance
    stmt = select(pi).options(*_LIGHT).where(pi.state == ACTIVE)
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
    require_manager(actor)
    stmt = apply_page(apply_sorting(_filtered(q), q.sorting, SORT_COLUMNS, ProcessInstance.start_time), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_instances(kb: Kuaibao, actor: Actor, q: InstanceQuery) -> int:
    require_manager(actor)
    return kb.read(lambda s: s.scalar(select(func.count()).select_from(_filtered(q).subquery())))


def active_instance(s: Session, instance_id: str) -> ProcessInstance:
    found = s.scalar(select(ProcessInstance).options(*_LIGHT).where(ProcessInstance.id == instance_id,
                                                                     ProcessInstance.state == ACTIVE))
    if found is None:
        raise NotFound(f"Process instance with id {instance_id} does not exist")
    return found


def get_instance(kb: Kuaibao, actor: Actor, instance_id: str) -> ProcessInstance:
    require_manager(actor)
    return kb.read(lambda s: active_instance(s, instance_id))


def get_any_instance(kb: Kuaibao, actor: Actor, instance_id: str) -> ProcessInstance:
    """Running or ended: what the history endpoint shows."""
    require_manager(actor)
    found = kb.read(lambda s: s.scalar(select(ProcessInstance).options(*_LIGHT)
                                       .where(ProcessInstance.id == instance_id)))
    if found is None:
        raise NotFound(f"Historic process instance with id {instance_id} does not exist")
    return found


def delete_instance(kb: Kuaibao, actor: Actor, instance_id: str, fail_if_not_exists: bool = True,
                    reason: str | None = None) -> None:
    """Cancel a running instance: its open tasks go, the row stays as externally terminated history."""
    require_manager(actor)

    def work(s: Session) -> None:
        changed = s.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                          ProcessInstance.state == ACTIVE)
                            .values(state=EXTERNALLY_TERMINATED, end_time=utcnow(),
                                    version=ProcessInstance.version + 1)).rowcount
        if not changed:
            if fail_if_not_exists:
                raise NotFound(f"Process instance with id {instance_id} does not exist")
            return
        s.execute(delete(Task).where(Task.process_instance_id == instance_id))

    kb.command(work)

