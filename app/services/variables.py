"""Read and change the process variables of a running instance."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy.orm import Session

from . import authz, gate, oplog, permissions
from . import typed_values as tv
from .context import Actor, Kuaibao
from .errors import NotFound
from .instances import readable_instance
from .persistence import load_variables, lock_instance


def get_variables(kb: Kuaibao, actor: Actor, instance_id: str, names: list[str] | None = None,
                  ) -> dict[str, tv.TypedValue]:
    """All (or the named) variables of a running instance the caller may read, from the variable table."""
    def work(s: Session):
        readable_instance(kb, s, actor, instance_id)
        return load_variables(s, instance_id, names)
    return kb.read(work)


def get_variable(kb: Kuaibao, actor: Actor, instance_id: str, name: str) -> tv.TypedValue:
    found = get_variables(kb, actor, instance_id, [name]).get(name)
    if found is None:
        raise NotFound(f"process instance variable with name {name} does not exist")
    return found


def modify_variables(kb: Kuaibao, actor: Actor, instance_id: str, modifications: Mapping[str, tv.TypedValue],
                     deletions: list[str] | tuple[str, ...] = ()) -> None:
    """Set and delete variables in every live branch of the instance, in one transaction (UPDATE on the
    instance or UPDATE_INSTANCE on its definition)."""
    def check(s: Session) -> None:
        instance = readable_instance(kb, s, actor, instance_id)
        if not authz.policy(kb, actor, s).may_update_instance(instance):
            raise authz.forbidden(actor, permissions.UPDATE, permissions.PROCESS_INSTANCE, instance_id)
    kb.read(check)
    change_variables(kb, actor, instance_id, modifications, deletions)


def change_variables(kb: Kuaibao, actor: Actor, instance_id: str, modifications: Mapping[str, tv.TypedValue],
                     deletions=(), task_id: str | None = None) -> None:
    """The write path shared by instance and task variable endpoints (authorization is the caller's); the
    operation log keeps each variable's old and new value."""
    def work(s: Session) -> None:
        instance = lock_instance(s, instance_id, kb.store.is_postgres)
        if instance is None or instance.state != "ACTIVE":
            raise NotFound(f"Process instance with id {instance_id} does not exist")
        before = load_variables(s, instance_id, [*modifications, *deletions]) if modifications or deletions else {}
        values = {n: v.value for n, v in modifications.items()}
        gate.run(kb, s, instance,
                 lambda bundle, state, ctx: kb.engine.set_variables(bundle, state, values, list(deletions), ctx),
                 f"Cannot modify variables for process instance {instance_id}", modifications, even_if_suspended=True)
        if modifications:
            oplog.write(s, actor, "SetVariable", "Variable", oplog.OPERATOR,
                        oplog.variable_changes(dict(modifications), (), before), instance, task_id=task_id)
        if deletions:
            oplog.write(s, actor, "RemoveVariable", "Variable", oplog.OPERATOR,
                        oplog.variable_changes({}, deletions, before), instance, task_id=task_id)

    kb.command(work)
