"""Service-task handlers, keyed by the external-task topic a diagram names (camunda:topic).

A handler is a plain function: it receives the task's variables (a dict) and returns the variables
to set (a dict, or None). When a topic has a handler here, Kuaibao runs it in-process; otherwise
the task waits for an external worker. This package imports nothing from `app`.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

Handler = Callable[[dict], Mapping[str, Any] | None]

HANDLERS: dict[str, Handler] = {}
