"""Work the queue: query, claim, unclaim, assign, complete; task form and variables."""
from __future__ import annotations

import json
from typing import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..engine.errors import TaskNotActive
from ..models import Task, TaskCandidate, utcnow
from . import authz, forms, gate, history_writer, oplog, permissions
from . import typed_values as tv
from .context import Actor, Kuaibao
from .definitions import form_field_values
from .errors import EngineFailure, NotFound, TaskAlreadyClaimed
from .persistence import load_variables, lock_instance
from .task_queries import TaskQuery, count_statement, list_statement
from .variables import change_variables


class TaskMissing(NotFound):
    """No open task with this id (Camunda reports this differently per endpoint)."""


def list_tasks(kb: Kuaibao, actor: Actor, q: TaskQuery) -> list[Task]:
    return kb.read(lambda s: list(s.scalars(list_statement(q, authz.policy(kb, actor, s).task_filter()))))


def count_tasks(kb: Kuaibao, actor: Actor, q: TaskQuery) -> int:
    return kb.read(lambda s: s.scalar(count_statement(q, authz.policy(kb, actor, s).task_filter())))


def visible_task(kb: Kuaibao, s: Session, actor: Actor, task_id: str) -> Task:
    """The open task, if the actor may read it; otherwise TaskMissing, as if it did not exist (Camunda's task
    query does not reveal what the caller may not see)."""
    stmt = select(Task).where(Task.id == task_id)
    visible = authz.policy(kb, actor, s).task_filter()
    task = s.scalar(stmt.where(visible) if visible is not None else stmt)
    if task is None:
        raise TaskMissing(f"No matching task with id {task_id}")
    return task


def workable_task(kb: Kuaibao, s: Session, actor: Actor, task_id: str) -> Task:
    """The open task, if the actor may work on it (claim, complete, change its variables); Forbidden otherwise,
    as Camunda's TASK_WORK check answers commands."""
    task = s.scalar(select(Task).where(Task.id == task_id))
    if task is None:
        raise TaskMissing(f"No matching task with id {task_id}")
    work = authz.policy(kb, actor, s).task_work_filter()
    if work is not None and s.scalar(select(Task.id).where(Task.id == task_id, work)) is None:
        raise authz.forbidden(actor, permissions.TASK_WORK, permissions.TASK, task_id)
    return task


def get_task(kb: Kuaibao, actor: Actor, task_id: str) -> Task:
    """An open task the actor may see (an invisible task is reported missing, as Camunda's query does)."""
    return kb.read(lambda s: visible_task(kb, s, actor, task_id))


def candidates(kb: Kuaibao, actor: Actor, task_id: str) -> list[TaskCandidate]:
    def work(s: Session):
        visible_task(kb, s, actor, task_id)
        return list(s.scalars(select(TaskCandidate).where(TaskCandidate.task_id == task_id)))
    return kb.read(work)


def claim(kb: Kuaibao, actor: Actor, task_id: str, user_id: str | None) -> None:
    """One conditional UPDATE: of many racing claimants exactly one wins. Claiming for someone else needs
    TASK_ASSIGN."""
    if user_id is None:
        return set_assignee(kb, actor, task_id, None)

    def work(s: Session) -> None:
        pol = authz.policy(kb, actor, s)
        stmt = update(Task).where(Task.id == task_id, or_(Task.assignee.is_(None), Task.assignee == user_id))
        if pol.bypass:
            pass
        elif user_id != actor.user_id:
            task = visible_task(kb, s, actor, task_id)
            if not pol.may_assign(task):
                raise authz.forbidden(actor, permissions.TASK_ASSIGN, permissions.TASK, task_id)
        else:
            stmt = stmt.where(pol.task_work_filter())
        claimed = s.execute(stmt.values(assignee=user_id, last_updated=utcnow()).returning(*_LOGGED)).first()
        if claimed is not None:
            history_writer.record_assignee(s, task_id, user_id)
            _log(s, actor, "Claim", task_id, [("assignee", None, user_id)], claimed)
            return
        task = workable_task(kb, s, actor, task_id)
        raise TaskAlreadyClaimed(f"Task '{task.id}' is already claimed by someone else.")

    kb.command(work)


