"""Everything the task page shows about one open task: its facts, what the caller may do with it, its form, the
case's data, its comments and the case's history. Loaded through the services with the caller's rights, so a
task the caller may not see is reported missing (NotFound), exactly as the REST API does."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..models import Comment, Task
from ..services import authz, comments, definitions, instances, tasks, users
from ..services.context import Actor, Kuaibao
from ..services.errors import Forbidden, NotFound
from ..services.task_queries import TaskQuery
from ..services.users import UserQuery
from .tasklist_dates import due_state
from .tasklist_forms import FieldView, display, field_views
from .tasklist_history import CaseHistory, case_history
from .tasklist_lists import task_stages

PLAIN_TYPES = ("String", "Long", "Integer", "Short", "Double", "Boolean", "Date")
MAX_SHOWN = 160


@dataclass
class TaskPage:
    task: Task
    process_name: str
    business_key: str | None
    stage: str | None
    due: str | None
    can_work: bool
    can_assign: bool
    mine: bool  # claimed by the caller: the form can be completed
    fields: list[FieldView]
    case_data: list[tuple[str, str]]
    comments: list[Comment]
    history: CaseHistory
    candidates: list[str] = field(default_factory=list)
    assignable: list[str] = field(default_factory=list)


def load(kb: Kuaibao, actor: Actor, task_id: str, submitted: Mapping[str, str] | None = None,
         errors: Mapping[str, str] | None = None) -> TaskPage:
    """The page's data; NotFound (tasks.TaskMissing) when the caller may not see the task or it is done."""
    task = tasks.get_task(kb, actor, task_id)
    definition = definitions.get_definition(kb, actor, definition_id=task.process_definition_id)
    try:
        business_key = instances.get_instance(kb, actor, task.process_instance_id).business_key
    except NotFound:
        business_key = None
    values = tasks.form_variables(kb, actor, task_id)
    form = json.loads(task.form_fields) if task.form_fields else []
    form_ids = {f["id"] for f in form}
    group_ids = sorted({c.group_id or c.user_id for c in tasks.candidates(kb, actor, task_id)})
    can_work = _may_work(kb, actor, task_id)
    page = TaskPage(task, definition.name or definition.key, business_key, task_stages(kb, [task]).get(task.id),
                    due_state(task.due), can_work, _may_assign(kb, actor, task),
                    can_work and task.assignee == actor.user_id, field_views(form, values, submitted, errors), _case_data(values, form_ids),
                    comments.list_comments(kb, actor, task_id), case_history(kb, actor, task.process_instance_id),
                    group_ids)
    if page.can_assign:
        page.assignable = _members(kb, actor, group_ids)
    return page


def next_task(kb: Kuaibao, actor: Actor, instance_id: str) -> Task | None:
    """After a completion: the case's next open task that is mine or waits in my queue, if there is one."""
    for query in (TaskQuery(process_instance_id=instance_id, assignee=actor.user_id),
                  TaskQuery(process_instance_id=instance_id, candidate_user=actor.user_id)):
        found = tasks.list_tasks(kb, actor, query)
        if found:
            return found[0]
    return None


def _may_work(kb: Kuaibao, actor: Actor, task_id: str) -> bool:
    """TASK_WORK: claim, unclaim and complete (a region's manager may read the task, not work it)."""
    try:
        kb.read(lambda s: tasks.workable_task(kb, s, actor, task_id))
        return True
    except (Forbidden, NotFound):
        return False


def _may_assign(kb: Kuaibao, actor: Actor, task: Task) -> bool:
    return kb.read(lambda s: authz.policy(kb, actor, s).may_assign(task))


def _members(kb: Kuaibao, actor: Actor, group_ids: list[str]) -> list[str]:
    """Whom the task may go to: the members of its candidate groups (suggestions; any user id is accepted)."""
    found: set[str] = set()
    for group in group_ids[:10]:
        found.update(u.id for u in users.list_users(kb, actor, UserQuery(member_of_group=group)))
    return sorted(found)[:100]


def _case_data(values: Mapping[str, Any], form_ids: set[str]) -> list[tuple[str, str]]:
    """The case's plain variables that the form does not show (structured ones stay in Cockpit)."""
    shown = []
    for name in sorted(values):
        value = values[name]
        if name in form_ids or getattr(value, "type", None) not in PLAIN_TYPES or value.value in (None, ""):
            continue
        text = display("", value)
        shown.append((name, text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"))
    return shown
