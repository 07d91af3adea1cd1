"""Work-queue queries over the task table: indexed SQL, never a workflow load."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from ..models import Membership, ProcessInstance, Task, TaskCandidate
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class TaskQuery:
    """Camunda's task query criteria (the subset Kuaibao answers), in snake case."""

    task_id: str | None = None
    task_id_in: list[str] | None = None
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_instance_business_key: str | None = None
    process_instance_business_key_in: list[str] | None = None
    process_instance_business_key_like: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    execution_id: str | None = None
    assignee: str | None = None
    assignee_like: str | None = None
    assignee_in: list[str] | None = None
    assignee_not_in: list[str] | None = None
    owner: str | None = None
    candidate_group: str | None = None
    candidate_group_like: str | None = None
    candidate_groups: list[str] | None = None
    candidate_user: str | None = None
    include_assigned_tasks: bool = False
    involved_user: str | None = None
    assigned: bool = False
    unassigned: bool = False
    task_definition_key: str | None = None
    task_definition_key_in: list[str] | None = None
    task_definition_key_like: str | None = None
    name: str | None = None
    name_not_equal: str | None = None
    name_like: str | None = None
    name_not_like: str | None = None
    description: str | None = None
    description_like: str | None = None
    priority: int | None = None
    min_priority: int | None = None
    max_priority: int | None = None
    due_date: datetime | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    without_due_date: bool = False
    follow_up_date: datetime | None = None
    follow_up_before: datetime | None = None
    follow_up_after: datetime | None = None
    follow_up_before_or_not_existent: datetime | None = None
    created_on: datetime | None = None
    created_before: datetime | None = None
    created_after: datetime | None = None
    updated_after: datetime | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    with_candidate_groups: bool = False
    without_candidate_groups: bool = False
    with_candidate_users: bool = False
    without_candidate_users: bool = False
    active: bool = False
    suspended: bool = False
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {
    "instanceId": Task.process_instance_id, "processInstanceId": Task.process_instance_id,
    "caseInstanceId": Task.id, "caseExecutionId": Task.id,
    "dueDate": Task.due, "followUpDate": Task.follow_up, "executionId": Task.process_instance_id,
    "assignee": Task.assignee, "created": Task.created, "lastUpdated": Task.last_updated,
    "description": Task.description, "id": Task.id, "name": Task.name, "nameCaseInsensitive": func.lower(Task.name),
    "priority": Task.priority, "tenantId": Task.tenant_id,
}


def _candidate(condition):
    return exists().where(TaskCandidate.task_id == Task.id, condition)


