"""External tasks: workers fetch and lock them (long polling), then complete them, report a failure or a
BPMN error, or extend, give up or take a lock; administrators set retries and priority.

Authorization, as Camunda checks it: fetching needs UPDATE on every process instance (a worker login is
given it, or is a process manager); reports on a task need UPDATE on its instance or UPDATE_INSTANCE on its
definition. The tenant check applies: a worker fetches and reports only its tenants' tasks.

Scope: Kuaibao has one variable scope per instance, so `localVariables` of complete and failure land in
process scope as well (after `variables`, so a local value wins a name clash).

An uncaught BPMN error: Camunda's default silently ends the execution, and its strict mode
(enableExceptionsAfterUnhandledBpmnError) answers 500, which makes the Python worker sleep 5 minutes.
Kuaibao answers 204 and raises a `failedExternalTask` incident instead: the task stays, out of
retries, with the error as its message; setting retries hands it to a worker again.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Callable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine.errors import UncaughtBpmnError
from ..models import ExternalTask, ProcessInstance, utcnow
from . import authz, gate, incidents, oplog, permissions
from . import typed_values as tv
from .context import Actor, Kuaibao
from .errors import EngineFailure, InvalidRequest, NotFound, ServiceError
from .external_fetch import FetchCommand, acquire
from .external_queries import ExternalTaskView
from .long_poll import WAKEUPS, recheck_seconds
from .persistence import EXTERNAL_CHANNEL, lock_instance, notify

ET = ExternalTask
MAX_ASYNC_RESPONSE_TIMEOUT = 1_800_000



class ExternalTaskMissing(NotFound):
    camunda_type = "RestException"


class Rejected(InvalidRequest):
    """Camunda's BadUserRequestException, which its external-task resource rethrows as a 400 RestException."""

    camunda_type = "RestException"


class NullValue(ServiceError):
    camunda_type = "NullValueException"


class InvalidArgument(ServiceError):
    camunda_type = "ProcessEngineException"


def _required(name: str, value) -> None:
    if value is None:
        raise NullValue(f"{name} is null")


OVERFLOW_WAIT_MS = 1000
_PARKED: dict[int, threading.BoundedSemaphore] = {}


def _parking(kb: Kuaibao) -> threading.BoundedSemaphore:
    """Per process: how many fetch-and-lock requests may wait at once (EXTERNAL_TASK_MAX_PARKED)."""
    return _PARKED.setdefault(id(kb), threading.BoundedSemaphore(kb.settings.external_task_max_parked))


def fetch_and_lock(kb: Kuaibao, actor: Actor, cmd: FetchCommand) -> list[ExternalTaskView]:
    """Lock tasks for a worker; with asyncResponseTimeout and nothing to do, wait for work until then. Workers
    need UPDATE on every process instance; they fetch the tasks of their tenants."""
    pol = authz.policy(kb, actor)
    if not pol.may_update_every_instance():
        raise authz.forbidden(actor, permissions.UPDATE, permissions.PROCESS_INSTANCE, "*")
    if not pol.bypass:
        cmd = replace(cmd, tenants=actor.tenants)
    timeout = cmd.async_response_timeout
    if timeout is not None and timeout > MAX_ASYNC_RESPONSE_TIMEOUT:
        raise InvalidRequest("The asynchronous response timeout cannot be set to a value greater than "
                             f"{MAX_ASYNC_RESPONSE_TIMEOUT} milliseconds")
    _required("workerId", cmd.worker_id)
    if cmd.max_tasks < 0:
        raise InvalidArgument("maxResults is not greater than or equal to 0")
    for topic in cmd.topics:
        _required("topicName", topic.topic_name)
        if topic.lock_duration is None or topic.lock_duration <= 0:
            raise InvalidArgument("lockTime is not greater than 0")
    if not timeout or timeout <= 0:
        return acquire(kb, cmd)[0]
    WAKEUPS.install(kb)
    parking = _parking(kb)
    if not parking.acquire(blocking=False):
        # Every parked poll holds a server thread: beyond the cap, wait only briefly so that long-polling
        # workers cannot take all threads from case workers (they poll again at once, a second later).
        timeout = min(timeout, OVERFLOW_WAIT_MS)
        return _poll(kb, cmd, timeout)
    try:
        return _poll(kb, cmd, timeout)
    finally:
        parking.release()


def _poll(kb: Kuaibao, cmd: FetchCommand, timeout: int) -> list[ExternalTaskView]:
    deadline = utcnow() + timedelta(milliseconds=timeout)
    while True:
        seen = WAKEUPS.generation()
        locked, next_expiry = acquire(kb, cmd)
        now = utcnow()
        if locked or now >= deadline:
            return locked
        wake_at = min(deadline, next_expiry or deadline, now + timedelta(seconds=recheck_seconds(kb)))
        WAKEUPS.wait(seen, max(0.0, (wake_at - now).total_seconds()))


