"""The one gate for workflow-state changes: every start, completion, message, call and variable change of
an instance runs the engine here and persists its outcome here, including what cascades from it
(called instances started, a caller resumed when its called instance ends)."""
from __future__ import annotations

import json
import time
from typing import Callable, Mapping

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..engine import readers
from ..engine.errors import EngineError
from ..engine.runtime import CallRequest, Context, Outcome
from ..engine.serializer import SpecBundle
from ..models import (
    ACTIVE,
    BufferedMessage,
    EventSubscription,
    ProcessDefinition,
    ProcessInstance,
    Tenant,
    new_id,
    utcnow,
)
from . import history_writer
from . import typed_values as tv
from .authorizations import grant_readers
from .context import Kuaibao
from .errors import EngineFailure, Suspended
from .persistence import load_variables, lock_instance, write_outcome

Step = Callable[[SpecBundle, str, Context], Outcome]
MAX_CALL_DEPTH = 32


def context(kb: Kuaibao, session: Session, instance: ProcessInstance) -> Context:
    """What diagram code and handlers may see of the instance (handlers also get the pack's records)."""
    records = kb.records_factory(session) if kb.records_factory else None
    return Context(instance.business_key, instance.id, records,
                   lambda key: kb.decisions.latest(session, key, instance.tenant_id))


def run(kb: Kuaibao, session: Session, instance: ProcessInstance, step: Step, failure: str,
        declared: Mapping[str, tv.TypedValue] | None = None, even_if_suspended: bool = False) -> Outcome:
    """Run one engine step on a stored instance and persist everything it caused. A suspended instance does not
    move (only its variables may change: `even_if_suspended`)."""
    if instance.suspended and not even_if_suspended:
        raise Suspended(f"{failure}: ProcessInstance with id '{instance.id}' is suspended")
    try:
        outcome = step(kb.specs.get(session, instance.definition_id), instance.workflow,
                       context(kb, session, instance))
    except EngineError as e:
        raise EngineFailure(f"{failure}: {e}") from e
    _persist(kb, session, instance, outcome, declared, is_new=False)
    return outcome


def start_instance(kb: Kuaibao, session: Session, definition: ProcessDefinition, business_key: str | None,
                   variables: Mapping[str, tv.TypedValue], start_user: str | None,
                   caller: ProcessInstance | None = None, call: CallRequest | None = None,
                   past_start_timer: bool = False) -> ProcessInstance:
    """Create and run a new instance (directly, or for a caller's call activity)."""
    if definition.suspended:
        raise EngineFailure(f"Cannot instantiate process definition {definition.id}: it is suspended")
    instance = ProcessInstance(
        id=new_id(), definition_id=definition.id, definition_key=definition.key, business_key=business_key,
        tenant_id=definition.tenant_id or (caller.tenant_id if caller else _provided_tenant(kb, session, variables)),
        state=ACTIVE, suspended=False, version=1, start_time=utcnow(), start_user_id=start_user,
        super_process_instance_id=caller.id if caller else None, super_task_id=call.task_id if call else None,
        root_process_instance_id=(caller.root_process_instance_id or caller.id) if caller else None)
    form = json.loads(definition.start_form) if definition.start_form else {}
    initiator = (form["initiator"], start_user) if form.get("initiator") and start_user else None
    try:
        outcome = kb.engine.start(kb.specs.get(session, definition.id), {n: v.value for n, v in variables.items()},
                                  context(kb, session, instance), initiator, past_start_timer)
    except EngineError as e:
        raise EngineFailure(f"Cannot instantiate process definition {definition.id}: {e}") from e
    _persist(kb, session, instance, outcome, variables, is_new=True)
    if definition.reader_groups:
        grant_readers(session, instance, readers.evaluate(definition.reader_groups, outcome.variables,
                                                          kb.engine.limits))
    return instance


