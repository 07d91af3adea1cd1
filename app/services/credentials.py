"""A per-process memory of verified logins, so argon2 runs rarely, with revocation when identities change."""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .context import Actor

Key = tuple[str, bytes]  # (user id, digest of what was verified: a password, or a session's password version)


class CredentialCache:
    """Verified (user, digest) -> Actor for a short time; `revoke` forgets a user at once (see `generation`)."""

    MAX_ITEMS = 10_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._items: dict[Key, tuple[float, Actor]] = {}
        self._generations: dict[str, int] = {}
        self._everyone = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Actor | None:
        """The remembered Actor, unless expired or revoked."""
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > self._clock():
                return hit[1]
            self._items.pop(key, None)
            return None

    def generation(self, user_id: str) -> tuple[int, int]:
        """Read before a check, hand to `put`: a check that a revocation overtook then stores nothing."""
        with self._lock:
            return self._everyone, self._generations.get(user_id, 0)

    def put(self, key: Key, actor: Actor, generation: tuple[int, int] | None = None) -> None:
        """Remember a verified login, unless `user_id` was revoked since `generation` was read."""
        with self._lock:
            if generation is not None and generation != (self._everyone, self._generations.get(key[0], 0)):
                return  # revoked while the check ran: what it read may be stale
            if len(self._items) >= self.MAX_ITEMS:
                self._items.clear()
            self._items[key] = (self._clock() + self.seconds, actor)

    def revoke(self, user_id: str | None = None) -> None:
        """Forget a user's verified logins (their password, groups or tenants changed); None: everyone's."""
        with self._lock:
            if user_id is None:
                self._everyone += 1
                self._items.clear()
                self._generations.clear()
                return
            self._generations[user_id] = self._generations.get(user_id, 0) + 1
            for key in [k for k in self._items if k[0] == user_id]:
                del self._items[key]

    def clear(self) -> None:
        """Forget everyone's logins."""
        self.revoke(None)
