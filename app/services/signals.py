"""Throw a signal from outside: every waiting instance catches it, every process it starts starts."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy.orm import Session

from ..models import ProcessInstance
from . import gate
from . import typed_values as tv
from .authz import require_sender
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound


def throw(kb: Kuaibao, actor: Actor, name: str, variables: Mapping[str, tv.TypedValue],
          execution_id: str | None = None, tenant_id: str | None = None) -> list[ProcessInstance]:
    """Broadcast in one transaction; no receiver is not an error (as in Camunda)."""
    require_sender(kb, actor, tenant_id)
    if not name:
        raise InvalidRequest("No signal name given")
    if execution_id and tenant_id:
        raise InvalidRequest("It is not possible to deliver a signal to an execution of a specific tenant")

    def work(s: Session) -> list[ProcessInstance]:
        if execution_id and s.get(ProcessInstance, execution_id) is None:
            raise NotFound(f"Cannot find execution with id '{execution_id}'")
        return gate.broadcast_signal(kb, s, name, variables, tenant_id, only_instance=execution_id,
                                     start_user=actor.user_id)

    return kb.command(work)