def _locked(kb: Kuaibao, s: Session, task_id: str) -> tuple[ExternalTask, ProcessInstance]:
    """The task and its instance, row-locked instance first (as every writer does), so reports queue."""
    instance_id = s.scalar(select(ET.process_instance_id).where(ET.id == task_id))
    instance = lock_instance(s, instance_id, kb.store.is_postgres) if instance_id else None
    stmt = select(ET).where(ET.id == task_id).execution_options(populate_existing=True)
    task = s.scalar(stmt.with_for_update() if kb.store.is_postgres else stmt) if instance else None
    if task is None:
        raise ExternalTaskMissing(f"External task with id {task_id} does not exist")
    return task, instance


def _check_worker(task: ExternalTask, worker_id: str, refused: str) -> None:
    """Only the worker holding the task may report on it (Camunda checks the id, not the lock's expiry)."""
    if task.worker_id != worker_id:
        raise Rejected(f"{refused} by worker '{worker_id}'. It is locked by worker '{task.worker_id}'.")


def _command(kb: Kuaibao, actor: Actor, task_id: str, work: Callable[[Session, ExternalTask, ProcessInstance], None]
             ) -> None:
    """Run a report on a task (UPDATE on its instance, or UPDATE_INSTANCE on its definition)."""
    def checked(s: Session) -> None:
        task, instance = _locked(kb, s, task_id)
        pol = authz.policy(kb, actor, s)
        if not pol.reads_instance(s, instance.id):
            raise ExternalTaskMissing(f"External task with id {task_id} does not exist")
        if not pol.may_update_instance(instance):
            raise authz.forbidden(actor, permissions.UPDATE, permissions.PROCESS_INSTANCE, instance.id)
        work(s, task, instance)
    kb.command(checked)


def complete(kb: Kuaibao, actor: Actor, task_id: str, worker_id: str | None,
             variables: Mapping[str, tv.TypedValue], local_variables: Mapping[str, tv.TypedValue]) -> None:
    """The worker is done: its variables go to the process and the instance runs on, in one transaction."""
    _required("workerId", worker_id)
    declared = {**variables, **local_variables}
    values = {n: v.value for n, v in declared.items()}

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        _check_worker(task, worker_id, f"External Task {task_id} cannot be completed")
        gate.run(kb, s, instance,
                 lambda bundle, state, ctx: kb.engine.complete_external(bundle, state, task_id, values, ctx),
                 f"Cannot complete external task {task_id}", declared)
    _command(kb, actor, task_id, work)


def failure(kb: Kuaibao, actor: Actor, task_id: str, worker_id: str | None, error_message: str | None,
            error_details: str | None, retries: int | None, retry_timeout: int | None,
            variables: Mapping[str, tv.TypedValue] | None = None,
            local_variables: Mapping[str, tv.TypedValue] | None = None) -> None:
    """Record a failure: retries as the worker counts them, hidden for retry_timeout ms; none left, an incident."""
    _required("workerId", worker_id)
    retries = 0 if retries is None else retries  # Camunda's DTO field is a primitive int
    if retries < 0:
        raise InvalidArgument("retries is not greater than or equal to 0")
    if (retry_timeout or 0) < 0:
        raise InvalidArgument("retryDuration is not greater than or equal to 0")
    declared = {**(variables or {}), **(local_variables or {})}

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        _check_worker(task, worker_id, f"Failure of External Task {task_id} cannot be reported")
        if declared:
            _set_variables(kb, s, instance, declared, f"Cannot report the failure of external task {task_id}")
        s.execute(update(ET).where(ET.id == task_id).values(
            retries=retries, error_message=error_message, error_details=error_details,
            lock_expiration=utcnow() + timedelta(milliseconds=retry_timeout or 0)))
        _manage_incident(s, task, retries, error_message)
        if retries > 0 and not retry_timeout:
            notify(s, EXTERNAL_CHANNEL)
    _command(kb, actor, task_id, work)


def _set_variables(kb: Kuaibao, s: Session, instance: ProcessInstance, declared: Mapping[str, tv.TypedValue],
                   failure_message: str) -> None:
    values = {n: v.value for n, v in declared.items()}
    gate.run(kb, s, instance,
             lambda bundle, state, ctx: kb.engine.set_variables(bundle, state, values, (), ctx),
             failure_message, declared)


def _manage_incident(s: Session, task: ExternalTask, retries: int, message: str | None) -> None:
    if retries > 0:
        incidents.resolve_for_external_task(s, task.id)
    else:
        incidents.raise_for_external_task(s, task, message)


