"""Park fetch-and-lock requests until external work may have appeared, instead of letting workers spin.

A parked request wakes when a commit in this process made or freed external tasks (the persistence
listeners), when another process did (PostgreSQL `NOTIFY kuaibao_external`, heard by ONE listening
connection per process and database, not one per parked request), or when its re-check interval
passes (expired locks and retry timeouts announce nothing). Camunda parks in the REST layer the same
way and re-checks every 30 s; we re-check more often because SQLite has no NOTIFY across processes.

Unlike Camunda's asynchronous servlet, a parked request holds a server thread until it answers, so
size `kuaibao serve --threads` for the workers that long-poll at the same time.
"""
from __future__ import annotations

import logging
import threading
import time

from .context import Kuaibao
from .persistence import EXTERNAL_CHANNEL, add_listener

log = logging.getLogger(__name__)
RECHECK_SECONDS = {"postgresql": 5.0, "sqlite": 1.0}
RECONNECT_SECONDS = 5.0


class Wakeups:
    """A generation counter under a condition: waiters sleep until it moves or their time is up."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._hooked = False
        self._listeners: dict[str, threading.Thread] = {}

    def generation(self) -> int:
        """Read before looking for work; a signal after this read ends the next wait at once."""
        with self._cond:
            return self._generation

    def signal(self) -> None:
        """New work may exist: wake every parked request."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """Sleep until a signal newer than `seen` or `timeout` seconds; True if signalled."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._generation == seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def install(self, kb: Kuaibao) -> None:
        """Hook this process's commits and, on PostgreSQL, start the database's listener (both once)."""
        with self._cond:
            if not self._hooked:
                add_listener(self._on_commit)
                self._hooked = True
            if not kb.store.is_postgres:
                return
            url = kb.store.engine.url.set(drivername="postgresql")
            key = url.render_as_string(hide_password=False)
            thread = self._listeners.get(key)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._listen, args=(url,), name="kuaibao-external-listen",
                                          daemon=True)
                self._listeners[key] = thread
                thread.start()

    def _on_commit(self, channel: str) -> None:
        if channel == EXTERNAL_CHANNEL:
            self.signal()

    def _listen(self, url) -> None:
        """LISTEN for external tasks committed by other processes; reconnect after any failure."""
        import psycopg

        options = dict(url.query).get("options", "")
        conninfo = url._replace(query={}).render_as_string(hide_password=False)
        while True:
            try:
                with psycopg.connect(conninfo, autocommit=True, options=options) as conn:
                    conn.execute(f"LISTEN {EXTERNAL_CHANNEL}")
                    self.signal()  # whatever was committed while nobody listened
                    for _ in conn.notifies():
                        self.signal()
            except Exception:  # noqa: BLE001 - a lost connection only delays wake-ups to the re-check
                log.warning("LISTEN %s failed; retrying in %.0f s", EXTERNAL_CHANNEL, RECONNECT_SECONDS,
                            exc_info=True)
            time.sleep(RECONNECT_SECONDS)


WAKEUPS = Wakeups()


def recheck_seconds(kb: Kuaibao) -> float:
    """The longest a parked request sleeps between looks at the table."""
    return RECHECK_SECONDS.get(kb.store.engine.dialect.name, 1.0)
