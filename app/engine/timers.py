"""When a timer start event fires: the first due time and, for cycles, the next ones (plain datetimes, UTC)."""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import juel, sandbox


def schedule(kind: str, expression: str, now: datetime, repetitions_left: int | None = None
             ) -> tuple[datetime, int | None] | None:
    """(due, repetitions left after that one) for a timer definition, or None when a cycle is used up.

    `expression` is the Python the dialect made of the diagram's text (an ISO literal in quotes, or an
    expression without variables)."""
    value = sandbox.evaluate(expression, {}, juel.HELPERS)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if kind == "timeDate":
        return _aware(TimerEventDefinition.get_datetime(text)), None
    if kind == "timeDuration":
        return now + TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(text),
                                                                      now), None
    cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
    left = cycles if repetitions_left is None else repetitions_left
    if left == 0:
        return None
    due = _aware(start)
    while due <= now:
        due += duration
    return due, (left - 1 if left > 0 else -1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
