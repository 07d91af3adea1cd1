"""When the job executor cleans up history: HISTORY_CLEANUP_INTERVAL_SECONDS after it starts, then every interval.

A large backlog (the first run after enabling retention, say) is worked off a bounded number of batches per turn,
with the executor's due jobs in between, so timers and continuations never wait for a whole cleanup.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from ..services.context import Kuaibao
from ..services.history_cleanup import CleanupReport, cleanup

log = logging.getLogger(__name__)

BATCHES_PER_TURN = 20


class CleanupSchedule:
    """Runs `cleanup` when it is due; `seconds_left` tells the executor how long it may sleep."""

    def __init__(self, kb: Kuaibao, clock: Callable[[], float] = time.monotonic):
        self.kb, self.clock = kb, clock
        self.interval = kb.settings.history_cleanup_interval_seconds
        self.next_run = clock() + self.interval if self.interval else None

    def seconds_left(self) -> float | None:
        """Until the next cleanup is due (0: now); None when automatic cleanup is off."""
        return None if self.next_run is None else max(0.0, self.next_run - self.clock())

    def run_if_due(self) -> CleanupReport | None:
        """Clean up if due; with a backlog left over, the next turn is due at once (after the jobs)."""
        if self.next_run is None or self.clock() < self.next_run:
            return None
        self.next_run = self.clock() + self.interval  # set first: a failing cleanup waits an interval, not a loop
        report = cleanup(self.kb, max_batches=BATCHES_PER_TURN)
        if report.batches >= BATCHES_PER_TURN:
            self.next_run = self.clock()
        if report.removed_instances:
            log.info("history cleanup removed %d instance(s) in %d batch(es), %.1f s",
                     report.removed_instances, report.batches, report.seconds)
        return report