def _provided_tenant(kb: Kuaibao, session: Session, variables: Mapping[str, tv.TypedValue]) -> str | None:
    """Kuaibao's TenantIdProvider for shared definitions: a new root instance belongs to the tenant named by
    its start variable TENANT_VARIABLE (in Jilin, `region`), when such a tenant exists."""
    name = kb.settings.tenant_variable
    value = variables.get(name).value if name and name in variables else None
    if not isinstance(value, str) or not value:
        return None
    key, now = (id(kb), value), time.monotonic()
    known = _TENANTS.get(key)
    if known is None or known[1] < now:  # tenants change rarely: remembered for AUTH_CACHE_SECONDS
        known = (session.get(Tenant, value) is not None, now + kb.settings.auth_cache_seconds)
        if len(_TENANTS) > 10_000:
            _TENANTS.clear()
        _TENANTS[key] = known
    return value if known[0] else None


_TENANTS: dict[tuple[int, str], tuple[bool, float]] = {}


def forget_tenants() -> None:
    """A tenant was created or deleted in this process: look again."""
    _TENANTS.clear()


def _persist(kb: Kuaibao, session: Session, instance: ProcessInstance, outcome: Outcome,
             declared: Mapping[str, tv.TypedValue] | None, is_new: bool) -> None:
    write_outcome(session, instance, outcome, declared, is_new)
    for call in outcome.calls:
        _start_called(kb, session, instance, call)
    for name, payload in outcome.signals_thrown:
        broadcast_signal(kb, session, name, {k: tv.TypedValue(tv.infer(v), v) for k, v in payload.items()},
                         instance.tenant_id, exclude=instance.id)
    if outcome.subscriptions_changed and not outcome.ended:
        _deliver_buffered(kb, session, instance, outcome)
    if outcome.ended and instance.super_process_instance_id:
        _resume_caller(kb, session, instance, outcome.variables)


def broadcast_signal(kb: Kuaibao, session: Session, name: str, variables: Mapping[str, tv.TypedValue],
                     tenant_id: str | None = None, only_instance: str | None = None,
                     exclude: str | None = None, start_user: str | None = None) -> list[ProcessInstance]:
    """A signal reaches every instance waiting for it and starts every process whose start event it is."""
    pi = ProcessInstance
    stmt = (select(pi.id).join(EventSubscription, EventSubscription.process_instance_id == pi.id)
            .where(EventSubscription.event_type == "SignalEventDefinition", EventSubscription.event_name == name,
                   pi.state == ACTIVE, pi.suspended.is_(False)).distinct())
    if tenant_id:
        stmt = stmt.where(pi.tenant_id == tenant_id)
    if only_instance:
        stmt = stmt.where(pi.id == only_instance)
    if exclude:
        stmt = stmt.where(pi.id != exclude)
    values = {n: v.value for n, v in variables.items()}
    reached = []
    for instance_id in list(session.scalars(stmt.order_by(pi.id))):
        target = lock_instance(session, instance_id, kb.store.is_postgres)
        run(kb, session, target, lambda bundle, state, ctx: kb.engine.send_signal(bundle, state, name, values, ctx),
            f"Cannot deliver signal '{name}'", variables)
        reached.append(target)
    if only_instance is None:
        pd = ProcessDefinition
        latest = select(pd.key, func.max(pd.version).label("v")).group_by(pd.key).subquery()
        starting = select(pd).join(latest, (latest.c.key == pd.key) & (latest.c.v == pd.version)).where(
            pd.start_signal == name)
        for definition in list(session.scalars(starting)):
            reached.append(start_by_event(kb, session, definition, "signal", name, None, variables, start_user))
    return reached


def start_by_event(kb: Kuaibao, session: Session, definition: ProcessDefinition, kind: str, name: str,
                   business_key: str | None, variables: Mapping[str, tv.TypedValue],
                   start_user: str | None) -> ProcessInstance:
    """Start an instance whose start event waits for a message or signal, and hand it that event."""
    instance = start_instance(kb, session, definition, business_key, variables, start_user)
    values = {n: v.value for n, v in variables.items()}
    send = kb.engine.send_message if kind == "message" else kb.engine.send_signal
    run(kb, session, instance, lambda bundle, state, ctx: send(bundle, state, name, values, ctx),
        f"Cannot start process definition {definition.id} with {kind} '{name}'", variables)
    return instance


