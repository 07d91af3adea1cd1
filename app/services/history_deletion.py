"""Delete the history of a finished process instance (and of the instances it called), as
`DELETE /history/process-instance/{id}` does."""
from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, defer

from ..models import Authorization, Comment, HistoryActivity, OperationLog, ProcessInstance, TaskCandidate, Variable
from . import authz, oplog
from . import permissions as p
from .context import Actor, Kuaibao
from .errors import BadUserRequest, NotFound

PI = ProcessInstance


def delete_historic_instance(kb: Kuaibao, actor: Actor, instance_id: str, fail_if_not_exists: bool = True) -> None:
    """Needs DELETE_HISTORY on the definition; an instance the caller may not read does not exist for them; a
    running one is refused (cancel it first)."""
    def work(s: Session) -> None:
        pol = authz.policy(kb, actor, s)
        readable = pol.instance_filter(PI, history=True)
        instance = s.scalar(select(PI).options(defer(PI.workflow))
                            .where(PI.id == instance_id, *([] if readable is None else [readable])))
        if instance is None:
            if fail_if_not_exists:
                raise NotFound(f"Historic process instance with id {instance_id} does not exist")
            return
        if not pol.allows(p.PROCESS_DEFINITION, p.DELETE_HISTORY, instance.definition_key):
            raise authz.forbidden(actor, p.DELETE_HISTORY, p.PROCESS_DEFINITION, instance.definition_key)
        ids = tree(s, instance_id)
        if s.scalar(select(PI.id).where(PI.id.in_(ids), PI.end_time.is_(None)).limit(1)) is not None:
            raise BadUserRequest(f"Process instance is still running, cannot delete historic process instance: "
                                 f"{instance_id}")
        remove_history(s, ids, is_root=instance.super_process_instance_id is None)
        oplog.write(s, actor, "DeleteHistory", "ProcessInstance", oplog.OPERATOR,
                    [("nrOfInstances", None, 1), ("async", None, False)],
                    process_definition_id=instance.definition_id, process_definition_key=instance.definition_key,
                    tenant_id=instance.tenant_id)

    kb.command(work)


def tree(s: Session, instance_id: str) -> list[str]:
    """The instance and every instance it called, directly or not."""
    ids, frontier = [instance_id], [instance_id]
    while frontier:
        frontier = list(s.scalars(select(PI.id).where(PI.super_process_instance_id.in_(frontier))))
        ids += frontier
    return ids


def remove_history(s: Session, ids: list[str], is_root: bool) -> None:
    """Every history row of these instances, then the instances. The foreign keys would cascade most of it;
    deleting explicitly keeps the outcome the same whatever a database enforces."""
    activities = select(HistoryActivity.id).where(HistoryActivity.process_instance_id.in_(ids))
    s.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(activities)))
    s.execute(delete(HistoryActivity).where(HistoryActivity.process_instance_id.in_(ids)))
    s.execute(delete(Variable).where(Variable.process_instance_id.in_(ids)))
    s.execute(delete(Comment).where(Comment.process_instance_id.in_(ids)))
    logged = OperationLog.process_instance_id.in_(ids)
    s.execute(delete(OperationLog).where(or_(logged, OperationLog.root_process_instance_id == ids[0])
                                         if is_root else logged))
    s.execute(delete(Authorization).where(Authorization.root_process_instance_id.in_(ids)))
    s.execute(delete(PI).where(PI.id.in_(ids)))
