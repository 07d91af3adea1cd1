"""Manage authorization rows (Camunda's /authorization): query, create, update, delete, check; and the rows
Kuaibao generates itself (a process's reader groups, granted READ on each new instance)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from ..models import Authorization, ProcessInstance, new_id
from ..models.authorization import GLOBAL, GRANT, REVOKE
from . import authz, oplog
from . import permissions as p
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .queries import Page, Sorting, apply_page, apply_sorting

A = Authorization


@dataclass
class AuthorizationQuery:
    id: str | None = None
    type: int | None = None
    user_id_in: list[str] | None = None
    group_id_in: list[str] | None = None
    resource_type: int | None = None
    resource_id: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


@dataclass
class AuthorizationInput:
    """What a client sends to create or update a row."""

    type: int | None
    permissions: list[str] | None
    user_id: str | None
    group_id: str | None
    resource_type: int | None
    resource_id: str | None


SORT_COLUMNS = {"resourceType": A.resource_type, "resourceId": A.resource_id}


def _filtered(q: AuthorizationQuery, readable):
    stmt = select(A)
    for value, column in ((q.id, A.id), (q.type, A.type), (q.resource_type, A.resource_type),
                          (q.resource_id, A.resource_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if q.user_id_in:
        stmt = stmt.where(A.user_id.in_(q.user_id_in))
    if q.group_id_in:
        stmt = stmt.where(A.group_id.in_(q.group_id_in))
    return stmt.where(readable)


def list_authorizations(kb: Kuaibao, actor: Actor, q: AuthorizationQuery) -> list[Authorization]:
    """The rows the caller may read (READ on the Authorization resource)."""
    def work(s: Session):
        readable = authz.policy(kb, actor, s).scope(p.AUTHORIZATION, p.READ).condition(A.id)
        stmt = apply_sorting(_filtered(q, readable), q.sorting, SORT_COLUMNS, A.resource_type).order_by(A.id)
        return list(s.scalars(apply_page(stmt, q.page)))
    return kb.read(work)


def count_authorizations(kb: Kuaibao, actor: Actor, q: AuthorizationQuery) -> int:
    def work(s: Session):
        readable = authz.policy(kb, actor, s).scope(p.AUTHORIZATION, p.READ).condition(A.id)
        return s.scalar(select(func.count()).select_from(_filtered(q, readable).subquery()))
    return kb.read(work)


def get_authorization(kb: Kuaibao, actor: Actor, authorization_id: str) -> Authorization:
    found = list_authorizations(kb, actor, AuthorizationQuery(id=authorization_id))
    if not found:
        raise NotFound(f"Authorization with id {authorization_id} does not exist.")
    return found[0]


def create_authorization(kb: Kuaibao, actor: Actor, data: AuthorizationInput) -> Authorization:
    authz.policy(kb, actor).require(p.AUTHORIZATION, p.CREATE)
    row = Authorization(id=new_id(), **_validated(data))

    def work(s: Session) -> Authorization:
        s.add(row)
        s.flush()
        _log(s, actor, "Create", row, None)
        _forget_policies_on_commit(kb, s)
        return row
    return kb.command(work)


def update_authorization(kb: Kuaibao, actor: Actor, authorization_id: str, data: AuthorizationInput) -> None:
    values = _validated(data)

    def work(s: Session) -> None:
        row = s.get(Authorization, authorization_id)
        if row is None:
            raise NotFound(f"Authorization with id {authorization_id} does not exist.")
        authz.policy(kb, actor, s).require(p.AUTHORIZATION, p.UPDATE, authorization_id)
        before = _describe(row)
        for name, value in values.items():
            setattr(row, name, value)
        _log(s, actor, "Update", row, before)
        _forget_policies_on_commit(kb, s)
    kb.command(work)


def delete_authorization(kb: Kuaibao, actor: Actor, authorization_id: str) -> None:
    def work(s: Session) -> None:
        row = s.get(Authorization, authorization_id)
        if row is None:
            raise NotFound(f"Authorization with id {authorization_id} does not exist.")
        authz.policy(kb, actor, s).require(p.AUTHORIZATION, p.DELETE, authorization_id)
        s.delete(row)
        _log(s, actor, "Delete", row, _describe(row))
        _forget_policies_on_commit(kb, s)
    kb.command(work)


def ensure_grant(s: Session, group_id: str | None, user_id: str | None, resource_type: int, resource_id: str,
                 permissions: int) -> None:
    """Give a group or user these permissions (added to an existing grant row, if there is one); for set-up
    code such as the demo."""
    who = A.group_id == group_id if group_id else A.user_id == user_id
    row = s.scalar(select(A).where(who, A.type == GRANT, A.resource_type == resource_type,
                                   A.resource_id == resource_id))
    if row is None:
        s.add(Authorization(id=new_id(), type=GRANT, user_id=user_id, group_id=group_id,
                            resource_type=resource_type, resource_id=resource_id, permissions=permissions))
    elif row.permissions & permissions != permissions:
        row.permissions |= permissions


def grant_readers(s: Session, instance: ProcessInstance, groups: list[str]) -> None:
    """READ on a new instance for the reader groups its process declares; removed with its history."""
    if groups:
        root = instance.root_process_instance_id or instance.id
        s.execute(insert(A.__table__), [dict(
            id=new_id(), type=GRANT, user_id=None, group_id=group, resource_type=p.PROCESS_INSTANCE,
            resource_id=instance.id, permissions=p.READ, root_process_instance_id=root) for group in groups])


def check(kb: Kuaibao, actor: Actor, permission_name: str | None, resource_type: int | None,
          resource_id: str | None, user_id: str | None = None, groups: list[str] | None = None) -> bool:
    """GET /authorization/check: is the caller (or, for administrators, the named user) authorized?"""
    if permission_name is None or resource_type is None:
        raise InvalidRequest("Query parameters 'permissionName' and 'resourceType' are mandatory")
    try:
        bits = p.to_bits(resource_type, [permission_name])
    except ValueError as e:
        raise InvalidRequest(str(e)) from None
    who = actor
    if user_id is not None and user_id != actor.user_id:
        if not actor.is_admin:
            raise authz.forbidden(actor, p.READ, p.AUTHORIZATION, "*")
        who = Actor(user_id, frozenset(groups or ()), is_admin=kb.settings.admin_group in (groups or ()))
    return authz.policy(kb, who).allows(resource_type, bits, resource_id or "*")


def _validated(data: AuthorizationInput) -> dict:
    if data.type not in (GLOBAL, GRANT, REVOKE):
        raise InvalidRequest("Authorization type must be 0 (global), 1 (grant) or 2 (revoke)")
    if data.resource_type not in p.RESOURCE_NAMES:
        raise InvalidRequest(f"Unknown resource type {data.resource_type}")
    if data.type == GLOBAL and (data.user_id != "*" or data.group_id):
        raise InvalidRequest("ENGINE-03087 Cannot use groupId for GLOBAL authorization; a global "
                             "authorization has userId '*'.")
    if data.type != GLOBAL and bool(data.user_id) == bool(data.group_id):
        raise InvalidRequest("Authorization must either have a 'userId' or a 'groupId'.")
    try:
        bits = p.to_bits(data.resource_type, data.permissions or [])
    except ValueError as e:
        raise InvalidRequest(str(e)) from None
    return dict(type=data.type, user_id=data.user_id, group_id=data.group_id, resource_type=data.resource_type,
                resource_id=data.resource_id or "*", permissions=bits)


def _describe(row: Authorization) -> dict:
    return {"type": row.type, "userId": row.user_id, "groupId": row.group_id, "resourceType": row.resource_type,
            "resourceId": row.resource_id, "permissions": p.to_names(row.resource_type, row.permissions)}


def _log(s: Session, actor: Actor, operation: str, row: Authorization, before: dict | None) -> None:
    after = None if operation == "Delete" else _describe(row)
    oplog.write(s, actor, operation, "Authorization", oplog.ADMIN, [("authorization", before, after)],
                annotation=row.id)


def _forget_policies_on_commit(kb: Kuaibao, s: Session) -> None:
    event.listen(s, "after_commit", lambda _s: authz.cache_of(kb).changed(), once=True)
