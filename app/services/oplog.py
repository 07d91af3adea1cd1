"""The user operation log: every change a person (or a machine login) makes through the services is recorded
in the transaction that makes it, one row per changed property, the rows of one operation sharing an id."""
from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from ..models import OperationLog, ProcessInstance, new_id, utcnow
from .context import Actor

TASK_WORKER, OPERATOR, ADMIN = "TaskWorker", "Operator", "Admin"
MAX_VALUE = 4000
_LOG = OperationLog.__table__

Change = tuple[str | None, Any, Any]  # (property, old value, new value)


def write(session: Session, actor: Actor, operation: str, entity: str, category: str,
          changes: Iterable[Change] = ((None, None, None),), instance: ProcessInstance | None = None,
          **ids: str | None) -> None:
    """Record one operation. `instance` fills in the process ids; `ids` adds deployment_id, task_id, job_id,
    external_task_id, process_definition_id, process_definition_key, tenant_id, annotation. Given only a
    process_instance_id, the root instance's id is looked up within the same INSERT."""
    base = dict(operation_id=new_id(), operation_type=operation, entity_type=entity, category=category,
                user_id=actor.user_id, timestamp=utcnow(), process_instance_id=None, root_process_instance_id=None,
                process_definition_id=None, process_definition_key=None, deployment_id=None, task_id=None,
                job_id=None, external_task_id=None, tenant_id=None, annotation=None)
    if instance is not None:
        base.update(process_instance_id=instance.id,
                    root_process_instance_id=instance.root_process_instance_id or instance.id,
                    process_definition_id=instance.definition_id, process_definition_key=instance.definition_key,
                    tenant_id=instance.tenant_id)
    base.update({k: v for k, v in ids.items() if v is not None})
    rows = [dict(base, id=new_id(), property=prop, org_value=text(old), new_value=text(new))
            for prop, old, new in changes]
    if not rows:
        return
    if base["process_instance_id"] and not base["root_process_instance_id"]:
        for row in rows:
            del row["root_process_instance_id"]
            row["root_of"] = base["process_instance_id"]
        session.execute(_INSERT_FINDING_ROOT, rows)
        return
    session.execute(insert(_LOG), rows)


_INSERT_FINDING_ROOT = insert(_LOG).values(root_process_instance_id=select(
    func.coalesce(ProcessInstance.root_process_instance_id, ProcessInstance.id)).where(
    ProcessInstance.id == bindparam("root_of")).scalar_subquery())


def text(value: Any) -> str | None:
    """How a value is shown in the log: strings as they are, anything else as JSON; cut to MAX_VALUE."""
    if value is None:
        return None
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= MAX_VALUE else shown[:MAX_VALUE - 1] + "…"


def variable_changes(modifications: dict, deletions: Iterable[str] = (), before: dict | None = None
                     ) -> list[Change]:
    """One change per set or removed variable, with the value it had before when known."""
    before = before or {}
    changes: list[Change] = [(name, _plain(before.get(name)), _plain(value)) for name, value in modifications.items()]
    changes += [(name, _plain(before.get(name)), None) for name in deletions]
    return changes


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)
