"""Where a case stands among the Jilin pack's five stages, read from what is open in its process tree.

Every user task and call activity of the pack carries a `stage` property (workflows/CONTRACT.md). A case's current
stage is the furthest stage of the activities still open anywhere in its tree (a supervision task left open on
injury determination does not pull back a case that has reached appraisal); an open activity without the property
(a message wait, a service task) counts as its process's own stage. Shared by the claim tracker and the dashboards.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HistoryActivity
from .activities_info import activities_of
from .context import Kuaibao
from .local_time import start_of_day_utc

STAGES = ("enrolment", "contribution", "injury_determination", "disability_appraisal", "benefit_payment")
# The stage a whole process belongs to, for open activities that carry no stage property of their own.
PROCESS_STAGE = {"monthly_outlet_list": "enrolment", "outlet_enrolment": "enrolment", "personnel_change": "enrolment",
                 "contribution": "contribution", "injury_claim": "injury_determination",
                 "disability_appraisal": "disability_appraisal", "benefit_payment": "benefit_payment"}
CLAIM_STAGES = STAGES[2:]

AT_RISK_DAYS = 3
"""A deadline this many days away or fewer is shown "at risk" (amber) on the tracker. A choice of the interface so
that a case worker sees trouble coming, not a legal period: the statutory periods themselves come from the
`pack_settings` decision and the task due dates it sets."""


def stage_rank(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def furthest(stages) -> str | None:
    """The latest of some stages in the order of a case (None when there is none)."""
    known = [s for s in stages if s in STAGES]
    return max(known, key=STAGES.index) if known else None


def activity_stage(kb: Kuaibao, s: Session, definition_id: str, definition_key: str, activity_id: str) -> str | None:
    info = activities_of(kb, s, definition_id).get(activity_id)
    return (info.stage if info is not None else None) or PROCESS_STAGE.get(definition_key)


def open_stages(kb: Kuaibao, s: Session, roots) -> dict[str, str]:
    """{root instance id: current stage} for the roots (ids, or a subquery of ids) with something open."""
    ha = HistoryActivity
    rows = s.execute(select(ha.root_process_instance_id, ha.process_definition_id, ha.process_definition_key,
                            ha.activity_id).where(ha.root_process_instance_id.in_(roots), ha.end_time.is_(None))
                     .distinct())
    found: dict[str, list[str | None]] = {}
    for root, definition_id, key, activity in rows:
        found.setdefault(root, []).append(activity_stage(kb, s, definition_id, key, activity))
    return {root: stage for root, stages in found.items() if (stage := furthest(stages)) is not None}


def deadline_status(due: date, today: date) -> tuple[str, int]:
    """("overdue" | "at_risk" | "ok", days left). Deadlines count in Jilin calendar days: a task or period due on a
    day is overdue from the next day on, whatever the hour its due timestamp carries."""
    left = (due - today).days
    return ("overdue" if left < 0 else "at_risk" if left <= AT_RISK_DAYS else "ok"), left


def overdue_before(today: date) -> datetime:
    """Open tasks due before this stored instant are overdue (their due day is over)."""
    return start_of_day_utc(today)
