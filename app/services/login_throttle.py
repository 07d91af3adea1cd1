"""Failed-login throttling: past a number of failures within a window, per user name and per client address,
password checks are refused (HTTP 429 with Retry-After) until the oldest failure leaves the window."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from .errors import TooManyAttempts


class LoginThrottle:
    """Failures in memory, per process (N workers allow up to N times the limits); success forgives a name."""

    MAX_KEYS = 50_000

    def __init__(self, per_user: int = 5, per_address: int = 30, window_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.per_user, self.per_address, self.window = per_user, per_address, window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, user_id: str, address: str | None) -> None:
        """Raise TooManyAttempts if a password check for this user name from this address must wait."""
        with self._lock:
            now = self._clock()
            wait = max(self._wait(("user", user_id), self.per_user, now),
                       self._wait(("address", address or "-"), self.per_address, now))
        if wait > 0:
            raise TooManyAttempts(max(1, math.ceil(wait)))

    def failed(self, user_id: str, address: str | None) -> None:
        """Count a failed password check against the user name and the address."""
        with self._lock:
            now = self._clock()
            if len(self._failures) >= self.MAX_KEYS:
                self._sweep(now)
            for key in (("user", user_id), ("address", address or "-")):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, user_id: str) -> None:
        """Forgive the user name's failures (not the address's: an attacker could log in as themselves)."""
        with self._lock:
            self._failures.pop(("user", user_id), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0.0
        return times[-limit] + self.window - now if len(times) >= limit else 0.0

    def _sweep(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]
        if len(self._failures) >= self.MAX_KEYS:  # a spray of distinct names: keep the addresses' counts
            for key in [k for k in self._failures if k[0] == "user"]:
                del self._failures[key]
