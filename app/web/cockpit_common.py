"""What the Cockpit's views share: filters read from the query string, and service failures
turned into a readable flashed message (never a JSON body or a stack trace)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import flash, g, redirect, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import authz, errors, permissions
from ..services.activities_info import activities_of
from ..services.local_time import start_of_day_utc
from ..services.typed_values import VariableValueError
from .time_text import parse_day

PAGE_SIZE = 50


def day_start(text: str | None, next_day: bool = False) -> datetime | None:
    """The naive UTC instant a Jilin calendar day (YYYY-MM-DD) starts at, or the next day's with `next_day`
    (so "started before 5 May" includes the whole of 5 May); None for an empty or malformed field."""
    day = parse_day(text)
    if day is None:
        return None
    return start_of_day_utc(day + timedelta(days=1) if next_day else day)


def arg(name: str) -> str | None:
    """A query-string filter, None when empty."""
    value = (request.args.get(name) or "").strip()
    return value or None


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Paging:
    """Which slice of a long list a page shows, and the links to the neighbours."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def url(self, number: int) -> str:
        query = {k: v for k, v in request.args.items() if k != "page" and v}
        query["page"] = str(number)
        return request.path + "?" + urlencode(query)


def readable(error: Exception) -> str:
    """A failed service call in the reader's language, with the engine's own detail where it helps."""
    detail = str(error)
    if isinstance(error, errors.Forbidden):
        return _("You are not allowed to do this.")
    if isinstance(error, errors.NotFound):
        return _("Not found: it may have ended or been removed meanwhile.")
    if isinstance(error, errors.Suspended):
        return _("The process instance is suspended; activate it first.")
    if isinstance(error, VariableValueError):
        return _("The value does not fit the variable's type: %(detail)s", detail=detail)
    if isinstance(error, errors.Conflict):
        return _("Someone else changed this at the same moment; please try again.")
    return _("The action failed: %(detail)s", detail=detail)


def act(back: str, work, done: str):
    """POST/redirect/GET: run one service call, flash what happened, go back to the page."""
    try:
        work()
    except (errors.ServiceError, VariableValueError) as e:
        flash(readable(e), "error")
    else:
        flash(done, "success")
    return redirect(back)


@dataclass(frozen=True)
class Allowed:
    """Which buttons an instance's page shows to the caller (the services check again when pressed)."""

    update: bool = False
    delete: bool = False
    retry: bool = False


def allowed_on(instance_id: str, definition_key: str, running: bool) -> Allowed:
    if not running:
        return Allowed()
    pol = authz.policy(kb(), g.actor)
    target = SimpleNamespace(id=instance_id, definition_key=definition_key)
    return Allowed(update=pol.may_update_instance(target), delete=pol.may_delete_instance(target),
                   retry=pol.may_update_instance(target, permissions.RETRY_JOB))


def may_update_definition(key: str) -> bool:
    return authz.policy(kb(), g.actor).allows(permissions.PROCESS_DEFINITION, permissions.UPDATE, key)


def activity_names(definition_ids) -> dict[str, dict[str, str]]:
    """Activity names by definition and activity id, for rows that store only the id (incidents, jobs)."""
    wanted = {d for d in definition_ids if d}
    return kb().read(lambda s: {d: {a: info.name or a for a, info in activities_of(kb(), s, d).items()}
                                for d in wanted})
