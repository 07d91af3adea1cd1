"""Settings: defaults, then environment, then overrides; validated once at start-up."""
from __future__ import annotations

import os
import secrets
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
    # A new root instance of a shared definition belongs to the tenant its start variable of this name
    # names, if that tenant exists (Camunda's TenantIdProvider); empty: instances get no tenant that way.
    tenant_variable: str = "region"
    # Signs session cookies. Every process behind one address needs the same key: set SECRET_KEY (at least 32
    # characters) or let the first start write a random one to SECRET_KEY_FILE, which all local workers share.
    secret_key: str = ""
    secret_key_file: str = str(PROJECT_ROOT / "instance" / "secret_key")
    session_hours: float = 8.0  # a session cookie is refused this long after login
    session_cookie_secure: bool = False  # send session cookies over HTTPS only (set it behind TLS)
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto to trust (login throttling by IP)
    # History retention: ended instances are deleted this many days after they end, unless their definition sets
    # camunda:historyTimeToLive (Camunda 7.20's default is 180; 0 = keep forever).
    history_time_to_live_days: int = 180
    history_cleanup_batch: int = 500  # root instances deleted per transaction (short, so queues keep answering)
    history_cleanup_interval_seconds: float = 3600.0  # how often the job executor cleans up; 0 = never by itself

    @classmethod
    def load(cls, overrides: dict | None = None, environ: dict | None = None) -> "Settings":
        """Defaults, then environment, then explicit overrides, then validation."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        settings = replace(cls(), **{**values, **(overrides or {})})  # an override beats the environment
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
        if self.secret_key and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters (e.g. the output of "
                              "`python -c 'import secrets; print(secrets.token_hex(32))'`)")
        if self.session_hours <= 0:
            raise ConfigError("SESSION_HOURS must be positive")
        if self.proxy_hops < 0:
            raise ConfigError("PROXY_HOPS must be 0 or more")
        if self.history_time_to_live_days < 0:
            raise ConfigError("HISTORY_TIME_TO_LIVE_DAYS must be 0 (keep forever) or a positive number of days")
        if self.history_cleanup_batch < 1:
            raise ConfigError("HISTORY_CLEANUP_BATCH must be at least 1")
        if self.history_cleanup_interval_seconds < 0:
            raise ConfigError("HISTORY_CLEANUP_INTERVAL_SECONDS must be 0 (never by itself) or positive")


MIN_SECRET_LENGTH = 32


def session_secret(settings: Settings) -> str:
    """SECRET_KEY, else SECRET_KEY_FILE's key, written atomically on first start so that all workers share it."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.secret_key_file)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            try:
                os.link(draft, path)  # fails if another worker won the race; then its key is the key
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = path.read_text().strip()
    except OSError as e:
        raise ConfigError(f"SECRET_KEY is not set and SECRET_KEY_FILE {path} cannot be used: {e}") from None
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"SECRET_KEY_FILE {path} holds fewer than {MIN_SECRET_LENGTH} characters")
    return key


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
