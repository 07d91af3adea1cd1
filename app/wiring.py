"""Build the framework-free service context from settings: shared by the web app, the CLI and the tests."""
from __future__ import annotations

from typing import Callable, Mapping

from .config import Settings
from .db import Store, make_engine
from .engine import sandbox
from .engine.runtime import Engine
from .services.context import Kuaibao
from .services.jilin_records import SqlRecords


def build_services(config_overrides: dict | None = None,
                   handlers: Mapping[str, Callable] | None = None) -> Kuaibao:
    settings = Settings.load(config_overrides)
    if handlers is None:
        from handlers import HANDLERS
        handlers = HANDLERS
    limits = sandbox.Limits(time_seconds=settings.script_time_seconds)
    store = Store(make_engine(settings.database_url, echo=settings.sql_echo))
    kb = Kuaibao(settings=settings, store=store, engine=Engine(handlers, limits), records_factory=SqlRecords)
    if settings.job_executor == "eager":
        kb.after_command = eager_jobs(kb)
    return kb


def eager_jobs(kb: Kuaibao) -> Callable[[], None]:
    """Run due jobs right after each command, in the caller's thread (tests and one-shot scripts)."""
    import threading

    from .jobs.executor import JobExecutor
    executor, busy = JobExecutor(kb), threading.local()

    def run() -> None:
        if getattr(busy, "running", False):
            return
        busy.running = True
        try:
            executor.run_due()
        finally:
            busy.running = False
    return run
