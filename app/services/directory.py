"""Rules shared by users, groups and tenants: who may change them, what an id and a password may be, and
telling the credential cache when someone's password, groups or tenants changed.

Reading the directory (users' profiles, groups, tenants, memberships) is open to every authenticated user:
Tasklist-style clients show who holds a task and offer colleagues to hand it to. Changing it is for
administrators (or whoever an authorization row allows); a user may change only their own password (with their
current one).
"""
from __future__ import annotations

import re
from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError

from . import authz, permissions
from .context import Actor, Kuaibao
from .errors import BadUserRequest, Forbidden, InvalidRequest

T = TypeVar("T")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024  # argon2 costs grow with the input; nobody types more


def require_admin(kb: Kuaibao, actor: Actor, permission: str, resource: str, resource_id: str | None = None) -> None:
    """Changing identities needs the permission on the resource (User, Group, GroupMembership, Tenant,
    TenantMembership): administrators have it, anyone else only through an authorization row (say, a help desk
    group granted CREATE on User)."""
    resource_type = _RESOURCE_TYPES[resource]
    bits = permissions.to_bits(resource_type, [permission])
    if not authz.policy(kb, actor).allows(resource_type, bits, resource_id or "*"):
        where = f"'{resource_id}' of type '{resource}'" if resource_id else f"'{resource}'"
        raise Forbidden(f"The user with id '{actor.user_id}' does not have '{permission}' permission on resource "
                        f"{where}.", actor.user_id)


_RESOURCE_TYPES = {name: number for number, name in permissions.RESOURCE_NAMES.items()}


def check_id(kind: str, value: str | None, max_length: int = 255) -> str:
    """Ids are ASCII letters and digits, then also '.', '_', '@' or '-' ('*' is Camunda's wildcard)."""
    if not value:
        raise InvalidRequest(f"{kind} id must not be empty")
    if len(value) > max_length or not _ID.fullmatch(value):
        raise InvalidRequest(f"{kind} has an invalid id: '{value}' is not a valid resource identifier.")
    return value


def valid_password(password: str) -> str:
    """The password policy: long enough to resist guessing, short enough to hash cheaply."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidRequest(f"Password does not match policy: {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def create(kb: Kuaibao, work: Callable, exists_message: str) -> None:
    """Run a create command; a concurrent create of the same id is reported like an existing one."""
    try:
        kb.command(work)
    except IntegrityError:
        raise BadUserRequest(exists_message) from None


def changed(kb: Kuaibao, user_id: str | None = None) -> None:
    """After commit: forget verified logins of `user_id` (None: everyone), whose groups or tenants changed."""
    kb.credentials.revoke(user_id)
