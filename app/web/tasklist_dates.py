"""Due dates on the Tasklist: a task wears a red badge once it is overdue, an amber one when it falls due within
two days."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..models import utcnow

SOON = timedelta(days=2)


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
