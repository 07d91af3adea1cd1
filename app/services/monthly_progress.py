"""Progress of a monthly outlet list: how many of its outlets have been processed.

A postal bureau's `monthly_outlet_list` starts one `outlet_enrolment` per listed outlet (a parallel multi-instance
call activity). With many outlets, and the handlers run by job workers, that takes a while; the page polls this.
An outlet counts as processed once its enrolment has ended or has reached its first user task: its facts were
loaded, its eligibility decided, and it was either told why it is out of scope or invited to apply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ACTIVE, HistoryActivity, JlEnrolment, JlOutlet, ProcessInstance, Task
from . import case_access
from .context import Actor, Kuaibao
from .errors import NotFound
from .persistence import load_variables

PI = ProcessInstance
MONTHLY_LIST = "monthly_outlet_list"


@dataclass(frozen=True)
class OutletProgress:
    outlet_id: str
    name: str | None
    instance_id: str
    state: str  # the enrolment instance's: ACTIVE, COMPLETED, EXTERNALLY_TERMINATED
    processed: bool
    open_tasks: tuple[str, ...]
    enrolment: str | None  # jl_enrolment.status (enrolled / out_of_scope) once recorded


@dataclass
class MonthlyProgress:
    instance_id: str
    business_key: str | None
    region: str | None
    month: str | None
    state: str
    started: datetime
    ended: datetime | None
    total: int | None  # None until the list is registered (outlet_ids is known)
    processed: int
    skipped: list[str] = field(default_factory=list)  # already enrolled: not listed again
    outlets: list[OutletProgress] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.state != ACTIVE or (self.total is not None and self.processed >= self.total)

    def as_json(self) -> dict:
        """What the page's poll needs."""
        return {"total": self.total, "processed": self.processed, "done": self.done, "state": self.state,
                "outlets": [{"id": o.outlet_id, "name": o.name, "processed": o.processed, "state": o.state,
                             "tasks": list(o.open_tasks), "enrolment": o.enrolment} for o in self.outlets]}


def monthly_progress(kb: Kuaibao, actor: Actor, instance_id: str) -> MonthlyProgress:
    """The list's progress; NotFound for another process's instance or a list the caller may not follow (its
    starter, the managers and administrators may; an outlet on the list may not: case_access)."""
    return kb.read(lambda s: _progress(kb, actor, s, instance_id))


def _progress(kb: Kuaibao, actor: Actor, s: Session, instance_id: str) -> MonthlyProgress:
    root = s.scalar(select(PI).where(PI.id == instance_id, PI.definition_key == MONTHLY_LIST,
                                     *case_access.readable(kb, actor, s)))
    if root is None:
        raise NotFound(f"no monthly outlet list {instance_id}")
    values = {k: v.value for k, v in load_variables(s, root.id, ["outlet_ids", "skipped_outlet_ids", "month"]).items()}
    children = list(s.scalars(select(PI).where(PI.super_process_instance_id == root.id).order_by(PI.start_time,
                                                                                                 PI.business_key)))
    ids = [c.id for c in children]
    reached = set(s.scalars(select(HistoryActivity.process_instance_id).where(
        HistoryActivity.process_instance_id.in_(ids), HistoryActivity.activity_type == "userTask").distinct()))
    tasks: dict[str, list[str]] = {}
    for pid, name in s.execute(select(Task.process_instance_id, Task.name).where(Task.process_instance_id.in_(ids))
                               .order_by(Task.created)):
        tasks.setdefault(pid, []).append(name)
    keys = [c.business_key for c in children if c.business_key]
    names = dict(s.execute(select(JlOutlet.id, JlOutlet.name).where(JlOutlet.id.in_(keys))).all())
    statuses = dict(s.execute(select(JlEnrolment.outlet_id, JlEnrolment.status)
                         .where(JlEnrolment.outlet_id.in_(keys))).all())
    outlets = [OutletProgress(c.business_key or c.id, names.get(c.business_key), c.id, c.state,
                              c.state != ACTIVE or c.id in reached, tuple(tasks.get(c.id, ())),
                              statuses.get(c.business_key)) for c in children]
    listed = values.get("outlet_ids")
    total = len(listed) if isinstance(listed, list) else (len(children) if root.state != ACTIVE else None)
    skipped = values.get("skipped_outlet_ids")
    return MonthlyProgress(root.id, root.business_key, root.tenant_id, values.get("month"), root.state,
                           root.start_time, root.end_time, total, sum(o.processed for o in outlets),
                           list(skipped) if isinstance(skipped, list) else [], outlets)
