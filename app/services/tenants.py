"""Tenants and their user and group members (Camunda's /tenant resource); in the Jilin pack, the regions."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Group, Membership, Tenant, TenantMembership, User
from . import directory, gate
from .context import Actor, Kuaibao
from .errors import BadUserRequest, InvalidRequest, NotFound
from .queries import Page, Sorting, apply_page, apply_sorting

TM = TenantMembership
MAX_TENANT_ID = 64  # the tenant_id columns of definitions, instances and tasks


@dataclass
class TenantQuery:
    """Camunda's TenantQueryDto, in snake case."""

    id: str | None = None
    id_in: list[str] | None = None
    name: str | None = None
    name_like: str | None = None
    user_member: str | None = None
    group_member: str | None = None
    including_groups_of_user: bool = False  # with user_member: also the tenants of the user's groups
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"id": Tenant.id, "name": Tenant.name}


def _filtered(stmt, q: TenantQuery):
    conditions = [column == value for column, value in ((Tenant.id, q.id), (Tenant.name, q.name))
                  if value is not None]
    if q.name_like is not None:
        conditions.append(Tenant.name.like(q.name_like))
    if q.id_in:
        conditions.append(Tenant.id.in_(q.id_in))
    if q.user_member is not None:
        member = TM.user_id == q.user_member
        if q.including_groups_of_user:
            member = or_(member, TM.group_id.in_(select(Membership.group_id).where(
                Membership.user_id == q.user_member)))
        conditions.append(Tenant.id.in_(select(TM.tenant_id).where(member)))
    if q.group_member is not None:
        conditions.append(Tenant.id.in_(select(TM.tenant_id).where(TM.group_id == q.group_member)))
    return stmt.where(*conditions)


def list_tenants(kb: Kuaibao, actor: Actor, q: TenantQuery) -> list[Tenant]:
    """Tenants matching the criteria (any authenticated user may read the directory)."""
    stmt = apply_page(apply_sorting(_filtered(select(Tenant), q), q.sorting, SORT_COLUMNS, Tenant.id), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_tenants(kb: Kuaibao, actor: Actor, q: TenantQuery) -> int:
    """How many tenants match (paging and sorting aside)."""
    return kb.read(lambda s: s.scalar(_filtered(select(func.count(Tenant.id)), q)))


def get_tenant(kb: Kuaibao, actor: Actor, tenant_id: str) -> Tenant:
    """One tenant; unknown ids are Camunda's 404."""
    return kb.read(lambda s: _tenant(s, tenant_id))


def _tenant(s: Session, tenant_id: str) -> Tenant:
    tenant = s.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"Tenant with id {tenant_id} does not exist")
    return tenant


def create_tenant(kb: Kuaibao, actor: Actor, tenant_id: str | None, name: str | None) -> None:
    """A new tenant (administrators); its id fits the tenant_id columns."""
    directory.check_id("Tenant", tenant_id, MAX_TENANT_ID)
    directory.require_admin(kb, actor, "CREATE", "Tenant")

    def work(s: Session) -> None:
        if s.get(Tenant, tenant_id) is not None:
            raise BadUserRequest("The tenant already exists")
        s.add(Tenant(id=tenant_id, name=name))
    directory.create(kb, work, "The tenant already exists")
    gate.forget_tenants()


def update_tenant(kb: Kuaibao, actor: Actor, tenant_id: str, new_id: str | None, name: str | None) -> None:
    """Rename; the id cannot change (definitions, instances and tasks carry it)."""
    directory.require_admin(kb, actor, "UPDATE", "Tenant", tenant_id)
    if new_id is not None and new_id != tenant_id:
        raise InvalidRequest("A tenant's id cannot be changed")

    def work(s: Session) -> None:
        _tenant(s, tenant_id).name = name
    kb.command(work)


def delete_tenant(kb: Kuaibao, actor: Actor, tenant_id: str) -> None:
    """Remove a tenant and its memberships (what carries its id keeps it, as in Camunda)."""
    directory.require_admin(kb, actor, "DELETE", "Tenant", tenant_id)

    def work(s: Session) -> None:
        _tenant(s, tenant_id)
        s.execute(delete(Tenant).where(Tenant.id == tenant_id))
    kb.command(work)
    directory.changed(kb)
    gate.forget_tenants()


def add_user(kb: Kuaibao, actor: Actor, tenant_id: str, user_id: str) -> None:
    """Make a user a direct member of a tenant (administrators; idempotent)."""
    _add(kb, actor, tenant_id, user_id=user_id)
    directory.changed(kb, user_id)


def add_group(kb: Kuaibao, actor: Actor, tenant_id: str, group_id: str) -> None:
    """Make a group, and so its users, a member of a tenant (administrators; idempotent)."""
    _add(kb, actor, tenant_id, group_id=group_id)
    directory.changed(kb)


def remove_user(kb: Kuaibao, actor: Actor, tenant_id: str, user_id: str) -> None:
    """End a user's direct membership of a tenant (administrators)."""
    _remove(kb, actor, tenant_id, TM.user_id == user_id)
    directory.changed(kb, user_id)


def remove_group(kb: Kuaibao, actor: Actor, tenant_id: str, group_id: str) -> None:
    """End a group's membership of a tenant (administrators)."""
    _remove(kb, actor, tenant_id, TM.group_id == group_id)
    directory.changed(kb)


def _add(kb: Kuaibao, actor: Actor, tenant_id: str, user_id: str | None = None, group_id: str | None = None) -> None:
    """Idempotent, as a PUT should be."""
    directory.require_admin(kb, actor, "CREATE", "TenantMembership", tenant_id)

    def work(s: Session) -> None:
        _tenant(s, tenant_id)
        if user_id is not None and s.get(User, user_id) is None:
            raise NotFound(f"No user found with id '{user_id}'.")
        if group_id is not None and s.get(Group, group_id) is None:
            raise NotFound(f"No group found with id '{group_id}'.")
        member = TM.user_id == user_id if user_id is not None else TM.group_id == group_id
        if s.scalar(select(TM.id).where(TM.tenant_id == tenant_id, member)) is None:
            s.add(TM(tenant_id=tenant_id, user_id=user_id, group_id=group_id))
    try:
        kb.command(work)
    except IntegrityError:
        pass  # a concurrent PUT made the same membership


def _remove(kb: Kuaibao, actor: Actor, tenant_id: str, member) -> None:
    directory.require_admin(kb, actor, "DELETE", "TenantMembership", tenant_id)

    def work(s: Session) -> None:
        _tenant(s, tenant_id)
        s.execute(delete(TM).where(TM.tenant_id == tenant_id, member))
    kb.command(work)