def bpmn_error(kb: Kuaibao, actor: Actor, task_id: str, worker_id: str | None, error_code: str | None,
               error_message: str | None, variables: Mapping[str, tv.TypedValue]) -> None:
    """A business error: the error boundary event catching the code takes over; uncaught, an incident."""
    _required("workerId", worker_id)
    _required("errorCode", error_code)
    values = {n: v.value for n, v in variables.items()}

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        _check_worker(task, worker_id, f"Bpmn error of External Task {task_id} cannot be reported")
        try:
            gate.run(kb, s, instance,
                     lambda bundle, state, ctx: kb.engine.throw_bpmn_error(bundle, state, task_id, error_code,
                                                                           error_message, values, ctx),
                     f"Cannot report BPMN error '{error_code}' for external task {task_id}", variables)
        except EngineFailure as e:
            cause = e.__cause__
            if not isinstance(cause, UncaughtBpmnError):
                raise
            message = f"Unhandled BPMN error '{error_code}'" + (f" ({error_message})" if error_message else "") + \
                f": {cause}"
            s.execute(update(ET).where(ET.id == task_id).values(retries=0, error_message=message,
                                                                error_details=None, lock_expiration=utcnow()))
            incidents.raise_for_external_task(s, task, message)
    _command(kb, actor, task_id, work)


def extend_lock(kb: Kuaibao, actor: Actor, task_id: str, worker_id: str | None, new_duration: int | None) -> None:
    """More time for the worker holding an unexpired lock."""
    _required("workerId", worker_id)
    if new_duration is None or new_duration <= 0:
        raise Rejected("Cannot extend a lock. New lock duration must be greater than 0.")

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        _check_worker(task, worker_id, f"The lock of the External Task {task_id} cannot be extended")
        now = utcnow()
        if task.lock_expiration is None or task.lock_expiration < now:
            raise Rejected("Cannot extend a lock that expired")
        s.execute(update(ET).where(ET.id == task_id).values(lock_expiration=now + timedelta(milliseconds=new_duration)))
    _command(kb, actor, task_id, work)


def unlock(kb: Kuaibao, actor: Actor, task_id: str) -> None:
    """Give the task back to all workers at once (parked long polls wake up)."""
    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        s.execute(update(ET).where(ET.id == task_id).values(worker_id=None, lock_expiration=None))
        notify(s, EXTERNAL_CHANNEL)
    _command(kb, actor, task_id, work)


def lock(kb: Kuaibao, actor: Actor, task_id: str, worker_id: str | None, lock_duration: int | None) -> None:
    """Lock one known task (Camunda 7.15+): refused while another worker's lock holds."""
    _required("workerId", worker_id)
    if lock_duration is None or lock_duration <= 0:
        raise Rejected("lockDuration is not greater than 0")

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        now = utcnow()
        if task.worker_id not in (None, worker_id) and task.lock_expiration is not None \
                and task.lock_expiration >= now:
            _check_worker(task, worker_id, f"External Task {task_id} cannot be locked")
        s.execute(update(ET).where(ET.id == task_id).values(
            worker_id=worker_id, lock_expiration=now + timedelta(milliseconds=lock_duration)))
    _command(kb, actor, task_id, work)


def set_retries(kb: Kuaibao, actor: Actor, task_id: str, retries: int | None) -> None:
    """Retries > 0 resolve the task's incident and hand it to workers again; 0 raises one."""
    if retries is None or retries < 0:
        raise Rejected("The number of retries cannot be negative")

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        s.execute(update(ET).where(ET.id == task_id).values(retries=retries))
        oplog.write(s, actor, "SetExternalTaskRetries", "ExternalTask", oplog.OPERATOR,
                    [("retries", task.retries, retries)], instance, external_task_id=task_id)
        if retries > 0:
            incidents.resolve_for_external_task(s, task_id)
            notify(s, EXTERNAL_CHANNEL)
        elif task.retries is None or task.retries > 0:
            incidents.raise_for_external_task(s, task, task.error_message)
    _command(kb, actor, task_id, work)


def set_priority(kb: Kuaibao, actor: Actor, task_id: str, priority: int | None) -> None:
    """Workers fetching with usePriority take higher priorities first."""
    if priority is None:
        raise Rejected("priority is null")

    def work(s: Session, task: ExternalTask, instance: ProcessInstance) -> None:
        s.execute(update(ET).where(ET.id == task_id).values(priority=priority))
        oplog.write(s, actor, "SetPriority", "ExternalTask", oplog.OPERATOR, [("priority", task.priority, priority)],
                    instance, external_task_id=task_id)
    _command(kb, actor, task_id, work)
