"""Settings: defaults, then environment, then overrides; validated once at start-up."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'kuaibao.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Everything configurable; environment variables have the same names in upper case."""

    database_url: str = field(default_factory=default_database_url)
    workflows_dir: str = str(PROJECT_ROOT / "workflows")
    port: int = 8080
    auth_cache_seconds: float = 60.0
    script_time_seconds: float = 1.0
    command_retries: int = 20
    sql_echo: bool = False
    validate_bpmn_schema: bool = True
    job_lock_seconds: float = 300.0   # a crashed worker's job runs again after this
    job_retry_seconds: float = 10.0   # pause before retrying a failed job without camunda:failedJobRetryTimeCycle
    external_task_max_parked: int = 4  # long polls that may hold a server thread at once (per process)
    message_buffer_seconds: float = 300.0  # how long a message with no receiver yet waits for one (0: refuse it)
    job_executor: str = "thread"      # thread: inside the server; eager: right after each command; off: workers only
    worker_memory_mb: int = 4096  # address-space cap per server worker (a backstop for diagram code); 0 = none
    admin_group: str = "camunda-admin"
    deployer_groups: tuple[str, ...] = ("managers",)

    @classmethod
    def load(cls, overrides: dict | None = None, environ: dict | None = None) -> "Settings":
        """Defaults, then environment, then explicit overrides, then validation."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        settings = replace(cls(), **values, **(overrides or {}))
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(f"DATABASE_URL: only sqlite and postgresql are supported, got {self.database_url!r}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"PORT: {self.port} is not a TCP port")
        if self.script_time_seconds <= 0:
            raise ConfigError("SCRIPT_TIME_SECONDS must be positive")
        if self.worker_memory_mb < 0:
            raise ConfigError("WORKER_MEMORY_MB must be 0 (no cap) or a positive number of MiB")
        if self.job_executor not in ("thread", "eager", "off"):
            raise ConfigError(f"JOB_EXECUTOR must be thread, eager or off, got {self.job_executor!r}")
        if self.command_retries < 1:
            raise ConfigError("COMMAND_RETRIES must be at least 1")


def _coerce(name: str, kind, raw: str):
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if "bool" in kind:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
        if "tuple" in kind:
            return tuple(s.strip() for s in raw.split(",") if s.strip())
        return raw
    except ValueError:
        raise ConfigError(f"{name.upper()}: cannot read {raw!r} as {kind}") from None
