"""Which instances the tracker shows a caller: the authorization policy's history filter, narrowed for monthly lists.

The policy treats a whole call tree as one case: whoever was offered or worked a task anywhere in it may read all
of it (Camunda's default, right for a claim and the appraisal and payment it calls). A monthly outlet list is not
one case, though: its tree holds the enrolment of every outlet on the list, so an outlet offered its own
application would read its neighbours' enrolments (and why they are out of scope). For the list and the instances
it starts, the tracker therefore counts involvement in the instance itself: its own tasks, its start user, a grant
on it (its reader groups), or a grant on every instance or on its definition (managers, process managers).
"""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from ..models import Authorization, HistoryActivity, ProcessInstance, TaskCandidate
from ..models.authorization import GRANT
from . import authz
from . import permissions as p
from .context import Actor, Kuaibao

MONTHLY_LIST = "monthly_outlet_list"
_CALLER = aliased(ProcessInstance, name="list_caller")


def readable(kb: Kuaibao, actor: Actor, s, pi=ProcessInstance) -> list:
    """WHERE conditions: instances (`pi`, possibly an alias) the caller may follow in the tracker."""
    pol = authz.policy(kb, actor, s)
    where = pol.instance_filter(pi, history=True)
    if where is None:
        return []
    return [where, or_(~_of_a_monthly_list(pi), _involved_itself(pol, actor, pi))]


def _of_a_monthly_list(pi):
    caller = _CALLER
    return or_(pi.definition_key == MONTHLY_LIST,
               pi.super_process_instance_id.in_(select(caller.id).where(caller.definition_key == MONTHLY_LIST)))


def _involved_itself(pol: authz.Policy, actor: Actor, pi):
    a, ha, tc = Authorization, HistoryActivity, TaskCandidate
    every = pol.scope(p.PROCESS_INSTANCE, p.READ).condition(pi.id)
    by_definition = pol.scope(p.PROCESS_DEFINITION, p.READ_INSTANCE, p.READ_HISTORY).condition(pi.definition_key)
    granted = exists().where(a.resource_type == p.PROCESS_INSTANCE, a.type == GRANT, a.resource_id == pi.id,
                             pol.grantee(), a.permissions.op("&")(p.READ) == p.READ)
    # the instance's activities by index, each one's candidates by task id (see authz._implicit_instance_reach)
    had_task = exists().where(ha.process_instance_id == pi.id,
                              exists().where(tc.task_id == ha.id, pol.offered_to(tc)))
    worked = exists().where(ha.process_instance_id == pi.id, ha.assignee == actor.user_id)
    return or_(every, by_definition, granted, had_task, worked, pi.start_user_id == actor.user_id)
