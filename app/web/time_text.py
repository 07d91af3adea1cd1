"""Times on every page: shown in Jilin local time (template globals `show_time` and `show_day`), and days read
from date inputs."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint

from ..services.local_time import to_local

bp = Blueprint("time_text", __name__)


@bp.app_template_global()
def show_time(moment: datetime | None, seconds: bool = False) -> str:
    """`2024-03-05 14:30` (or `14:30:05`), local; empty when there is no time."""
    if moment is None:
        return ""
    return to_local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


@bp.app_template_global()
def show_day(moment: datetime | date | None) -> str:
    """A stored time's local calendar day (a date is shown as it is); empty when there is none."""
    if moment is None:
        return ""
    return (to_local(moment).date() if isinstance(moment, datetime) else moment).isoformat()


def parse_day(text: str | None) -> date | None:
    """A `YYYY-MM-DD` from a date input; None for anything else (a filter then simply does not apply)."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
