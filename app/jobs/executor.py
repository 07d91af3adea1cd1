"""Acquire due jobs under an expiring lock, run each in its own transaction, retry, then raise an incident.

Acquisition uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers share one database
without blocking each other; a job whose worker died runs again once its lock expires. At most one job
per process instance runs at a time: acquisition skips instances with a job in flight, and running a
job takes the instance's row lock. SQLite runs a single executor.
The background executor also runs the history cleanup every HISTORY_CLEANUP_INTERVAL_SECONDS
(history_schedule.py).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..models import Job, utcnow
from ..services.context import Kuaibao
from ..services.job_runs import record_failure, run_job
from .history_schedule import CleanupSchedule

_OTHER_JOB = aliased(Job, name="other_job")  # a job of the same instance (made once: aliases cost)

log = logging.getLogger(__name__)


class JobExecutor:
    """Runs the jobs of one process (a server thread, a `kuaibao worker`, or a test calling run_due)."""

    def __init__(self, kb: Kuaibao, lock_seconds: float | None = None, batch: int = 10):
        self.kb = kb
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lock_seconds = lock_seconds if lock_seconds is not None else kb.settings.job_lock_seconds
        self.batch = batch

    # --- acquisition ------------------------------------------------------------------------------

    def acquire(self, limit: int | None = None) -> list[str]:
        """Lock up to `limit` due jobs for this executor; returns their ids."""
        now = utcnow()
        other = _OTHER_JOB
        in_flight = exists().where(other.process_instance_id == Job.process_instance_id, other.id != Job.id,
                                   other.lock_expiration.is_not(None), other.lock_expiration >= now)
        stmt = (select(Job.id).where(Job.due <= now, Job.retries > 0, Job.suspended.is_(False),
                                     or_(Job.lock_expiration.is_(None), Job.lock_expiration < now), ~in_flight)
                .order_by(Job.priority.desc(), Job.due).limit(limit or self.batch))
        if self.kb.store.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=Job)

        def work(s: Session) -> list[str]:
            ids = list(s.scalars(stmt))
            if ids:
                s.execute(update(Job).where(Job.id.in_(ids)).values(
                    lock_owner=self.owner, lock_expiration=now + timedelta(seconds=self.lock_seconds)))
            return ids

        return self.kb.command(work)

    def next_due(self) -> datetime | None:
        """When the earliest job that could run falls due (for sleeping until then)."""
        return self.kb.read(lambda s: s.scalar(select(Job.due).where(Job.retries > 0, Job.suspended.is_(False))
                                               .order_by(Job.due).limit(1)))

    # --- execution -------------------------------------------------------------------------------

    def execute(self, job_id: str) -> bool:
        """Run one acquired job; on failure record it (retries, then an incident). True if it succeeded."""
        try:
            self.kb.command(lambda s: self._run(s, job_id))
            return True
        except Exception as e:  # noqa: BLE001 - every failure is recorded on the job
            error = e
        log.info("job %s failed: %s", job_id, error)
        self.kb.command(lambda s: record_failure(s, job_id, error, self.kb.settings.job_retry_seconds))
        return False

    def _run(self, s: Session, job_id: str) -> None:
        job = s.get(Job, job_id)
        if job is None or (job.lock_owner not in (None, self.owner)):
            return  # done meanwhile (e.g. its timer was rescheduled), or another executor took it over
        run_job(self.kb, s, job)

    def run_due(self, max_jobs: int = 1000) -> int:
        """Run due jobs until none are left (or `max_jobs` ran); returns how many ran."""
        ran = 0
        while ran < max_jobs:
            ids = self.acquire()
            if not ids:
                return ran
            for job_id in ids:
                self.execute(job_id)
                ran += 1
        return ran


class BackgroundExecutor:
    """The executor in a daemon thread: sleeps until the next due job or until new work is committed."""

    def __init__(self, kb: Kuaibao, idle_seconds: float = 30.0):
        self.executor = JobExecutor(kb)
        self.idle_seconds = idle_seconds
        self.history = CleanupSchedule(kb)
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="kuaibao-jobs", daemon=True)

    def start(self) -> "BackgroundExecutor":
        from ..services.persistence import add_listener
        add_listener(lambda channel: self.wake.set())
        self.thread.start()
        return self

    def _loop(self) -> None:
        from .wakeup import wait_for_work
        while not self.stop.is_set():
            try:
                self.executor.run_due()
                self.history.run_if_due()
                wait_for_work(self.executor, self.wake, self.stop, self._idle_seconds())
            except Exception:  # noqa: BLE001 - keep the executor alive through a database hiccup
                log.exception("job executor loop")
                self.stop.wait(1.0)

    def _idle_seconds(self) -> float:
        """Sleep no longer than until the next history cleanup is due."""
        cleanup_in = self.history.seconds_left()
        return self.idle_seconds if cleanup_in is None else min(self.idle_seconds, cleanup_in)


