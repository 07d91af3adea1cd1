"""Users, groups and memberships; password checks with argon2id, cached briefly after success."""
from __future__ import annotations

import hashlib
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Group, Membership, User
from .context import Actor, Kuaibao

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class CredentialCache:
    """Remembers verified (user, password digest) -> Actor for a short time so argon2 runs rarely."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._items: dict[tuple[str, bytes], tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> Actor | None:
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
            self._items.pop(key, None)
            return None

    def put(self, key: tuple[str, bytes], actor: Actor) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.seconds, actor)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def authenticate(kb: Kuaibao, cache: CredentialCache, user_id: str, password: str) -> Actor | None:
    """The Actor for valid credentials, else None."""
    key = (user_id, hashlib.sha256(password.encode()).digest())
    actor = cache.get(key)
    if actor is not None:
        return actor

    def work(s: Session):
        user = s.get(User, user_id)
        if user is None or not user.password_hash:
            return None
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        groups = frozenset(s.scalars(select(Membership.group_id).where(Membership.user_id == user_id)))
        return actor_for(kb, user_id, groups)

    actor = kb.read(work)
    if actor is not None:
        cache.put(key, actor)
    return actor


def actor_for(kb: Kuaibao, user_id: str, groups: frozenset[str]) -> Actor:
    is_admin = kb.settings.admin_group in groups
    return Actor(user_id, groups, is_admin=is_admin,
                 can_manage=is_admin or bool(groups & set(kb.settings.deployer_groups)))


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
    group = s.get(Group, group_id)
    if group is None:
        group = Group(id=group_id, name=name or group_id, type=kind)
        s.add(group)
    return group


def ensure_membership(s: Session, user_id: str, group_id: str) -> None:
    if s.get(Membership, (user_id, group_id)) is None:
        s.add(Membership(user_id=user_id, group_id=group_id))
