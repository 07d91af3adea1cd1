"""Who is calling: password checks (argon2id, remembered briefly after success), sessions' password versions,
groups and tenants; and the idempotent `ensure_*` helpers the demo and the tests build identities with."""
from __future__ import annotations

import hashlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Group, Membership, Tenant, TenantMembership, User
from .context import Actor, Kuaibao
from .credentials import CredentialCache
from .login_throttle import LoginThrottle

_HASHER = PasswordHasher()

__all__ = ["CredentialCache", "authenticate", "session_actor", "password_version", "check_password", "verify_login",
           "actor_for", "tenants_of", "hash_password", "ensure_user", "ensure_group", "ensure_membership",
           "ensure_tenant", "ensure_tenant_group"]


def hash_password(password: str) -> str:
    """argon2id with a fresh salt."""
    return _HASHER.hash(password)


@cache
def _decoy_hash() -> str:
    return _HASHER.hash("decoy password for unknown users")


def _stored_hash(kb: Kuaibao, user_id: str) -> str | None:
    return kb.read(lambda s: s.scalar(select(User.password_hash).where(User.id == user_id)))


def _verify(stored: str | None, password: str) -> bool:
    """argon2 (outside any transaction: it is slow on purpose); unknown users and users without a password cost
    the same time, so timing does not tell who exists."""
    try:
        _HASHER.verify(stored or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def password_version(password_hash: str | None) -> str:
    """A digest of the stored hash: a session carries it and dies when the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:32]


def authenticate(kb: Kuaibao, cache: CredentialCache, user_id: str, password: str,
                 throttle: LoginThrottle | None = None, address: str | None = None) -> Actor | None:
    """The Actor for valid credentials, else None; uncached checks count against the throttle, if given."""
    key = (user_id, hashlib.sha256(password.encode()).digest())
    actor = cache.get(key)
    if actor is not None:
        return actor
    if throttle is not None:
        throttle.check(user_id, address)
    generation = cache.generation(user_id)
    actor = kb.read(lambda s: _load_actor(kb, s, user_id)) if _verify(_stored_hash(kb, user_id), password) else None
    if actor is not None:
        cache.put(key, actor, generation)
        if throttle is not None:
            throttle.succeeded(user_id)
    elif throttle is not None:
        throttle.failed(user_id, address)
    return actor


def session_actor(kb: Kuaibao, cache: CredentialCache, user_id: str, version: str) -> Actor | None:
    """The Actor of a signed session, if the user still exists with the password the session was opened with."""
    key = (user_id, b"session:" + version.encode())
    actor = cache.get(key)
    if actor is not None:
        return actor
    generation = cache.generation(user_id)

    def work(s: Session):
        user = s.get(User, user_id)
        if user is None or not user.password_hash or password_version(user.password_hash) != version:
            return None
        return _load_actor(kb, s, user_id)

    actor = kb.read(work)
    if actor is not None:
        cache.put(key, actor, generation)
    return actor


def check_password(kb: Kuaibao, user_id: str, password: str) -> str | None:
    """The user's password version if the password is right, else None (never cached: for changes and logins)."""
    stored = _stored_hash(kb, user_id)
    return password_version(stored) if _verify(stored, password) else None


def verify_login(kb: Kuaibao, throttle: LoginThrottle, user_id: str, password: str, address: str | None
                 ) -> str | None:
    """A throttled password check (a login, or /identity/verify): the password version, or None."""
    throttle.check(user_id, address)
    version = check_password(kb, user_id, password)
    if version is None:
        throttle.failed(user_id, address)
    else:
        throttle.succeeded(user_id)
    return version


def _load_actor(kb: Kuaibao, s: Session, user_id: str) -> Actor | None:
    if s.get(User, user_id) is None:
        return None  # deleted since its password was checked
    groups = frozenset(s.scalars(select(Membership.group_id).where(Membership.user_id == user_id)))
    return actor_for(kb, user_id, groups, tenants_of(s, user_id, groups))


def actor_for(kb: Kuaibao, user_id: str, groups: frozenset[str], tenants: frozenset[str] = frozenset()) -> Actor:
    """An Actor whose administrator and manager flags follow from its groups."""
    is_admin = kb.settings.admin_group in groups
    return Actor(user_id, groups, is_admin=is_admin,
                 can_manage=is_admin or bool(groups & set(kb.settings.deployer_groups)), tenants=tenants)


def tenants_of(s: Session, user_id: str, groups: frozenset[str]) -> frozenset[str]:
    """The tenants a user belongs to, directly or through one of `groups`."""
    member = TenantMembership.user_id == user_id
    if groups:
        member = or_(member, TenantMembership.group_id.in_(sorted(groups)))
    return frozenset(s.scalars(select(TenantMembership.tenant_id).where(member).distinct()))


def ensure_user(s: Session, user_id: str, password: str | None, first: str | None = None, last: str | None = None,
                email: str | None = None, password_hash: str | None = None) -> User:
    """Create the user if missing (the password of an existing user is left alone); a precomputed
    `password_hash` spares argon2's deliberate slowness when many users share one password (the demo)."""
    user = s.get(User, user_id)
    if user is None:
        if password_hash is None:
            if password is None:
                raise ValueError(f"user {user_id!r} needs a password or a password hash")
            password_hash = hash_password(password)
        user = User(id=user_id, first_name=first, last_name=last, email=email, password_hash=password_hash)
        s.add(user)
    return user


def ensure_group(s: Session, group_id: str, name: str | None = None, kind: str | None = "WORKFLOW") -> Group:
    """Create the group if missing."""
    group = s.get(Group, group_id)
    if group is None:
        group = Group(id=group_id, name=name or group_id, type=kind)
        s.add(group)
    return group


def ensure_membership(s: Session, user_id: str, group_id: str) -> None:
    """Put the user in the group if not yet (both must exist, flushed)."""
    if s.get(Membership, (user_id, group_id)) is None:
        s.add(Membership(user_id=user_id, group_id=group_id))


def ensure_tenant(s: Session, tenant_id: str, name: str | None = None) -> Tenant:
    """Create the tenant if missing."""
    tenant = s.get(Tenant, tenant_id)
    if tenant is None:
        tenant = Tenant(id=tenant_id, name=name or tenant_id)
        s.add(tenant)
    return tenant


def ensure_tenant_group(s: Session, tenant_id: str, group_id: str) -> None:
    """Make a group a member of a tenant (tenant and group must exist, flushed)."""
    if s.scalar(select(TenantMembership.id).where(TenantMembership.tenant_id == tenant_id,
                                                  TenantMembership.group_id == group_id)) is None:
        s.add(TenantMembership(tenant_id=tenant_id, group_id=group_id))
