"""Times on the Tasklist pages: stored naive UTC, shown and entered as the agencies' local (Asia/Shanghai) time.

Due dates decide the badge a task wears: red once it is overdue, amber when it falls due within two days."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from ..services.jilin_records import PACK_ZONE

SOON = timedelta(days=2)


def utcnow() -> datetime:
    """Now, naive UTC, as the task table stores times."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local(moment: datetime | None) -> datetime | None:
    """A stored time (naive UTC, or aware) in the agencies' zone."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(PACK_ZONE)


def show_time(moment: datetime | None) -> str:
    """`2024-03-05 14:30`, local; empty when there is no time."""
    shown = local(moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown else ""


def show_day(moment: datetime | None) -> str:
    shown = local(moment)
    return shown.strftime("%Y-%m-%d") if shown else ""


def day_start_utc(day: date) -> datetime:
    """The first instant of a local day, as naive UTC (for query bounds)."""
    return datetime.combine(day, time(), PACK_ZONE).astimezone(timezone.utc).replace(tzinfo=None)


def parse_day(text: str | None) -> date | None:
    """A `YYYY-MM-DD` from a date input; None for anything else (a filter then simply does not apply)."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def due_state(due: datetime | None, now: datetime | None = None) -> str | None:
    """'overdue', 'soon' (within two days) or None; `due` is naive UTC."""
    if due is None:
        return None
    now = now or utcnow()
    if due.tzinfo is not None:
        due = due.astimezone(timezone.utc).replace(tzinfo=None)
    if due < now:
        return "overdue"
    return "soon" if due - now <= SOON else None
