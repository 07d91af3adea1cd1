"""What the engine hands back: plain data describing one command's effect on an instance."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .activities import ActivityEvent
from .assignment import UserTaskRecord


@dataclass(frozen=True)
class Context:
    """Facts about the instance that diagram code may read but that are not process variables;
    `records` is whatever the service hands to handlers (the process pack's records)."""

    business_key: str | None = None
    process_instance_id: str | None = None
    records: Any = None
    decisions: Callable[[str], Any] | None = None  # decision key -> latest deployed table (DMNEngine)


@dataclass
class HandlerCall:
    """What a service-task handler receives."""

    variables: dict[str, Any]
    topic: str
    activity_id: str
    business_key: str | None
    process_instance_id: str | None
    records: Any
    idempotency_key: str | None = None  # the job's id: the same on every retry of this call


Handler = Callable[[HandlerCall], Mapping[str, Any] | None]


@dataclass(frozen=True)
class CallRequest:
    """A call activity reached: the service starts `called_element` as its own instance."""

    task_id: str
    activity_id: str
    called_element: str
    binding: str
    version: str | None
    version_tag: str | None
    business_key: str | None
    variables: dict[str, Any]


@dataclass(frozen=True)
class Subscription:
    """An event the instance waits for (message, signal, timer...), where, and for timers when."""

    event_type: str
    name: str | None
    activity_id: str
    value: str | None = None


@dataclass(frozen=True)
class WorkItem:
    """Work that waits outside the engine: an external task (a worker fetches it), a handler call or an
    async continuation (the job executor runs it)."""

    task_id: str
    kind: str  # "external" | "handler" | "async"
    activity_id: str
    topic: str | None = None
    retry_cycle: str | None = None
    priority: int = 0


@dataclass
class Outcome:
    """What a command did to an instance, for the service layer to persist."""

    state: str
    ended: bool
    opened: list[UserTaskRecord] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    work_opened: list[WorkItem] = field(default_factory=list)
    work_closed: list[WorkItem] = field(default_factory=list)
    calls: list[CallRequest] = field(default_factory=list)
    signals_thrown: list[tuple[str, dict]] = field(default_factory=list)  # (name, payload) for other instances
    subscriptions: list[Subscription] = field(default_factory=list)
    subscriptions_changed: bool = False
    activities: list[ActivityEvent] = field(default_factory=list)  # for history
