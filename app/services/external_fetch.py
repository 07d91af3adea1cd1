"""Acquire external tasks for a worker (no two workers get the same task) and show it what it asked for."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ..models import ACTIVE, ExternalTask, ProcessDefinition, ProcessInstance, Variable, utcnow
from . import typed_values as tv
from .context import Kuaibao
from .external_queries import ExternalTaskView, with_version_tag
from .queries import Sorting, apply_sorting

ET, PI = ExternalTask, ProcessInstance


@dataclass
class FetchTopic:
    """One entry of fetchAndLock's `topics`: which tasks, how long to lock them, what to return."""

    topic_name: str | None = None
    lock_duration: int | None = None  # milliseconds
    variables: list[str] | None = None  # None: all variables; []: none
    local_variables: bool = False  # process scope is the only scope here, so this changes nothing
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_id_in: list[str] | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    process_definition_version_tag: str | None = None
    without_tenant_id: bool = False
    tenant_id_in: list[str] | None = None
    process_variables: Mapping[str, Any] | None = None  # name -> value; a task matches if ANY is equal
    deserialize_values: bool = False
    include_extension_properties: bool = False


@dataclass
class FetchCommand:
    """Camunda's FetchExternalTasksDto, in snake case."""

    worker_id: str | None
    max_tasks: int = 0
    topics: list[FetchTopic] = field(default_factory=list)
    use_priority: bool = False
    sorting: list[Sorting] = field(default_factory=list)
    async_response_timeout: int | None = None  # milliseconds
    tenants: frozenset[str] | None = None  # the worker's tenants (tenant check); None: administrators, no check


def _topic_condition(topic: FetchTopic):
    conditions = [ET.topic == topic.topic_name]
    if topic.business_key is not None:
        conditions.append(ET.business_key == topic.business_key)
    if topic.process_definition_id is not None:
        conditions.append(ET.process_definition_id == topic.process_definition_id)
    if topic.process_definition_id_in:
        conditions.append(ET.process_definition_id.in_(topic.process_definition_id_in))
    if topic.process_definition_key is not None:
        conditions.append(ET.process_definition_key == topic.process_definition_key)
    if topic.process_definition_key_in:
        conditions.append(ET.process_definition_key.in_(topic.process_definition_key_in))
    if topic.process_definition_version_tag is not None:
        conditions.append(exists().where(ProcessDefinition.id == ET.process_definition_id,
                                         ProcessDefinition.version_tag == topic.process_definition_version_tag))
    if topic.without_tenant_id:
        conditions.append(ET.tenant_id.is_(None))
    elif topic.tenant_id_in:
        conditions.append(ET.tenant_id.in_(topic.tenant_id_in))
    if topic.process_variables:
        # Camunda's SQL ORs the entries (ExternalTask.xml, selectExternalTasksForTopics); so do we
        conditions.append(or_(*[exists().where(
            Variable.process_instance_id == ET.process_instance_id, Variable.name == name,
            Variable.value == tv.to_columns(tv.TypedValue(tv.infer(value), value))["value"])
            for name, value in topic.process_variables.items()]))
    return and_(*conditions)


def _fetchable(now: datetime):
    return and_(or_(ET.lock_expiration.is_(None), ET.lock_expiration <= now),
                or_(ET.retries.is_(None), ET.retries > 0), ET.suspended.is_(False))


