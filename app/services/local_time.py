"""Times as the agencies read them: stored naive UTC, shown and entered in Jilin local time (Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from .jilin_records import PACK_ZONE


def to_local(moment: datetime) -> datetime:
    """A stored time (naive UTC, or aware) in the agencies' zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(PACK_ZONE)


def local_day(moment: datetime) -> date:
    """The Jilin calendar day of a stored timestamp."""
    return to_local(moment).date()


def start_of_day_utc(day: date) -> datetime:
    """The stored (naive UTC) instant at which a Jilin calendar day begins."""
    return datetime.combine(day, time(), PACK_ZONE).astimezone(timezone.utc).replace(tzinfo=None)
