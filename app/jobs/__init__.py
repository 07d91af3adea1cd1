"""The job executor: timers, async continuations and handler calls, run outside the request that caused them."""
