"""/history/cleanup: run the history cleanup now (administrators only).

Camunda schedules a cleanup job and answers with its Job DTO. Kuaibao has no cleanup job to show: the job executor
cleans up on its own every HISTORY_CLEANUP_INTERVAL_SECONDS, and this endpoint runs one cleanup synchronously (in
short batches, so queues keep answering) and answers 200 with `{"id": null, "removedInstances": n, "batches": b}`.
Camunda's `immediatelyDue` parameter is accepted and has no effect: the cleanup is always immediate.
"""
from __future__ import annotations

from flask import Blueprint

from ..services.history_cleanup import cleanup_requested
from . import docs
from .http import actor, kb, ok
from .schemas import cached
from .schemas.history_cleanup import HistoryCleanupSchema

bp = Blueprint("history_cleanup", __name__)


@bp.post("/history/cleanup")
@docs.doc("Remove ended instances past their history time to live, now (administrators)",
          response=HistoryCleanupSchema)
def run():
    return ok(cached(HistoryCleanupSchema).dump(cleanup_requested(kb(), actor())))
