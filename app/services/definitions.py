"""Read process and decision definitions; resolve 'latest version of key'."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from ..models import Deployment, Membership, ProcessDefinition, Resource
from . import authz, permissions
from . import typed_values as tv
from .context import Actor, Kuaibao
from .errors import NotFound
from .identity import actor_for
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class DefinitionQuery:
    id: str | None = None
    ids: list[str] | None = None
    key: str | None = None
    keys: list[str] | None = None
    key_like: str | None = None
    name: str | None = None
    name_like: str | None = None
    deployment_id: str | None = None
    category: str | None = None
    version: int | None = None
    latest_version: bool = False
    resource_name: str | None = None
    resource_name_like: str | None = None
    version_tag: str | None = None
    version_tag_like: str | None = None
    without_version_tag: bool = False
    tenant_ids: list[str] | None = None
    without_tenant_id: bool = False
    include_without_tenant: bool = False
    active: bool = False
    suspended: bool = False
    startable_in_tasklist: bool = False
    not_startable_in_tasklist: bool = False
    startable_by: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"category": ProcessDefinition.category, "key": ProcessDefinition.key, "id": ProcessDefinition.id,
                "name": ProcessDefinition.name, "version": ProcessDefinition.version,
                "deploymentId": ProcessDefinition.deployment_id, "tenantId": ProcessDefinition.tenant_id,
                "versionTag": ProcessDefinition.version_tag,
                "deployTime": select(Deployment.deployment_time)
                .where(Deployment.id == ProcessDefinition.deployment_id).scalar_subquery()}

_LIGHT = (defer(ProcessDefinition.spec),)


def _filtered(q: DefinitionQuery):
    pd = ProcessDefinition
    stmt = select(pd).options(*_LIGHT)
    for value, column in ((q.id, pd.id), (q.key, pd.key), (q.name, pd.name), (q.deployment_id, pd.deployment_id),
                          (q.category, pd.category), (q.version, pd.version), (q.resource_name, pd.resource_name),
                          (q.version_tag, pd.version_tag)):
        if value is not None:
            stmt = stmt.where(column == value)
    for value, column in ((q.key_like, pd.key), (q.name_like, pd.name), (q.resource_name_like, pd.resource_name),
                          (q.version_tag_like, pd.version_tag)):
        if value is not None:
            stmt = stmt.where(column.like(value))
    if q.ids:
        stmt = stmt.where(pd.id.in_(q.ids))
    if q.keys:
        stmt = stmt.where(pd.key.in_(q.keys))
    if q.without_version_tag:
        stmt = stmt.where(pd.version_tag.is_(None))
    if q.tenant_ids:
        cond = pd.tenant_id.in_(q.tenant_ids)
        stmt = stmt.where(cond | pd.tenant_id.is_(None) if q.include_without_tenant else cond)
    if q.without_tenant_id:
        stmt = stmt.where(pd.tenant_id.is_(None))
    if q.active:
        stmt = stmt.where(pd.suspended.is_(False))
    if q.suspended:
        stmt = stmt.where(pd.suspended.is_(True))
    if q.startable_in_tasklist:
        stmt = stmt.where(pd.startable.is_(True))
    if q.not_startable_in_tasklist:
        stmt = stmt.where(pd.startable.is_(False))
    if q.latest_version:
        latest = select(pd.key, pd.tenant_id, func.max(pd.version).label("v")).group_by(pd.key, pd.tenant_id).subquery()
        stmt = stmt.join(latest, (latest.c.key == pd.key) & (latest.c.v == pd.version)
                         & ((latest.c.tenant_id == pd.tenant_id) | (latest.c.tenant_id.is_(None) & pd.tenant_id.is_(None))))
    return stmt


def list_definitions(kb: Kuaibao, actor: Actor, q: DefinitionQuery) -> list[ProcessDefinition]:
    """The definitions the caller may read (READ on ProcessDefinition; every login has it by default)."""
    def work(s: Session):
        pol = authz.policy(kb, actor, s)
        ordered = apply_sorting(_filtered(q).where(pol.scope(permissions.PROCESS_DEFINITION, permissions.READ)
                                                   .condition(ProcessDefinition.key)),
                                q.sorting, SORT_COLUMNS, ProcessDefinition.key).order_by(ProcessDefinition.version)
        if q.startable_by is None:
            return list(s.scalars(apply_page(ordered, q.page)))
        found = _startable(kb, s, q.startable_by, list(s.scalars(ordered)))
        end = None if q.page.max_results is None else q.page.first_result + q.page.max_results
        return found[q.page.first_result:end]
    return kb.read(work)


def count_definitions(kb: Kuaibao, actor: Actor, q: DefinitionQuery) -> int:
    if q.startable_by is not None:
        return len(list_definitions(kb, actor, DefinitionQuery(**{**q.__dict__, "page": Page()})))

    def work(s: Session):
        readable = authz.policy(kb, actor, s).scope(permissions.PROCESS_DEFINITION, permissions.READ)
        stmt = _filtered(q).where(readable.condition(ProcessDefinition.key))
        return s.scalar(select(func.count()).select_from(stmt.subquery()))
    return kb.read(work)


def _startable(kb: Kuaibao, s: Session, user_id: str, definitions: list[ProcessDefinition]
               ) -> list[ProcessDefinition]:
    """Camunda's startableBy: the definitions this user may start."""
    groups = frozenset(s.scalars(select(Membership.group_id).where(Membership.user_id == user_id)))
    pol = authz.policy(kb, actor_for(kb, user_id, groups), s)
    return [d for d in definitions if may_start(pol, d)]