def set_assignee(kb: Kuaibao, actor: Actor, task_id: str, user_id: str | None) -> None:
    """Assign or unassign. Taking a free task or giving back one's own is TASK_WORK; anything else (assigning
    someone else, taking a task from its assignee) is TASK_ASSIGN."""
    def work(s: Session) -> None:
        task = workable_task(kb, s, actor, task_id) if user_id in (None, actor.user_id) \
            else visible_task(kb, s, actor, task_id)
        own = user_id in (None, actor.user_id) and task.assignee in (None, actor.user_id)
        if not own and not authz.policy(kb, actor, s).may_assign(task):
            raise authz.forbidden(actor, permissions.TASK_ASSIGN, permissions.TASK, task_id)
        s.execute(update(Task).where(Task.id == task_id).values(assignee=user_id, last_updated=utcnow()))
        history_writer.record_assignee(s, task_id, user_id)
        _log(s, actor, "Assign" if user_id else "Claim", task_id, [("assignee", task.assignee, user_id)],
             (task.process_instance_id, task.process_definition_id, task.process_definition_key, task.tenant_id))

    kb.command(work)


def complete(kb: Kuaibao, actor: Actor, task_id: str, variables: Mapping[str, tv.TypedValue],
             with_variables_in_return: bool = False) -> dict[str, tv.TypedValue] | None:
    """Complete a task with variables and run the instance on, all in one transaction."""
    def work(s: Session):
        task = workable_task(kb, s, actor, task_id)
        if task.form_fields:
            fields = json.loads(task.form_fields)
            missing = [f["id"] for f in fields if f["id"] not in variables
                       and any(c["name"] == "required" for c in f.get("validation") or [])]
            existing = load_variables(s, task.process_instance_id, missing) if missing else {}
            forms.validate(fields, variables, existing, task.name or task.task_definition_key)
        instance = lock_instance(s, task.process_instance_id, kb.store.is_postgres)
        values = {n: v.value for n, v in variables.items()}
        try:
            gate.run(kb, s, instance,
                     lambda bundle, state, ctx: kb.engine.complete_user_task(bundle, state, task_id, values, ctx),
                     f"Cannot complete task {task_id}", variables)
        except EngineFailure as e:
            if isinstance(e.__cause__, TaskNotActive):
                raise TaskMissing(f"Cannot find task with id {task_id}: {e.__cause__}") from e
            raise
        oplog.write(s, actor, "Complete", "Task", oplog.TASK_WORKER,
                    [("delete", None, True), *oplog.variable_changes(dict(variables))], instance, task_id=task_id)
        return load_variables(s, instance.id) if with_variables_in_return else None

    return kb.command(work)


def form_variables(kb: Kuaibao, actor: Actor, task_id: str, names: list[str] | None = None
                   ) -> dict[str, tv.TypedValue]:
    """Form fields (current value, else default) plus every variable the task can see."""
    def work(s: Session):
        task = visible_task(kb, s, actor, task_id)
        variables = load_variables(s, task.process_instance_id)
        fields = json.loads(task.form_fields) if task.form_fields else []
        result = dict(variables)
        for name, default in form_field_values(fields).items():
            result[name] = variables.get(name, default)
        return {n: v for n, v in result.items() if not names or n in names}
    return kb.read(work)


def task_variables(kb: Kuaibao, actor: Actor, task_id: str, names: list[str] | None = None
                   ) -> dict[str, tv.TypedValue]:
    """Variables visible from the task: its process instance's."""
    def work(s: Session):
        task = visible_task(kb, s, actor, task_id)
        return load_variables(s, task.process_instance_id, names)
    return kb.read(work)


def modify_task_variables(kb: Kuaibao, actor: Actor, task_id: str, modifications: Mapping[str, tv.TypedValue],
                          deletions: list[str] | tuple[str, ...] = ()) -> None:
    """Task variables live in the process scope, as in Camunda without local variables."""
    instance_id = kb.read(lambda s: workable_task(kb, s, actor, task_id).process_instance_id)
    change_variables(kb, actor, instance_id, modifications, deletions, task_id=task_id)


_LOGGED = (Task.process_instance_id, Task.process_definition_id, Task.process_definition_key, Task.tenant_id)


def _log(s: Session, actor: Actor, operation: str, task_id: str, changes, task_columns) -> None:
    """An operation on a task, from the task's own columns (_LOGGED); its instance is not loaded."""
    instance_id, definition_id, definition_key, tenant_id = task_columns
    oplog.write(s, actor, operation, "Task", oplog.TASK_WORKER, changes, task_id=task_id,
                process_instance_id=instance_id, process_definition_id=definition_id,
                process_definition_key=definition_key, tenant_id=tenant_id)