def acquire(kb: Kuaibao, cmd: FetchCommand) -> tuple[list[ExternalTaskView], datetime | None]:
    """Lock up to max_tasks tasks for the worker in one transaction. With none, also say when the
    earliest lock on these topics runs out (a long poll wakes up then)."""
    topics = {t.topic_name: t for t in cmd.topics}  # a repeated topic: the last entry wins, as in Camunda

    def work(s: Session):
        now = utcnow()
        if not topics or cmd.max_tasks <= 0:
            return [], None
        active = select(PI.id).where(PI.id == ET.process_instance_id, PI.state == ACTIVE, PI.suspended.is_(False))
        stmt = select(ET.id, ET.topic).where(_fetchable(now), active.exists(),
                                             or_(*[_topic_condition(t) for t in topics.values()]))
        if cmd.tenants is not None:
            stmt = stmt.where(or_(ET.tenant_id.is_(None), ET.tenant_id.in_(sorted(cmd.tenants))))
        if cmd.use_priority:
            stmt = stmt.order_by(ET.priority.desc())
        stmt = apply_sorting(stmt, cmd.sorting, {"createTime": ET.created}).order_by(ET.created, ET.id)
        stmt = stmt.limit(cmd.max_tasks)
        if kb.store.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=ET)
        chosen = s.execute(stmt).all()
        if not chosen:
            return [], _next_expiry(s, list(topics), now)
        for name in {topic for _, topic in chosen}:
            ids = [task_id for task_id, topic in chosen if topic == name]
            expiry = now + timedelta(milliseconds=topics[name].lock_duration)
            # conditional: a task someone else locked meanwhile stays theirs
            s.execute(update(ET).where(ET.id.in_(ids), _fetchable(now))
                      .values(worker_id=cmd.worker_id, lock_expiration=expiry))
        rows = s.execute(with_version_tag(select(ET, ProcessDefinition.version_tag))
                         .where(ET.id.in_([i for i, _ in chosen]), ET.worker_id == cmd.worker_id)).all()
        order = {task_id: n for n, (task_id, _) in enumerate(chosen)}
        rows.sort(key=lambda row: order[row[0].id])
        return _views(kb, s, rows, topics), None

    return kb.command(work)


def _next_expiry(s: Session, topics: list[str], now: datetime) -> datetime | None:
    return s.scalar(select(func.min(ET.lock_expiration)).where(
        ET.topic.in_(topics), ET.lock_expiration > now, or_(ET.retries.is_(None), ET.retries > 0)))


def _views(kb: Kuaibao, s: Session, rows, topics: Mapping[str, FetchTopic]) -> list[ExternalTaskView]:
    wanted = [topics[task.topic].variables for task, _ in rows]
    variables = _variables(s, [task.process_instance_id for task, _ in rows], wanted)
    views = []
    for (task, tag), names in zip(rows, wanted):
        topic = topics[task.topic]
        values = variables.get(task.process_instance_id, {})
        views.append(ExternalTaskView(
            task, tag, values if names is None else {n: v for n, v in values.items() if n in names},
            extension_properties(kb, s, task.process_definition_id, task.activity_id)
            if topic.include_extension_properties else {}, topic.deserialize_values))
    return views


def _variables(s: Session, instance_ids: list[str], wanted: list[list[str] | None]) -> dict[str, dict]:
    """Typed process variables of several instances in one query, limited to the names anyone asked for."""
    stmt = select(Variable.process_instance_id, Variable.name, Variable.type, Variable.value,
                  Variable.value_info).where(Variable.process_instance_id.in_(set(instance_ids)))
    if all(names is not None for names in wanted):
        names = set().union(*wanted)
        if not names:
            return {}
        stmt = stmt.where(Variable.name.in_(names))
    result: dict[str, dict] = {}
    for instance_id, name, kind, value, info in s.execute(stmt):
        result.setdefault(instance_id, {})[name] = tv.from_columns(kind, value, info)
    return result


_PROPERTIES: OrderedDict[str, dict[str, dict[str, str]]] = OrderedDict()
_PROPERTIES_LOCK = threading.Lock()
_PROPERTIES_SIZE = 512


def extension_properties(kb: Kuaibao, s: Session, definition_id: str, activity_id: str) -> dict[str, str]:
    """The activity's camunda:properties, read once per (immutable) definition from its stored spec."""
    with _PROPERTIES_LOCK:
        by_activity = _PROPERTIES.get(definition_id)
        if by_activity is not None:
            _PROPERTIES.move_to_end(definition_id)
    if by_activity is None:
        data = json.loads(kb.specs.get(s, definition_id).text)
        by_activity = {}
        for spec in [data["spec"], *data.get("subprocess_specs", {}).values()]:
            for task_spec in spec.get("task_specs", {}).values():
                if task_spec.get("bpmn_id"):
                    # the parser keeps camunda:* attributes beside the properties; properties have plain names
                    by_activity[task_spec["bpmn_id"]] = {
                        k: v for k, v in (task_spec.get("extensions") or {}).items()
                        if isinstance(v, str) and not k.startswith("camunda:")}
        with _PROPERTIES_LOCK:
            _PROPERTIES[definition_id] = by_activity
            while len(_PROPERTIES) > _PROPERTIES_SIZE:
                _PROPERTIES.popitem(last=False)
    return dict(by_activity.get(activity_id, {}))