def _deliver_buffered(kb: Kuaibao, session: Session, instance: ProcessInstance, outcome: Outcome) -> None:
    """A message that arrived before this instance waited for it is delivered now (oldest first)."""
    names = {s.name for s in outcome.subscriptions if s.event_type == "MessageEventDefinition"}
    if not names:
        return
    buffered = BufferedMessage
    candidates = list(session.scalars(select(buffered).where(
        buffered.name.in_(names), buffered.expires > utcnow(),
        or_(buffered.business_key.is_(None), buffered.business_key == instance.business_key),
        or_(buffered.process_instance_id.is_(None), buffered.process_instance_id == instance.id),
        or_(buffered.tenant_id.is_(None), buffered.tenant_id == instance.tenant_id)).order_by(buffered.created)))
    for message in candidates:
        wanted = json.loads(message.correlation_keys) if message.correlation_keys else {}
        if wanted:
            have = load_variables(session, instance.id, list(wanted))
            if any(name not in have or tv.to_columns(have[name])["value"] != value for name, value in wanted.items()):
                continue
        claimed = session.execute(delete(buffered).where(buffered.id == message.id)).rowcount
        if not claimed:
            continue
        typed = {n: tv.from_rest(n, dto) for n, dto in json.loads(message.variables or "{}").items()}
        values = {n: v.value for n, v in typed.items()}
        run(kb, session, instance,
            lambda bundle, state, ctx: kb.engine.send_message(bundle, state, message.name, values, ctx),
            f"Cannot deliver buffered message '{message.name}'", typed)
        return  # the delivery persisted a new outcome, which delivers any further buffered message


def _start_called(kb: Kuaibao, session: Session, caller: ProcessInstance, call: CallRequest) -> None:
    if _depth(session, caller) >= MAX_CALL_DEPTH:
        raise EngineFailure(f"call activity '{call.activity_id}' nests deeper than {MAX_CALL_DEPTH} instances")
    definition = _called_definition(session, caller, call)
    called = start_instance(kb, session, definition, call.business_key,
                            {n: tv.TypedValue(tv.infer(v), v) for n, v in call.variables.items()},
                            caller.start_user_id, caller, call)
    history_writer.record_call(session, call.task_id, called.id)


def _resume_caller(kb: Kuaibao, session: Session, called: ProcessInstance, variables: Mapping) -> None:
    caller = lock_instance(session, called.super_process_instance_id, kb.store.is_postgres)
    if caller is None or caller.state != ACTIVE:
        return
    run(kb, session, caller,
        lambda bundle, state, ctx: kb.engine.complete_call(bundle, state, called.super_task_id, variables, ctx),
        f"Cannot continue process instance {caller.id} after its called instance {called.id} ended")


def _depth(session: Session, instance: ProcessInstance) -> int:
    depth, current = 0, instance.super_process_instance_id
    while current and depth < MAX_CALL_DEPTH:
        current = session.scalar(select(ProcessInstance.super_process_instance_id)
                                 .where(ProcessInstance.id == current))
        depth += 1
    return depth


def _called_definition(session: Session, caller: ProcessInstance, call: CallRequest) -> ProcessDefinition:
    """Camunda's calledElementBinding: latest (default), deployment, version, versionTag."""
    pd = ProcessDefinition
    stmt = select(pd).where(pd.key == call.called_element)
    if call.binding == "deployment":
        stmt = stmt.where(pd.deployment_id == select(pd.deployment_id).where(pd.id == caller.definition_id)
                          .scalar_subquery())
    elif call.binding == "version" and call.version:
        stmt = stmt.where(pd.version == int(call.version))
    elif call.binding == "versionTag" and call.version_tag:
        stmt = stmt.where(pd.version_tag == call.version_tag)
    found = session.scalar(stmt.order_by(pd.version.desc()).limit(1))
    if found is None:
        raise EngineFailure(f"call activity '{call.activity_id}': no deployed process '{call.called_element}' "
                            f"(binding {call.binding})")
    return found

