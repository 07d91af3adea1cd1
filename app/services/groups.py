"""Groups and their members (Camunda's /group resource), and a user's groups with their colleagues
(/identity/groups)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Group, Membership, TenantMembership, User
from . import directory
from .context import Actor, Kuaibao
from .errors import BadUserRequest, InvalidRequest, NotFound
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class GroupQuery:
    """Camunda's GroupQueryDto, in snake case."""

    id: str | None = None
    id_in: list[str] | None = None
    name: str | None = None
    name_like: str | None = None
    type: str | None = None
    member: str | None = None
    member_of_tenant: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class GroupInfo:
    """A user's groups, and the other members of those groups."""

    groups: list[Group]
    users: list[User]


SORT_COLUMNS = {"id": Group.id, "name": Group.name, "type": Group.type}


def _filtered(stmt, q: GroupQuery):
    conditions = [column == value for column, value in ((Group.id, q.id), (Group.name, q.name), (Group.type, q.type))
                  if value is not None]
    if q.name_like is not None:
        conditions.append(Group.name.like(q.name_like))
    if q.id_in:
        conditions.append(Group.id.in_(q.id_in))
    if q.member is not None:
        conditions.append(Group.id.in_(select(Membership.group_id).where(Membership.user_id == q.member)))
    if q.member_of_tenant is not None:
        conditions.append(Group.id.in_(select(TenantMembership.group_id).where(
            TenantMembership.tenant_id == q.member_of_tenant)))
    return stmt.where(*conditions)


def list_groups(kb: Kuaibao, actor: Actor, q: GroupQuery) -> list[Group]:
    """Groups matching the criteria (any authenticated user may read the directory)."""
    stmt = apply_page(apply_sorting(_filtered(select(Group), q), q.sorting, SORT_COLUMNS, Group.id), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_groups(kb: Kuaibao, actor: Actor, q: GroupQuery) -> int:
    """How many groups match (paging and sorting aside)."""
    return kb.read(lambda s: s.scalar(_filtered(select(func.count(Group.id)), q)))


def get_group(kb: Kuaibao, actor: Actor, group_id: str) -> Group:
    """One group; unknown ids are Camunda's 404."""
    return kb.read(lambda s: _group(s, group_id))


def _group(s: Session, group_id: str) -> Group:
    group = s.get(Group, group_id)
    if group is None:
        raise NotFound(f"Group with id {group_id} does not exist")
    return group


def create_group(kb: Kuaibao, actor: Actor, group_id: str | None, name: str | None, kind: str | None) -> None:
    """A new group (administrators)."""
    directory.check_id("Group", group_id)
    directory.require_admin(kb, actor, "CREATE", "Group")

    def work(s: Session) -> None:
        if s.get(Group, group_id) is not None:
            raise BadUserRequest("The group already exists")
        s.add(Group(id=group_id, name=name, type=kind))
    directory.create(kb, work, "The group already exists")


def update_group(kb: Kuaibao, actor: Actor, group_id: str, new_id: str | None, name: str | None,
                 kind: str | None) -> None:
    """Replace name and type; the id cannot change (task candidates and tenants refer to it)."""
    directory.require_admin(kb, actor, "UPDATE", "Group", group_id)
    if new_id is not None and new_id != group_id:
        raise InvalidRequest("A group's id cannot be changed")

    def work(s: Session) -> None:
        group = _group(s, group_id)
        group.name, group.type = name, kind
    kb.command(work)


def delete_group(kb: Kuaibao, actor: Actor, group_id: str) -> None:
    """Remove a group with its memberships (tasks offered to it keep the name)."""
    directory.require_admin(kb, actor, "DELETE", "Group", group_id)

    def work(s: Session) -> None:
        _group(s, group_id)
        s.execute(delete(Group).where(Group.id == group_id))
    kb.command(work)
    directory.changed(kb)


def add_member(kb: Kuaibao, actor: Actor, group_id: str, user_id: str) -> None:
    """Put a user in a group (administrators); idempotent, as a PUT should be."""
    directory.require_admin(kb, actor, "CREATE", "GroupMembership", group_id)

    def work(s: Session) -> None:
        _group(s, group_id)
        if s.get(User, user_id) is None:
            raise NotFound(f"No user found with id '{user_id}'.")
        if s.get(Membership, (user_id, group_id)) is None:
            s.add(Membership(user_id=user_id, group_id=group_id))
    try:
        kb.command(work)
    except IntegrityError:
        pass  # a concurrent PUT made the same membership
    directory.changed(kb, user_id)


def remove_member(kb: Kuaibao, actor: Actor, group_id: str, user_id: str) -> None:
    """Take a user out of a group (administrators)."""
    directory.require_admin(kb, actor, "DELETE", "GroupMembership", group_id)

    def work(s: Session) -> None:
        _group(s, group_id)
        s.execute(delete(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id))
    kb.command(work)
    directory.changed(kb, user_id)


def group_info(kb: Kuaibao, actor: Actor, user_id: str | None) -> GroupInfo:
    """The user's groups and everyone else in them (Tasklist builds its 'my groups' filters from this)."""
    if not user_id:
        raise InvalidRequest("No user id was supplied")

    def work(s: Session) -> GroupInfo:
        mine = select(Membership.group_id).where(Membership.user_id == user_id)
        groups = list(s.scalars(select(Group).where(Group.id.in_(mine)).order_by(Group.id)))
        colleagues = select(Membership.user_id).where(Membership.group_id.in_(mine))
        users = list(s.scalars(select(User).where(User.id.in_(colleagues), User.id != user_id).order_by(User.id)))
        return GroupInfo(groups, users)
    return kb.read(work)
