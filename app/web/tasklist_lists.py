"""The task lists of the Tasklist: three views (my queue, my tasks, all I can see) with their counts, the filters
(process, stage, due, business key), sorting and paging, all carried in the query string so that a list can be
bookmarked and stays put beside the task that is open. Every count and row comes from the task services, so a
list holds exactly what the caller may see."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Mapping
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l

from ..models import ProcessDefinition, Task, utcnow
from ..services import definitions, instances, tasks
from ..services.activities_info import activities_of
from ..services.context import Actor, Kuaibao
from ..services.definitions import DefinitionQuery
from ..services.instances import InstanceQuery
from ..services.local_time import start_of_day_utc
from ..services.queries import Page, Sorting
from ..services.task_queries import TaskQuery
from .tasklist_dates import due_state
from .time_text import parse_day

PAGE_SIZE = 25
VIEWS = {"queue": _l("My queue"), "mine": _l("My tasks"), "all": _l("All I can see")}
STAGES = {"enrolment": _l("Enrolment"), "contribution": _l("Contribution"),
          "injury_determination": _l("Injury determination"), "disability_appraisal": _l("Disability appraisal"),
          "benefit_payment": _l("Benefit payment")}
DUE = {"overdue": _l("Overdue"), "soon": _l("Due within 2 days"), "none": _l("No due date")}
SORTS = {"-created": (_l("Newest first"), Sorting("created", "desc")),
         "created": (_l("Oldest first"), Sorting("created", "asc")),
         "due": (_l("Due date, earliest first"), Sorting("dueDate", "asc")),
         "-due": (_l("Due date, latest first"), Sorting("dueDate", "desc")),
         "-priority": (_l("Priority, highest first"), Sorting("priority", "desc")),
         "priority": (_l("Priority, lowest first"), Sorting("priority", "asc"))}


@dataclass(frozen=True)
class ListState:
    """What the list shows, as read from (and written back to) the query string."""

    view: str = "queue"
    process: str = ""
    stage: str = ""
    due: str = ""
    due_after: str = ""
    due_before: str = ""
    key: str = ""
    sort: str = "-created"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListState:
        """Unknown values fall back to the defaults instead of failing: a stale bookmark still opens."""
        def pick(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else getattr(cls, name)
        try:
            page = max(1, int(args.get("page", 1)))
        except ValueError:
            page = 1
        return cls(view=pick("view", VIEWS), process=(args.get("process") or "").strip()[:255],
                   stage=pick("stage", STAGES), due=pick("due", DUE),
                   due_after=_day_text(args.get("due_after")), due_before=_day_text(args.get("due_before")),
                   key=(args.get("key") or "").strip()[:255], sort=pick("sort", SORTS), page=page)

    def query_string(self, **changes) -> str:
        """The state (with `changes`) as a query string of its non-default values."""
        state = replace(self, **changes)
        default = ListState()
        return urlencode({name: getattr(state, name) for name in state.__dataclass_fields__
                          if getattr(state, name) != getattr(default, name)})

    @property
    def filtered(self) -> bool:
        return any((self.process, self.stage, self.due, self.due_after, self.due_before, self.key))


@dataclass
class Row:
    """One task as a list shows it."""

    task: Task
    process_name: str
    business_key: str | None
    stage: str | None
    due: str | None  # 'overdue', 'soon' or None


@dataclass
class TaskList:
    state: ListState
    counts: dict[str, int]
    total: int
    rows: list[Row]
    processes: list[ProcessDefinition] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def view_query(actor: Actor, view: str) -> TaskQuery:
    """My queue: open tasks offered to me or my groups that nobody holds; my tasks: assigned to me; all: what I may
    see (for a region's manager, the region's)."""
    if view == "queue":
        return TaskQuery(candidate_user=actor.user_id)
    if view == "mine":
        return TaskQuery(assignee=actor.user_id)
    return TaskQuery()


def load(kb: Kuaibao, actor: Actor, state: ListState) -> TaskList:
    """The views' counts, the filtered total and one page of rows."""
    processes = sorted(definitions.list_definitions(kb, actor, DefinitionQuery(latest_version=True)),
                       key=lambda d: d.name or d.key)
    counts = {view: tasks.count_tasks(kb, actor, view_query(actor, view)) for view in VIEWS}
    query = filtered_query(kb, actor, state)
    if query is None:
        return TaskList(state, counts, 0, [], processes)
    total = tasks.count_tasks(kb, actor, query)
    page = min(state.page, max(1, -(-total // PAGE_SIZE)))
    query = replace(query, sorting=[SORTS[state.sort][1]], page=Page((page - 1) * PAGE_SIZE, PAGE_SIZE))
    found = tasks.list_tasks(kb, actor, query)
    return TaskList(replace(state, page=page), counts, total, rows(kb, actor, found, processes), processes)


def filtered_query(kb: Kuaibao, actor: Actor, state: ListState) -> TaskQuery | None:
    """The view's query narrowed by the filters; None when a filter can match nothing (a stage without tasks)."""
    query = view_query(actor, state.view)
    if state.process:
        query.process_definition_key = state.process
    if state.stage:
        keys = stage_task_keys(kb, actor, state.stage, state.process or None)
        if not keys:
            return None
        query.task_definition_key_in = keys
    now = utcnow()
    if state.due == "overdue":
        query.due_before = now
    elif state.due == "soon":
        query.due_after, query.due_before = now, now + timedelta(days=2)
    elif state.due == "none":
        query.without_due_date = True
    after, before = parse_day(state.due_after), parse_day(state.due_before)
    if after is not None:  # on or after the local day (the query's bound is strict)
        bound = start_of_day_utc(after) - timedelta(microseconds=1)
        query.due_after = max(query.due_after, bound) if query.due_after else bound
    if before is not None:  # on or before the local day
        bound = start_of_day_utc(before + timedelta(days=1))
        query.due_before = min(query.due_before, bound) if query.due_before else bound
    if state.key:
        query.process_instance_business_key_like = f"%{state.key.replace('%', '')}%"
    return query


def stage_task_keys(kb: Kuaibao, actor: Actor, stage: str, process_key: str | None) -> list[str]:
    """The user tasks of a stage (the diagrams' `stage` property), across every version of the definitions the
    caller may read."""
    found = definitions.list_definitions(kb, actor, DefinitionQuery(key=process_key))

    def work(s):
        return sorted({info.id for d in found for info in activities_of(kb, s, d.id).values()
                       if info.stage == stage and info.type == "userTask"})
    return kb.read(work)


def rows(kb: Kuaibao, actor: Actor, found: list[Task], processes: list[ProcessDefinition]) -> list[Row]:
    """Tasks with their process's name, their case's business key and their stage."""
    if not found:
        return []
    names = {d.key: d.name or d.key for d in processes}
    ids = sorted({t.process_instance_id for t in found})
    keys = {i.id: i.business_key for i in instances.list_instances(kb, actor, InstanceQuery(ids=ids))}
    stages = task_stages(kb, found)
    now = utcnow()
    return [Row(t, names.get(t.process_definition_key, t.process_definition_key), keys.get(t.process_instance_id),
                stages.get(t.id), due_state(t.due, now)) for t in found]


def task_stages(kb: Kuaibao, found: list[Task]) -> dict[str, str | None]:
    def work(s):
        return {t.id: getattr(activities_of(kb, s, t.process_definition_id).get(t.task_definition_key), "stage", None)
                for t in found}
    return kb.read(work)


def _day_text(text: str | None) -> str:
    day = parse_day(text)
    return day.isoformat() if day else ""