def filtered(q: TaskQuery, visible, columns=(Task,)):
    """The tasks matching `q` among the `visible` ones (a condition from the caller's policy; None: all)."""
    stmt = select(*columns)
    if visible is not None:
        stmt = stmt.where(visible)
    eq = ((q.task_id, Task.id), (q.process_instance_id, Task.process_instance_id),
          (q.process_definition_id, Task.process_definition_id), (q.process_definition_key, Task.process_definition_key),
          (q.execution_id, Task.process_instance_id), (q.assignee, Task.assignee), (q.owner, Task.owner),
          (q.task_definition_key, Task.task_definition_key), (q.name, Task.name), (q.description, Task.description),
          (q.priority, Task.priority), (q.due_date, Task.due), (q.follow_up_date, Task.follow_up))
    for value, column in eq:
        if value is not None:
            stmt = stmt.where(column == value)
    likes = ((q.assignee_like, Task.assignee), (q.task_definition_key_like, Task.task_definition_key),
             (q.name_like, Task.name), (q.description_like, Task.description))
    for value, column in likes:
        if value is not None:
            stmt = stmt.where(column.like(value))
    ins = ((q.task_id_in, Task.id), (q.process_instance_id_in, Task.process_instance_id),
           (q.process_definition_key_in, Task.process_definition_key), (q.assignee_in, Task.assignee),
           (q.task_definition_key_in, Task.task_definition_key), (q.tenant_id_in, Task.tenant_id))
    for value, column in ins:
        if value:
            stmt = stmt.where(column.in_(value))
    if q.assignee_not_in:
        stmt = stmt.where(or_(Task.assignee.is_(None), Task.assignee.not_in(q.assignee_not_in)))
    if q.name_not_equal is not None:
        stmt = stmt.where(Task.name != q.name_not_equal)
    if q.name_not_like is not None:
        stmt = stmt.where(~Task.name.like(q.name_not_like))
    if q.min_priority is not None:
        stmt = stmt.where(Task.priority >= q.min_priority)
    if q.max_priority is not None:
        stmt = stmt.where(Task.priority <= q.max_priority)
    for value, column, op in ((q.due_before, Task.due, "lt"), (q.due_after, Task.due, "gt"),
                              (q.follow_up_before, Task.follow_up, "lt"), (q.follow_up_after, Task.follow_up, "gt"),
                              (q.created_before, Task.created, "lt"), (q.created_after, Task.created, "gt"),
                              (q.updated_after, Task.last_updated, "gt")):
        if value is not None:
            stmt = stmt.where(column < value if op == "lt" else column > value)
    if q.created_on is not None:
        stmt = stmt.where(Task.created == q.created_on)
    if q.follow_up_before_or_not_existent is not None:
        stmt = stmt.where(or_(Task.follow_up.is_(None), Task.follow_up < q.follow_up_before_or_not_existent))
    if q.without_due_date:
        stmt = stmt.where(Task.due.is_(None))
    if q.assigned:
        stmt = stmt.where(Task.assignee.is_not(None))
    if q.unassigned:
        stmt = stmt.where(Task.assignee.is_(None))
    if q.without_tenant_id:
        stmt = stmt.where(Task.tenant_id.is_(None))
    if q.suspended:
        stmt = stmt.where(False)
    stmt = _candidates(stmt, q)
    keys = q.process_instance_business_key_in or ([q.process_instance_business_key]
                                                   if q.process_instance_business_key is not None else None)
    if keys or q.process_instance_business_key_like:
        pi = select(ProcessInstance.id)
        pi = pi.where(ProcessInstance.business_key.in_(keys)) if keys else pi
        if q.process_instance_business_key_like:
            pi = pi.where(ProcessInstance.business_key.like(q.process_instance_business_key_like))
        stmt = stmt.where(Task.process_instance_id.in_(pi))
    return stmt


def _candidates(stmt, q: TaskQuery):
    by_candidate = False
    if q.candidate_group is not None:
        stmt, by_candidate = stmt.where(_candidate(TaskCandidate.group_id == q.candidate_group)), True
    if q.candidate_group_like is not None:
        stmt, by_candidate = stmt.where(_candidate(TaskCandidate.group_id.like(q.candidate_group_like))), True
    if q.candidate_groups:
        stmt, by_candidate = stmt.where(_candidate(TaskCandidate.group_id.in_(q.candidate_groups))), True
    if q.candidate_user is not None:
        groups = select(Membership.group_id).where(Membership.user_id == q.candidate_user)
        stmt = stmt.where(_candidate(or_(TaskCandidate.user_id == q.candidate_user,
                                         TaskCandidate.group_id.in_(groups))))
        by_candidate = True
    if by_candidate and not q.include_assigned_tasks:
        stmt = stmt.where(Task.assignee.is_(None))
    if q.involved_user is not None:
        stmt = stmt.where(or_(Task.assignee == q.involved_user, Task.owner == q.involved_user,
                              _candidate(TaskCandidate.user_id == q.involved_user)))
    if q.with_candidate_groups:
        stmt = stmt.where(_candidate(TaskCandidate.group_id.is_not(None)))
    if q.without_candidate_groups:
        stmt = stmt.where(~_candidate(TaskCandidate.group_id.is_not(None)))
    if q.with_candidate_users:
        stmt = stmt.where(_candidate(TaskCandidate.user_id.is_not(None)))
    if q.without_candidate_users:
        stmt = stmt.where(~_candidate(TaskCandidate.user_id.is_not(None)))
    return stmt


def list_statement(q: TaskQuery, visible):
    return apply_page(apply_sorting(filtered(q, visible), q.sorting, SORT_COLUMNS, Task.id), q.page)


def count_statement(q: TaskQuery, visible):
    return select(func.count()).select_from(filtered(q, visible, (Task.id,)).subquery())


__all__ = ["TaskQuery", "list_statement", "count_statement"]
