"""Running one job, and recording its failure: the service side of the job executor."""
from __future__ import annotations

import json
import traceback
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..models import ASYNC, HANDLER, TIMER, TIMER_START, Incident, Job, ProcessDefinition, new_id, utcnow
from . import gate
from .context import Kuaibao
from .deployments import schedule_timer_start
from .persistence import lock_instance
from .retries import retry_delay


def run_job(kb: Kuaibao, s: Session, job: Job) -> None:
    """Do what the job stands for, in the caller's transaction, and remove it."""
    if job.type == TIMER_START:
        _start_by_timer(kb, s, job)
        return
    instance = lock_instance(s, job.process_instance_id, kb.store.is_postgres) if job.process_instance_id else None
    if instance is None or instance.state != "ACTIVE":
        s.execute(delete(Job).where(Job.id == job.id))
        return
    if job.type == TIMER:
        step = lambda bundle, state, ctx: kb.engine.fire_timers(bundle, state, ctx)  # noqa: E731
    elif job.type == HANDLER:
        step = lambda bundle, state, ctx: kb.engine.run_handler(bundle, state, job.task_id, ctx, job.id)  # noqa: E731
    elif job.type == ASYNC:
        step = lambda bundle, state, ctx: kb.engine.run_async(bundle, state, job.task_id, ctx)  # noqa: E731
    else:
        raise ValueError(f"unknown job type {job.type!r}")
    gate.run(kb, s, instance, step, f"Job {job.id} ({job.type} at '{job.activity_id}') failed")
    s.execute(delete(Job).where(Job.id == job.id))


def record_failure(s: Session, job_id: str, error: BaseException, default_delay: float) -> None:
    """One try less; the error and its trace on the job; out of tries, a failedJob incident."""
    job = s.get(Job, job_id)
    if job is None:
        return
    retries = max(0, job.retries - 1)
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    s.execute(update(Job).where(Job.id == job_id).values(
        retries=retries, exception_message=str(error)[:4000], exception_stacktrace=trace[-60000:],
        lock_owner=None, lock_expiration=None,
        due=utcnow() + timedelta(seconds=retry_delay(job.retry_cycle, default_delay))))
    if retries == 0:
        s.add(Incident(id=new_id(), incident_type="failedJob", process_instance_id=job.process_instance_id,
                       process_definition_id=job.process_definition_id, activity_id=job.activity_id,
                       configuration=job.id, message=str(error)[:4000], tenant_id=job.tenant_id))




def _start_by_timer(kb: Kuaibao, s: Session, job: Job) -> None:
    """Start the process of a timer start event, then plan its next start if the timer is a cycle."""
    definition = s.get(ProcessDefinition, job.process_definition_id)
    s.execute(delete(Job).where(Job.id == job.id))
    if definition is None or definition.suspended:
        return
    gate.start_instance(kb, s, definition, None, {}, None, past_start_timer=True)
    timer = json.loads(job.configuration or "{}")
    if timer.get("kind") == "timeCycle" and timer.get("repetitions_left") not in (0, None):
        schedule_timer_start(s, definition, timer, timer["repetitions_left"])
