"""Read and change the process variables of a running instance."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy.orm import Session

from . import gate
from . import typed_values as tv
from .context import Actor, Kuaibao
from .deployments import require_manager
from .errors import NotFound
from .instances import active_instance
from .persistence import load_variables, lock_instance


def get_variables(kb: Kuaibao, actor: Actor, instance_id: str, names: list[str] | None = None,
                  ) -> dict[str, tv.TypedValue]:
    """All (or the named) variables of a running instance, from the variable table."""
    require_manager(actor)

    def work(s: Session):
        active_instance(s, instance_id)
        return load_variables(s, instance_id, names)
    return kb.read(work)


def get_variable(kb: Kuaibao, actor: Actor, instance_id: str, name: str) -> tv.TypedValue:
    found = get_variables(kb, actor, instance_id, [name]).get(name)
    if found is None:
        raise NotFound(f"process instance variable with name {name} does not exist")
    return found


def modify_variables(kb: Kuaibao, actor: Actor, instance_id: str, modifications: Mapping[str, tv.TypedValue],
                     deletions: list[str] | tuple[str, ...] = ()) -> None:
    """Set and delete variables in every live branch of the instance, in one transaction."""
    require_manager(actor)
    change_variables(kb, instance_id, modifications, deletions)


def change_variables(kb: Kuaibao, instance_id: str, modifications: Mapping[str, tv.TypedValue],
                     deletions=()) -> None:
    """The write path shared by instance and task variable endpoints (authorization is the caller's)."""
    def work(s: Session) -> None:
        instance = lock_instance(s, instance_id, kb.store.is_postgres)
        if instance is None or instance.state != "ACTIVE":
            raise NotFound(f"Process instance with id {instance_id} does not exist")
        values = {n: v.value for n, v in modifications.items()}
        gate.run(kb, s, instance,
                 lambda bundle, state, ctx: kb.engine.set_variables(bundle, state, values, list(deletions), ctx),
                 f"Cannot modify variables for process instance {instance_id}", modifications)

    kb.command(work)
