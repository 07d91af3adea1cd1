"""camunda:failedJobRetryTimeCycle: how long to wait before the next try."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def retry_delay(cycle: str | None, default_seconds: float) -> float:
    """Seconds until the next try: the cycle's interval (R5/PT10M: 600 s), else the default."""
    if cycle and "/" in cycle:
        interval = cycle.split("/")[-1]
        try:
            return TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(interval)).total_seconds()
        except (ValueError, TypeError, AttributeError):
            return default_seconds
    return default_seconds
