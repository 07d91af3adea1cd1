"""Correlate a message: to the instances waiting for it, or to a process whose start event it is."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from ..models import (
    ACTIVE,
    BufferedMessage,
    EventSubscription,
    ProcessDefinition,
    ProcessInstance,
    Variable,
    new_id,
    utcnow,
)
from . import gate, oplog
from . import typed_values as tv
from .authz import require_sender
from .context import Actor, Kuaibao
from .errors import InvalidRequest
from .persistence import lock_instance

MESSAGE = "MessageEventDefinition"


@dataclass
class MessageCommand:
    """Camunda's CorrelationMessageDto, in snake case."""

    name: str
    business_key: str | None = None
    process_instance_id: str | None = None
    tenant_id: str | None = None
    without_tenant_id: bool = False
    correlation_keys: Mapping[str, tv.TypedValue] = field(default_factory=dict)
    variables: Mapping[str, tv.TypedValue] = field(default_factory=dict)
    all: bool = False
    ttl_ms: int | None = None  # keep an unmatched message this long (None: the configured default; 0: refuse)


@dataclass
class Correlated:
    """One correlation result: a waiting instance that caught the message, or a newly started one."""

    result_type: str  # "Execution", "ProcessDefinition", or "Buffered" (kept until a receiver appears)
    instance: ProcessInstance | None
    buffered: BufferedMessage | None = None


class NoCorrelation(InvalidRequest):
    camunda_type = "RestException"


def correlate(kb: Kuaibao, actor: Actor, cmd: MessageCommand) -> list[Correlated]:
    """Deliver the message in one transaction; nothing matching (or several, without `all`) is an error."""
    require_sender(kb, actor, cmd.tenant_id)
    if not cmd.name:
        raise InvalidRequest("No message name supplied")
    if cmd.tenant_id and cmd.without_tenant_id:
        raise InvalidRequest("Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.")
    values = {n: v.value for n, v in cmd.variables.items()}

    def work(s: Session) -> list[Correlated]:
        waiting = list(s.scalars(_waiting(cmd)))
        if len(waiting) > 1 and not cmd.all:
            raise NoCorrelation(f"Cannot correlate a message with name '{cmd.name}' to a single execution. "
                                f"{len(waiting)} executions match the correlation keys")
        results = []
        for instance_id in waiting:
            instance = lock_instance(s, instance_id, kb.store.is_postgres)
            gate.run(kb, s, instance,
                     lambda bundle, state, ctx: kb.engine.send_message(bundle, state, cmd.name, values, ctx),
                     f"Cannot correlate message '{cmd.name}'", cmd.variables)
            results.append(Correlated("Execution", instance))
            oplog.write(s, actor, "CorrelateMessage", "ProcessInstance", oplog.OPERATOR,
                        [("messageName", None, cmd.name), *oplog.variable_changes(dict(cmd.variables))], instance)
        if not results and cmd.process_instance_id is None:
            definition = _starting_definition(s, cmd)
            if definition is not None:
                started = gate.start_by_event(kb, s, definition, "message", cmd.name, cmd.business_key,
                                              cmd.variables, actor.user_id)
                results.append(Correlated("ProcessDefinition", started))
                oplog.write(s, actor, "CorrelateMessage", "ProcessInstance", oplog.OPERATOR,
                            [("messageName", None, cmd.name), *oplog.variable_changes(dict(cmd.variables))], started)
        if not results:
            ttl = kb.settings.message_buffer_seconds * 1000 if cmd.ttl_ms is None else cmd.ttl_ms
            if ttl > 0:
                return [Correlated("Buffered", None, _buffer(s, cmd, ttl))]
            if not cmd.all:
                raise NoCorrelation(f"Cannot correlate message '{cmd.name}': No process definition or execution "
                                    "matches the parameters")
        return results

    return kb.command(work)


def _buffer(s: Session, cmd: MessageCommand, ttl_ms: int) -> BufferedMessage:
    """Keep the message; the gate delivers it when a matching subscription appears (before it expires)."""
    message = BufferedMessage(
        id=new_id(), name=cmd.name, business_key=cmd.business_key, process_instance_id=cmd.process_instance_id,
        tenant_id=cmd.tenant_id,
        correlation_keys=json.dumps({n: tv.to_columns(v)["value"] for n, v in cmd.correlation_keys.items()})
        if cmd.correlation_keys else None,
        variables=json.dumps({n: tv.to_rest(v) for n, v in cmd.variables.items()}, default=str),
        expires=utcnow() + timedelta(milliseconds=ttl_ms), created=utcnow())
    s.execute(delete(BufferedMessage).where(BufferedMessage.expires <= utcnow()))
    s.add(message)
    return message


def _waiting(cmd: MessageCommand):
    pi = ProcessInstance
    stmt = (select(pi.id).join(EventSubscription, EventSubscription.process_instance_id == pi.id)
            .where(EventSubscription.event_type == MESSAGE, EventSubscription.event_name == cmd.name,
                   pi.state == ACTIVE, pi.suspended.is_(False)).distinct())
    if cmd.business_key is not None:
        stmt = stmt.where(pi.business_key == cmd.business_key)
    if cmd.process_instance_id is not None:
        stmt = stmt.where(pi.id == cmd.process_instance_id)
    if cmd.tenant_id:
        stmt = stmt.where(pi.tenant_id == cmd.tenant_id)
    if cmd.without_tenant_id:
        stmt = stmt.where(pi.tenant_id.is_(None))
    for name, typed in cmd.correlation_keys.items():
        stmt = stmt.where(exists().where(Variable.process_instance_id == pi.id, Variable.name == name,
                                         Variable.value == tv.to_columns(typed)["value"]))
    return stmt.order_by(pi.id)


def _starting_definition(s: Session, cmd: MessageCommand) -> ProcessDefinition | None:
    """The latest version of each process whose start event catches this message (at most one may)."""
    pd = ProcessDefinition
    latest = select(pd.key, func.max(pd.version).label("v")).group_by(pd.key).subquery()
    stmt = select(pd).join(latest, (latest.c.key == pd.key) & (latest.c.v == pd.version)).where(
        pd.start_message == cmd.name)
    stmt = stmt.where(pd.tenant_id == cmd.tenant_id) if cmd.tenant_id else stmt.where(pd.tenant_id.is_(None))
    found = list(s.scalars(stmt))
    if len(found) > 1:
        raise NoCorrelation(f"Cannot correlate message '{cmd.name}': more than one process definition "
                            f"({', '.join(d.key for d in found)}) starts with it")
    return found[0] if found else None
