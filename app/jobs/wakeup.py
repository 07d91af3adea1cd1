"""Sleep until there is work: the next due job, a commit in this process, or a NOTIFY from another."""
from __future__ import annotations

import threading

from ..models import utcnow
from ..services.persistence import JOBS_CHANNEL


def wait_for_work(executor, wake: threading.Event, stop: threading.Event, idle_seconds: float) -> None:
    """Block until work may be due; never longer than `idle_seconds` (a safety net, not a poll)."""
    due = executor.next_due()
    timeout = idle_seconds if due is None else max(0.0, min(idle_seconds, (due - utcnow()).total_seconds()))
    if timeout <= 0:
        return
    if executor.kb.store.is_postgres:
        _listen(executor, wake, stop, timeout)
    else:
        wake.wait(timeout)
    wake.clear()


def _listen(executor, wake: threading.Event, stop: threading.Event, timeout: float) -> None:
    """LISTEN on PostgreSQL for jobs committed by other processes, while also honouring in-process wake-ups."""
    import psycopg

    url = executor.kb.store.engine.url.set(drivername="postgresql")
    options = dict(url.query)
    conninfo = url._replace(query={}).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, options=options.get("options", "")) as conn:
        conn.execute(f"LISTEN {JOBS_CHANNEL}")
        deadline = utcnow().timestamp() + timeout
        while not stop.is_set() and not wake.is_set():
            remaining = deadline - utcnow().timestamp()
            if remaining <= 0:
                return
            for _ in conn.notifies(timeout=min(remaining, 0.25), stop_after=1):
                return
