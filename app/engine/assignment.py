"""Evaluate a user task's Camunda assignment attributes when it becomes ready.

SpiffWorkflow ignores camunda:assignee, candidateGroups, candidateUsers, dueDate, followUpDate and
priority; the parser keeps them raw in the spec's extensions and this module turns them into
plain values for the task row, exactly once, when the task opens.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import juel, sandbox


@dataclass(frozen=True)
class UserTaskRecord:
    """A ready user task as plain data, ready to become a row in the work queue."""

    id: str
    activity_id: str
    name: str | None
    description: str | None
    assignee: str | None
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    due: datetime | None
    follow_up: datetime | None
    priority: int
    form_key: str | None
    form_fields: list[dict] = field(default_factory=list)


Evaluate = Callable[[str, Mapping[str, Any]], Any]


def record(task, evaluate: Evaluate, now: datetime) -> UserTaskRecord:
    """Build the row for a ready user task; `evaluate(python_source, data)` runs in the sandbox."""
    spec = task.task_spec
    ext = spec.extensions or {}

    def value(attr: str):
        raw = ext.get(f"camunda:{attr}")
        if raw is None or raw == "":
            return None
        return evaluate(juel.translate_template(raw), task.data)

    def text(raw: str | None) -> str | None:
        """Camunda evaluates expressions in a task's name and description when the task is created."""
        if raw is None or not juel.is_juel(raw):
            return raw
        return _text(evaluate(juel.translate_template(raw), task.data))

    form = getattr(spec, "form", None)
    return UserTaskRecord(
        id=str(task.id),
        activity_id=spec.bpmn_id,
        name=text(spec.bpmn_name),
        description=text(spec.documentation),
        assignee=_text(value("assignee")),
        candidate_groups=_names(value("candidateGroups")),
        candidate_users=_names(value("candidateUsers")),
        due=_when(value("dueDate"), now, "dueDate"),
        follow_up=_when(value("followUpDate"), now, "followUpDate"),
        priority=_priority(value("priority")),
        form_key=(form.key if form is not None else None) or ext.get("camunda:formKey"),
        form_fields=[_field(f) for f in form.fields] if form is not None else [],
    )


def _text(v) -> str | None:
    return None if v is None or v == "" else str(v)


def _names(v) -> tuple[str, ...]:
    if v is None:
        return ()
    items = v if isinstance(v, (list, tuple, set)) else str(v).split(",")
    return tuple(dict.fromkeys(s for s in (str(i).strip() for i in items) if s))


def _priority(v) -> int:
    if v is None:
        return 50
    try:
        return int(v)
    except (TypeError, ValueError):
        raise ValueError(f"camunda:priority must be an integer, got {v!r}") from None


def _when(v, now: datetime, attr: str) -> datetime | None:
    """Dates as Camunda's due-date calendar reads them: a date, an ISO date string, or a duration from now."""
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=timezone.utc)
    text = str(v).strip()
    try:
        if text.startswith("P"):
            return now + TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(text), now)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"camunda:{attr} must be an ISO 8601 date or duration, got {text!r}") from None


def _field(f) -> dict:
    return {
        "id": f.id, "label": f.label, "type": f.type, "default": f.default_value,
        "validation": [{"name": v.name, "config": v.config} for v in getattr(f, "validation", [])],
        "options": [{"id": o.id, "name": o.name} for o in getattr(f, "options", [])],
    }


def make_evaluator(extra_globals: Mapping[str, Any], limits: sandbox.Limits) -> Evaluate:
    """An evaluate function bound to the sandbox limits and the instance's helper globals."""
    return lambda source, data: sandbox.evaluate(source, data, extra_globals, limits)
