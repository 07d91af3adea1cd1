"""What every service function receives: the store, the engine, settings; and who is acting."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..config import Settings
from ..db import Store
from ..engine.runtime import Engine
from .credentials import CredentialCache
from .errors import Conflict
from .spec_cache import DecisionCache, SpecCache

T = TypeVar("T")
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock


@dataclass(frozen=True)
class Actor:
    """The authenticated caller."""

    user_id: str
    groups: frozenset[str] = frozenset()
    is_admin: bool = False
    can_manage: bool = False  # deploy, start, see instances: admins and the deployer groups
    tenants: frozenset[str] = frozenset()  # directly or through a group (regions, in the Jilin pack)


SYSTEM = Actor("system", frozenset(), is_admin=True, can_manage=True)


@dataclass
class Kuaibao:
    """The application's services, wired once at start-up; no Flask in here."""

    settings: Settings
    store: Store
    engine: Engine
    specs: SpecCache = field(default_factory=SpecCache)
    decisions: DecisionCache = field(default_factory=DecisionCache)
    records_factory: Callable[[Session], Any] | None = None  # the process pack's records, per transaction
    after_command: Callable[[], None] | None = None  # e.g. run the jobs a command made, right away (tests)
    credentials: CredentialCache | None = None  # verified logins of this process; identity changes revoke them

    def __post_init__(self) -> None:
        if self.credentials is None:
            self.credentials = CredentialCache(self.settings.auth_cache_seconds)

    def read(self, work: Callable[[Session], T]) -> T:
        """Run a read-only unit of work."""
        with self.store.transaction(read_only=True) as session:
            return work(session)

    def command(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction; retry it from scratch when another writer got there first."""
        attempts = self.settings.command_retries
        for attempt in range(1, attempts + 1):
            try:
                with self.store.transaction() as session:
                    result = work(session)
                if self.after_command is not None:
                    self.after_command()
                return result
            except StaleDataError:
                if attempt == attempts:
                    raise Conflict("the process instance was changed concurrently; gave up after "
                                   f"{attempts} attempts") from None
            except DBAPIError as e:
                if getattr(e.orig, "sqlstate", None) not in _RETRYABLE_SQLSTATES or attempt == attempts:
                    raise
            time.sleep(random.uniform(0, 0.002 * attempt))
        raise AssertionError("unreachable")
