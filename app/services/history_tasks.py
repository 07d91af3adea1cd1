"""Historic user tasks: the history_activity rows of type userTask, open and finished, with who they were
offered to (task_candidate rows outlive the open task)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from ..models import HistoryActivity, ProcessDefinition, ProcessInstance, TaskCandidate
from . import authz
from .context import Actor, Kuaibao
from .history_common import (
    VariableFilter,
    millis,
    millis_between,
    nothing_if,
    removal_time,
    variable_matches,
    with_removal,
)
from .queries import Page, Sorting, apply_page, apply_sorting

HA, TC, PI = HistoryActivity, TaskCandidate, ProcessInstance
USER_TASK = "userTask"
_STATES = {"completed": "Completed", "deleted": "Deleted"}


@dataclass
class HistoricTaskQuery:
    """Camunda's historic task instance query criteria, in snake case. Task variables live in the process scope
    in Kuaibao, so `task_variables` filters the same variables as `process_variables`."""

    task_id: str | None = None
    task_parent_task_id: str | None = None
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_instance_business_key: str | None = None
    process_instance_business_key_in: list[str] | None = None
    process_instance_business_key_like: str | None = None
    execution_id: str | None = None
    activity_instance_id_in: list[str] | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_name: str | None = None
    task_name: str | None = None
    task_name_like: str | None = None
    task_description: str | None = None
    task_description_like: str | None = None
    task_definition_key: str | None = None
    task_definition_key_in: list[str] | None = None
    task_delete_reason: str | None = None
    task_delete_reason_like: str | None = None
    task_assignee: str | None = None
    task_assignee_like: str | None = None
    task_owner: str | None = None
    task_owner_like: str | None = None
    task_priority: int | None = None
    assigned: bool = False
    unassigned: bool = False
    finished: bool = False
    unfinished: bool = False
    process_finished: bool = False
    process_unfinished: bool = False
    task_due_date: datetime | None = None
    task_due_date_before: datetime | None = None
    task_due_date_after: datetime | None = None
    without_task_due_date: bool = False
    task_follow_up_date: datetime | None = None
    task_follow_up_date_before: datetime | None = None
    task_follow_up_date_after: datetime | None = None
    started_before: datetime | None = None
    started_after: datetime | None = None
    finished_before: datetime | None = None
    finished_after: datetime | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    task_variables: list[VariableFilter] | None = None
    process_variables: list[VariableFilter] | None = None
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    task_involved_user: str | None = None
    task_involved_group: str | None = None
    task_had_candidate_user: str | None = None
    task_had_candidate_group: str | None = None
    with_candidate_groups: bool = False
    without_candidate_groups: bool = False
    case_definition_id: str | None = None
    case_definition_key: str | None = None
    case_definition_name: str | None = None
    case_instance_id: str | None = None
    case_execution_id: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"taskId": HA.id, "activityInstanceId": HA.id, "processDefinitionId": HA.process_definition_id,
                "processInstanceId": HA.process_instance_id, "executionId": HA.process_instance_id,
                "duration": millis_between(HA.start_time, HA.end_time), "endTime": HA.end_time,
                "startTime": HA.start_time, "taskName": HA.activity_name, "taskDescription": HA.description,
                "assignee": HA.assignee, "owner": HA.owner, "dueDate": HA.due, "followUpDate": HA.follow_up,
                "deleteReason": HA.delete_reason, "taskDefinitionKey": HA.activity_id, "priority": HA.priority,
                "tenantId": HA.tenant_id}


def _candidate(*condition):
    return exists().where(TC.task_id == HA.id, *condition)


def _conditions(q: HistoricTaskQuery) -> list:
    equal = [(HA.id, q.task_id), (HA.process_instance_id, q.process_instance_id),
             (HA.process_instance_id, q.execution_id), (HA.process_definition_id, q.process_definition_id),
             (HA.process_definition_key, q.process_definition_key), (HA.activity_name, q.task_name),
             (HA.description, q.task_description), (HA.activity_id, q.task_definition_key),
             (HA.delete_reason, q.task_delete_reason), (HA.assignee, q.task_assignee), (HA.owner, q.task_owner),
             (HA.priority, q.task_priority), (HA.due, q.task_due_date), (HA.follow_up, q.task_follow_up_date)]
    where = [HA.activity_type == USER_TASK] + [column == value for column, value in equal if value is not None]
    likes = [(HA.activity_name, q.task_name_like), (HA.description, q.task_description_like),
             (HA.delete_reason, q.task_delete_reason_like), (HA.assignee, q.task_assignee_like),
             (HA.owner, q.task_owner_like)]
    where += [column.like(value) for column, value in likes if value is not None]
    within = [(HA.process_instance_id, q.process_instance_id_in), (HA.id, q.activity_instance_id_in),
              (HA.activity_id, q.task_definition_key_in), (HA.tenant_id, q.tenant_id_in)]
    where += [column.in_(values) for column, values in within if values]
    for value, condition in ((q.task_due_date_before, lambda d: HA.due < d),
                             (q.task_due_date_after, lambda d: HA.due > d),
                             (q.task_follow_up_date_before, lambda d: HA.follow_up < d),
                             (q.task_follow_up_date_after, lambda d: HA.follow_up > d),
                             (q.started_before, lambda d: HA.start_time <= d),
                             (q.started_after, lambda d: HA.start_time >= d),
                             (q.finished_before, lambda d: HA.end_time <= d),
                             (q.finished_after, lambda d: HA.end_time >= d)):
        if value is not None:
            where.append(condition(value))
    ended = select(PI.id).where(PI.end_time.is_not(None))
    flags = [(q.assigned, HA.assignee.is_not(None)), (q.unassigned, HA.assignee.is_(None)),
             (q.finished, HA.end_time.is_not(None)), (q.unfinished, HA.end_time.is_(None)),
             (q.process_finished, HA.process_instance_id.in_(ended)),
             (q.process_unfinished, HA.process_instance_id.not_in(ended)),
             (q.without_task_due_date, HA.due.is_(None)), (q.without_tenant_id, HA.tenant_id.is_(None)),
             (q.with_candidate_groups, _candidate(TC.group_id.is_not(None))),
             (q.without_candidate_groups, ~_candidate(TC.group_id.is_not(None)))]
    where += [condition for wanted, condition in flags if wanted]
    return where + _process(q) + _people(q) + nothing_if(
        q.task_parent_task_id, q.case_definition_id, q.case_definition_key, q.case_definition_name,
        q.case_instance_id, q.case_execution_id)


def _process(q: HistoricTaskQuery) -> list:
    where = [variable_matches(HA.process_instance_id, f, q.variable_names_ignore_case, q.variable_values_ignore_case)
             for f in [*(q.task_variables or []), *(q.process_variables or [])]]
    if q.process_definition_name is not None:
        where.append(HA.process_definition_id.in_(select(ProcessDefinition.id).where(
            ProcessDefinition.name == q.process_definition_name)))
    keys = q.process_instance_business_key_in or (
        [q.process_instance_business_key] if q.process_instance_business_key is not None else None)
    if keys or q.process_instance_business_key_like is not None:
        instances = select(PI.id).where(*([PI.business_key.in_(keys)] if keys else []),
                                        *([PI.business_key.like(q.process_instance_business_key_like)]
                                          if q.process_instance_business_key_like is not None else []))
        where.append(HA.process_instance_id.in_(instances))
    return where


def _people(q: HistoricTaskQuery) -> list:
    where = []
    if q.task_involved_user is not None:
        user = q.task_involved_user
        where.append(or_(HA.assignee == user, HA.owner == user, _candidate(TC.user_id == user)))
    if q.task_involved_group is not None:
        where.append(_candidate(TC.group_id == q.task_involved_group))
    if q.task_had_candidate_user is not None:
        where.append(_candidate(TC.user_id == q.task_had_candidate_user))
    if q.task_had_candidate_group is not None:
        where.append(_candidate(TC.group_id == q.task_had_candidate_group))
    return where


def _readable(s: Session, kb: Kuaibao, actor: Actor) -> list:
    """Tasks of instances the caller may read, and tasks they worked or were offered (finished ones too)."""
    pol = authz.policy(kb, actor, s)
    readable = pol.readable_instances(HA.process_instance_id, history=True)
    if readable is None:
        return []
    offered = [TC.user_id == actor.user_id]
    if actor.groups:
        offered.append(TC.group_id.in_(sorted(actor.groups)))
    reach = or_(readable, HA.assignee == actor.user_id, _candidate(or_(*offered)))
    return [reach, pol.tenant_ok(HA.tenant_id)]


def _row(kb: Kuaibao, r) -> dict:
    return dict(r._mapping, duration=millis(r.start_time, r.end_time),
                task_state=_STATES.get(r.delete_reason, "Created"),
                removal_time=removal_time(r.root_end_time, r.root_ttl, kb.settings))


def list_historic_tasks(kb: Kuaibao, actor: Actor, q: HistoricTaskQuery) -> list[dict]:
    """A page of user tasks, open and finished, that the caller may read."""
    def work(s: Session):
        stmt = with_removal(select(*HA.__table__.c), HA.root_process_instance_id)
        stmt = apply_sorting(stmt.where(*_readable(s, kb, actor), *_conditions(q)), q.sorting, SORT_COLUMNS)
        stmt = apply_page(stmt.order_by(HA.start_time, HA.sequence, HA.id), q.page)
        return [_row(kb, r) for r in s.execute(stmt)]
    return kb.read(work)


def count_historic_tasks(kb: Kuaibao, actor: Actor, q: HistoricTaskQuery) -> int:
    """How many match (paging and sorting aside; an invalid sortBy is still a 400)."""
    apply_sorting(select(HA.id), q.sorting, SORT_COLUMNS)
    return kb.read(lambda s: s.scalar(select(func.count(HA.id)).where(*_readable(s, kb, actor), *_conditions(q))))
