"""Suspend and activate process instances and definitions (Camunda's PUT …/suspended).

A suspended instance keeps its state but does not move: its jobs are not executed, its external tasks are not
fetched, its user tasks cannot be completed and messages do not reach it (the gate refuses). A suspended
definition cannot be started; with `include_instances` its running instances are suspended too."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ACTIVE, ExternalTask, Job, ProcessDefinition, ProcessInstance
from . import authz, oplog, permissions
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .instances import readable_instance


def suspend_instance(kb: Kuaibao, actor: Actor, instance_id: str, suspended: bool | None) -> None:
    """UPDATE on the instance or UPDATE_INSTANCE on its definition; the instance and the instances it called."""
    if suspended is None:
        raise InvalidRequest("Parameter 'suspended' is required")

    def work(s: Session) -> None:
        instance = readable_instance(kb, s, actor, instance_id)
        if not authz.policy(kb, actor, s).may_update_instance(instance):
            raise authz.forbidden(actor, permissions.UPDATE, permissions.PROCESS_INSTANCE, instance_id)
        before = instance.suspended
        _set(s, _tree(s, [instance_id]), suspended)
        oplog.write(s, actor, "Suspend" if suspended else "Activate", "ProcessInstance", oplog.OPERATOR,
                    [("suspensionState", _state(before), _state(suspended))], instance)
    kb.command(work)


def suspend_definitions(kb: Kuaibao, actor: Actor, suspended: bool | None, definition_id: str | None = None,
                        key: str | None = None, include_instances: bool = False) -> None:
    """One definition by id, or every version of a key; UPDATE on the definition (its running instances too,
    with `include_instances`, which needs UPDATE_INSTANCE as well)."""
    if suspended is None:
        raise InvalidRequest("Parameter 'suspended' is required")

    def work(s: Session) -> None:
        pd = ProcessDefinition
        found = list(s.scalars(select(pd).where(pd.id == definition_id if definition_id else pd.key == key)))
        if not found:
            raise NotFound(f"No process definition found for {'id ' + definition_id if definition_id else 'key ' + str(key)}")
        pol = authz.policy(kb, actor, s)
        for definition in found:
            pol.require(permissions.PROCESS_DEFINITION, permissions.UPDATE, definition.key)
            if include_instances:
                pol.require(permissions.PROCESS_DEFINITION, permissions.UPDATE_INSTANCE, definition.key)
        ids = [d.id for d in found]
        s.execute(update(pd).where(pd.id.in_(ids)).values(suspended=suspended))
        if include_instances:
            running = list(s.scalars(select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(ids),
                                                                      ProcessInstance.state == ACTIVE)))
            if running:
                _set(s, _tree(s, running), suspended)
        for definition in found:
            oplog.write(s, actor, "Suspend" if suspended else "Activate", "ProcessDefinition", oplog.OPERATOR,
                        [("suspensionState", _state(definition.suspended), _state(suspended)),
                         ("includeProcessInstances", None, include_instances)],
                        process_definition_id=definition.id, process_definition_key=definition.key,
                        deployment_id=definition.deployment_id)
    kb.command(work)


def _tree(s: Session, roots: list[str]) -> list[str]:
    """The instances and every running instance they called."""
    ids, frontier = list(roots), list(roots)
    while frontier:
        frontier = list(s.scalars(select(ProcessInstance.id).where(
            ProcessInstance.super_process_instance_id.in_(frontier), ProcessInstance.state == ACTIVE)))
        ids += frontier
    return ids


def _set(s: Session, instance_ids: list[str], suspended: bool) -> None:
    s.execute(update(ProcessInstance).where(ProcessInstance.id.in_(instance_ids), ProcessInstance.state == ACTIVE)
              .values(suspended=suspended, version=ProcessInstance.version + 1))
    s.execute(update(Job).where(Job.process_instance_id.in_(instance_ids)).values(suspended=suspended))
    s.execute(update(ExternalTask).where(ExternalTask.process_instance_id.in_(instance_ids))
              .values(suspended=suspended))


def _state(suspended: bool) -> str:
    return "suspended" if suspended else "active"
