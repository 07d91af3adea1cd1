"""Work the queue: query, claim, unclaim, assign, complete; task form and variables."""
from __future__ import annotations

import json
from typing import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..engine.errors import TaskNotActive
from ..models import Task, TaskCandidate, utcnow
from . import forms, gate
from . import typed_values as tv
from .context import Actor, Kuaibao
from .definitions import form_field_values
from .errors import EngineFailure, Forbidden, NotFound, TaskAlreadyClaimed
from .persistence import load_variables, lock_instance
from .task_queries import TaskQuery, count_statement, list_statement, visible_to
from .variables import change_variables


class TaskMissing(NotFound):
    """No open task with this id (Camunda reports this differently per endpoint)."""


def list_tasks(kb: Kuaibao, actor: Actor, q: TaskQuery) -> list[Task]:
    return kb.read(lambda s: list(s.scalars(list_statement(q, actor))))


def count_tasks(kb: Kuaibao, actor: Actor, q: TaskQuery) -> int:
    return kb.read(lambda s: s.scalar(count_statement(q, actor)))


def _visible_task(s: Session, actor: Actor, task_id: str) -> Task:
    stmt = select(Task).where(Task.id == task_id)
    visible = visible_to(actor)
    task = s.scalar(stmt.where(visible) if visible is not None else stmt)
    if task is None:
        if visible is not None and s.scalar(select(Task.id).where(Task.id == task_id)):
            raise Forbidden(f"The user with id '{actor.user_id}' does not have 'TASK_WORK' permission on "
                            f"resource '{task_id}' of type 'Task'.", actor.user_id)
        raise TaskMissing(f"No matching task with id {task_id}")
    return task


def get_task(kb: Kuaibao, actor: Actor, task_id: str) -> Task:
    """An open task the actor may see (an invisible task is reported missing, as Camunda's query does)."""
    stmt = select(Task).where(Task.id == task_id)
    visible = visible_to(actor)
    task = kb.read(lambda s: s.scalar(stmt.where(visible) if visible is not None else stmt))
    if task is None:
        raise TaskMissing(f"No matching task with id {task_id}")
    return task


def candidates(kb: Kuaibao, actor: Actor, task_id: str) -> list[TaskCandidate]:
    def work(s: Session):
        _visible_task(s, actor, task_id)
        return list(s.scalars(select(TaskCandidate).where(TaskCandidate.task_id == task_id)))
    return kb.read(work)


def claim(kb: Kuaibao, actor: Actor, task_id: str, user_id: str | None) -> None:
    """One conditional UPDATE: of many racing claimants exactly one wins."""
    if user_id is None:
        return set_assignee(kb, actor, task_id, None)
    if not actor.is_admin and user_id != actor.user_id:
        raise Forbidden(f"The user with id '{actor.user_id}' may only claim tasks for themselves", actor.user_id)

    def work(s: Session) -> None:
        stmt = update(Task).where(Task.id == task_id, or_(Task.assignee.is_(None), Task.assignee == user_id))
        visible = visible_to(actor)
        if visible is not None:
            stmt = stmt.where(visible)
        if s.execute(stmt.values(assignee=user_id, last_updated=utcnow())).rowcount == 1:
            return
        task = _visible_task(s, actor, task_id)
        raise TaskAlreadyClaimed(f"Task '{task.id}' is already claimed by someone else.")

    kb.command(work)


def set_assignee(kb: Kuaibao, actor: Actor, task_id: str, user_id: str | None) -> None:
    """Assign or unassign; a non-administrator may only take a free task or give back their own."""
    def work(s: Session) -> None:
        task = _visible_task(s, actor, task_id)
        if not actor.is_admin:
            allowed = (user_id == actor.user_id and task.assignee in (None, actor.user_id)) or (
                user_id is None and task.assignee in (None, actor.user_id))
            if not allowed:
                raise Forbidden(f"The user with id '{actor.user_id}' does not have 'TASK_ASSIGN' permission on "
                                f"resource '{task_id}' of type 'Task'.", actor.user_id)
        s.execute(update(Task).where(Task.id == task_id).values(assignee=user_id, last_updated=utcnow()))

    kb.command(work)


def complete(kb: Kuaibao, actor: Actor, task_id: str, variables: Mapping[str, tv.TypedValue],
             with_variables_in_return: bool = False) -> dict[str, tv.TypedValue] | None:
    """Complete a task with variables and run the instance on, all in one transaction."""
    def work(s: Session):
        task = _visible_task(s, actor, task_id)
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
        return load_variables(s, instance.id) if with_variables_in_return else None

    return kb.command(work)


def form_variables(kb: Kuaibao, actor: Actor, task_id: str, names: list[str] | None = None
                   ) -> dict[str, tv.TypedValue]:
    """Form fields (current value, else default) plus every variable the task can see."""
    def work(s: Session):
        task = _visible_task(s, actor, task_id)
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
        task = _visible_task(s, actor, task_id)
        return load_variables(s, task.process_instance_id, names)
    return kb.read(work)


def modify_task_variables(kb: Kuaibao, actor: Actor, task_id: str, modifications: Mapping[str, tv.TypedValue],
                          deletions: list[str] | tuple[str, ...] = ()) -> None:
    """Task variables live in the process scope, as in Camunda without local variables."""
    instance_id = kb.read(lambda s: _visible_task(s, actor, task_id).process_instance_id)
    change_variables(kb, instance_id, modifications, deletions)