def may_start(pol: authz.Policy, definition: ProcessDefinition) -> bool:
    """CREATE_INSTANCE on the definition (administrators and process managers have it), or an offer by
    camunda:candidateStarterGroups/Users ('*' matches any text in a group name, so `*-postal` offers a process
    to every region's postal bureau)."""
    if pol.allows(permissions.PROCESS_DEFINITION, permissions.CREATE_INSTANCE, definition.key):
        return True
    actor = pol.actor
    users = [u.strip() for u in (definition.candidate_starter_users or "").split(",") if u.strip()]
    patterns = [g.strip() for g in (definition.candidate_starter_groups or "").split(",") if g.strip()]
    return actor.user_id in users or any(fnmatchcase(g, p) for p in patterns for g in actor.groups)


def _require_read(kb: Kuaibao, s: Session, actor: Actor, definition: ProcessDefinition) -> ProcessDefinition:
    authz.policy(kb, actor, s).require(permissions.PROCESS_DEFINITION, permissions.READ, definition.key)
    return definition


def by_id(s: Session, definition_id: str) -> ProcessDefinition:
    found = s.scalar(select(ProcessDefinition).options(*_LIGHT).where(ProcessDefinition.id == definition_id))
    if found is None:
        raise NotFound(f"No matching definition with id {definition_id}")
    return found


def latest_by_key(s: Session, key: str, tenant_id: str | None = None) -> ProcessDefinition:
    stmt = select(ProcessDefinition).options(*_LIGHT).where(ProcessDefinition.key == key)
    stmt = stmt.where(ProcessDefinition.tenant_id == tenant_id) if tenant_id \
        else stmt.where(ProcessDefinition.tenant_id.is_(None))
    found = s.scalar(stmt.order_by(ProcessDefinition.version.desc()).limit(1))
    if found is None:
        tenant = f"tenant-id {tenant_id}" if tenant_id else "no tenant-id"
        raise NotFound(f"No matching process definition with key: {key} and {tenant}")
    return found


def get_definition(kb: Kuaibao, actor: Actor, definition_id: str | None = None, key: str | None = None,
                   tenant_id: str | None = None) -> ProcessDefinition:
    """By id, or the latest version of a key."""
    return kb.read(lambda s: _require_read(kb, s, actor, by_id(s, definition_id) if definition_id
                                           else latest_by_key(s, key, tenant_id)))


def get_xml(kb: Kuaibao, actor: Actor, definition_id: str | None = None, key: str | None = None,
            tenant_id: str | None = None) -> tuple[ProcessDefinition, bytes]:
    """The definition and the original bytes of the resource it was parsed from."""
    def work(s: Session):
        d = _require_read(kb, s, actor, by_id(s, definition_id) if definition_id
                          else latest_by_key(s, key, tenant_id))
        data = s.scalar(select(Resource.data).where(Resource.deployment_id == d.deployment_id,
                                                    Resource.name == d.resource_name))
        return d, data
    return kb.read(work)


def start_form_variables(kb: Kuaibao, actor: Actor, definition_id: str | None = None, key: str | None = None,
                         tenant_id: str | None = None, names: list[str] | None = None) -> dict[str, tv.TypedValue]:
    """Defaults of the start event's form fields, typed as the fields declare."""
    d = get_definition(kb, actor, definition_id, key, tenant_id)
    form = json.loads(d.start_form) if d.start_form else {}
    return form_field_values(form.get("fields", []), names)


_FIELD_TYPES = {"string": "String", "long": "Long", "boolean": "Boolean", "date": "Date", "enum": "String"}


def form_field_values(fields: list[dict], names: list[str] | None = None) -> dict[str, tv.TypedValue]:
    """Camunda form fields -> typed default values."""
    result = {}
    for f in fields:
        if names and f["id"] not in names:
            continue
        kind = _FIELD_TYPES.get((f.get("type") or "string").lower(), "String")
        default = f.get("default")
        try:
            value = tv.from_rest(f["id"], {"value": default, "type": kind}).value if default is not None else None
        except tv.VariableValueError:
            value = default
        result[f["id"]] = tv.TypedValue(kind, value, {})
    return result
