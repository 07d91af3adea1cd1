"""Who may see and do what: Camunda's authorization model, tenant check and Kuaibao's implicit grants.

A decision combines three things:

- **Authorization rows** (`authorization_rule`): GRANT, REVOKE or GLOBAL on (resource type, resource id or
  `*`) for a user or group. A user's own rows decide first, then their groups' rows, then global rows; at
  one level a revoke beats a grant. Administrators (ADMIN_GROUP) bypass every check.
- **Implicit grants**, as Camunda's default authorizations: the assignee, owner and candidates of a task may
  read and work on it; whoever was offered or worked a task of an instance, or started it, may read that
  instance and the instances it called (not its siblings), with their history; the reader groups a process
  declares may read its instances and what they call.
- **Tenant check**: a non-administrator sees only data of their tenants (in Jilin: their region), plus data
  that has no tenant.

Lists and counts are filtered in SQL with the predicates below, so a page never contains what the caller
may not read. The rows that are not specific to one instance are few; they are loaded once per caller
and cached briefly (AUTH_CACHE_SECONDS; changes made in this process apply at once).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from ..models import Authorization, HistoryActivity, ProcessInstance, Task, TaskCandidate
from ..models.authorization import GLOBAL, GRANT, REVOKE
from . import permissions as p
from .context import Actor, Kuaibao
from .errors import Forbidden

A, HA, TC = Authorization, HistoryActivity, TaskCandidate
# Names of their own for the tables the instance predicates look into, so that they stay correlated to the right
# rows when the caller's query is itself on one of these tables (made once: building aliases is not cheap).
_REACH_HA, _REACH_TC = aliased(HA, name="reach_activity"), aliased(TC, name="reach_candidate")
_READABLE_PI = aliased(ProcessInstance, name="readable_instance")


@dataclass(frozen=True)
class Rule:
    type: int
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str
    permissions: int


@dataclass(frozen=True)
class Scope:
    """Which resource ids of a type a permission reaches: every one (but `excluded`), or just `ids`."""

    every: bool
    ids: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def condition(self, column):
        if self.every:
            return column.not_in(sorted(self.excluded)) if self.excluded else true()
        return column.in_(sorted(self.ids)) if self.ids else false()


class Policy:
    """The authorization rows that concern one caller, and the decisions they make."""

    def __init__(self, actor: Actor, rules: list[Rule]):
        self.actor = actor
        self.rules = rules
        self._instance_filters: dict[tuple[bool, bool], object] = {}  # built once per policy: building costs

    @property
    def bypass(self) -> bool:
        return self.actor.is_admin

    def allows(self, resource_type: int, permission: int, resource_id: str = "*") -> bool:
        if self.bypass:
            return True
        ids = ("*",) if resource_id == "*" else (resource_id, "*")
        matching = [r for r in self.rules if r.resource_type == resource_type and r.resource_id in ids]
        for level in (lambda r: r.user_id == self.actor.user_id and r.type != GLOBAL,
                      lambda r: r.group_id is not None and r.group_id in self.actor.groups,
                      lambda r: r.type == GLOBAL):
            rules = [r for r in matching if level(r)]
            if any(r.type == REVOKE and r.permissions & permission for r in rules):
                return False
            if any(r.type != REVOKE and r.permissions & permission == permission for r in rules):
                return True
        return False

    def any_of(self, resource_type: int, permissions: tuple[int, ...], resource_id: str = "*") -> bool:
        return any(self.allows(resource_type, perm, resource_id) for perm in permissions)

    def scope(self, resource_type: int, *permissions: int) -> Scope:
        """The ids `permissions` (any one of them) reach on a resource type."""
        if self.bypass:
            return Scope(True)
        named = {r.resource_id for r in self.rules if r.resource_type == resource_type and r.resource_id != "*"}
        if self.any_of(resource_type, permissions):
            return Scope(True, excluded=frozenset(i for i in named if not self.any_of(resource_type, permissions, i)))
        return Scope(False, ids=frozenset(i for i in named if self.any_of(resource_type, permissions, i)))

    def require(self, resource_type: int, permission: int, resource_id: str = "*",
                also: tuple[tuple[int, int, str], ...] = ()) -> None:
        """Forbidden unless the permission (or one of the `also` alternatives) is granted."""
        if self.allows(resource_type, permission, resource_id) or any(self.allows(*alt) for alt in also):
            return
        raise forbidden(self.actor, permission, resource_type, resource_id)

    # --- SQL predicates -----------------------------------------------------------------------------

    def tenant_ok(self, column):
        """Camunda's tenant check: the caller's tenants, and data without a tenant."""
        if self.bypass:
            return true()
        tenants = sorted(self.actor.tenants)
        return or_(column.is_(None), column.in_(tenants)) if tenants else column.is_(None)

    def grantee(self):
        """Authorization rows that speak of the caller: theirs, their groups', global ones."""
        who = [A.user_id == self.actor.user_id, A.type == GLOBAL]
        if self.actor.groups:
            who.append(A.group_id.in_(sorted(self.actor.groups)))
        return or_(*who)

    def offered_to(self, candidate=TC):
        """Candidate rows that offer a task to the caller, by name or through a group."""
        who = [candidate.user_id == self.actor.user_id]
        if self.actor.groups:
            who.append(candidate.group_id.in_(sorted(self.actor.groups)))
        return or_(*who)

    def instance_filter(self, pi=ProcessInstance, history: bool = False):
        """Process instances the caller may read (`history`: also READ_HISTORY, for /history queries)."""
        if self.bypass:
            return None
        key = (pi is _READABLE_PI, history)
        known = pi is ProcessInstance or pi is _READABLE_PI  # other aliases are the caller's, made per query
        if known and key in self._instance_filters:
            return self._instance_filters[key]
        perms = (p.READ_INSTANCE, p.READ_HISTORY) if history else (p.READ_INSTANCE,)
        everything = self.scope(p.PROCESS_INSTANCE, p.READ)
        if history:
            everything = _union(everything, self.scope(p.HISTORIC_PROCESS_INSTANCE, p.READ))
        reach = [everything.condition(pi.id), self.scope(p.PROCESS_DEFINITION, *perms).condition(pi.definition_key)]
        if not (everything.every and not everything.excluded):
            reach += self._implicit_instance_reach(pi)
        where = and_(self.tenant_ok(pi.tenant_id), or_(*reach))
        if known:
            self._instance_filters[key] = where
        return where

    def _implicit_instance_reach(self, pi) -> list:
        """Involvement in an instance reaches it, what it called and the root of its case, never its siblings: a
        worker of one outlet's enrolment must not read the other enrolments started by the same monthly list,
        while the appraisal committee reads the injury claim that called its appraisal. Checked against the
        instance itself, its caller and its root (deeper middle ancestors are not consulted).

        Each anchor gets its own EXISTS walking that instance's activities by index, and the candidate rows of each
        activity are probed by task id in a nested EXISTS: under one OR, or as a join, the planner instead walks
        every candidate row of the caller's groups for every instance it checks."""
        granted = exists().where(A.resource_type == p.PROCESS_INSTANCE, A.type == GRANT, self.grantee(),
                                 or_(A.resource_id == pi.id, A.resource_id == pi.root_process_instance_id),
                                 A.permissions.op("&")(p.READ) == p.READ)
        ha, tc = _REACH_HA, _REACH_TC
        anchors = (ha.process_instance_id == pi.id, ha.process_instance_id == pi.super_process_instance_id,
                   ha.process_instance_id == pi.root_process_instance_id, ha.root_process_instance_id == pi.id)
        offered_here = exists().where(tc.task_id == ha.id, self.offered_to(tc))
        offered = [exists().where(at, offered_here) for at in anchors]
        worked = [exists().where(at, ha.assignee == self.actor.user_id) for at in anchors]
        return [pi.start_user_id == self.actor.user_id, granted, *offered, *worked]

    def readable_instances(self, instance_column, history: bool = False):
        """A condition on another table's instance column (jobs, incidents, history…): its instance is readable;
        None: no restriction. A correlated EXISTS, so a query about one case checks that case, not first every
        instance of the tenant."""
        if self.bypass:
            return None
        return exists().where(_READABLE_PI.id == instance_column, self.instance_filter(_READABLE_PI, history))

    def reads_instance(self, s: Session, instance_id: str, history: bool = False) -> bool:
        where = self.instance_filter(history=history)
        return where is None or s.scalar(select(ProcessInstance.id).where(ProcessInstance.id == instance_id,
                                                                          where)) is not None

    def refers_to_readable(self, instance_column, definition_key_column=None, history: bool = False):
        """Rows of another table (jobs, incidents, external tasks…) that belong to a readable instance; rows of
        no instance (a timer that starts a process) need READ_INSTANCE on their definition."""
        readable = self.readable_instances(instance_column, history)
        if readable is None or definition_key_column is None:
            return readable
        by_definition = self.scope(p.PROCESS_DEFINITION, p.READ_INSTANCE).condition(definition_key_column)
        return or_(readable, and_(instance_column.is_(None), by_definition))

    def may_update_every_instance(self) -> bool:
        """UPDATE on every instance: what machine logins (workers, message senders) are given."""
        return self.allows(p.PROCESS_INSTANCE, p.UPDATE) or self.allows(p.PROCESS_DEFINITION, p.UPDATE_INSTANCE)

    def task_filter(self, task=Task):
        """Open tasks the caller may read: their own, offered to them, or granted (task or definition)."""
        if self.bypass:
            return None
        reach = [task.assignee == self.actor.user_id, task.owner == self.actor.user_id,
                 exists().where(TC.task_id == task.id, self.offered_to()),
                 self.scope(p.TASK, p.READ).condition(task.id),
                 self.scope(p.PROCESS_DEFINITION, p.READ_TASK).condition(task.process_definition_key)]
        return and_(self.tenant_ok(task.tenant_id), or_(*reach))

    def task_work_filter(self, task=Task):
        """Open tasks the caller may claim and complete (TASK_WORK): implicit for assignee and candidates."""
        if self.bypass:
            return None
        reach = [task.assignee == self.actor.user_id, task.owner == self.actor.user_id,
                 exists().where(TC.task_id == task.id, self.offered_to()),
                 self.scope(p.TASK, p.TASK_WORK, p.UPDATE).condition(task.id),
                 self.scope(p.PROCESS_DEFINITION, p.TASK_WORK, p.UPDATE_TASK).condition(task.process_definition_key)]
        return and_(self.tenant_ok(task.tenant_id), or_(*reach))

    def may_assign(self, task: Task) -> bool:
        """TASK_ASSIGN: give a task to someone else (claiming for oneself is TASK_WORK)."""
        return self.any_of(p.TASK, (p.TASK_ASSIGN, p.UPDATE), task.id) or self.any_of(
            p.PROCESS_DEFINITION, (p.TASK_ASSIGN, p.UPDATE_TASK), task.process_definition_key)

    def may_update_instance(self, instance: ProcessInstance, extra: int = 0) -> bool:
        """UPDATE on the instance, or UPDATE_INSTANCE on its definition (`extra`: an alternative bit such as
        RETRY_JOB)."""
        alternatives = (p.UPDATE, extra) if extra else (p.UPDATE,)
        return self.any_of(p.PROCESS_INSTANCE, alternatives, instance.id) or self.any_of(
            p.PROCESS_DEFINITION, (p.UPDATE_INSTANCE, *((extra,) if extra else ())), instance.definition_key)

    def may_delete_instance(self, instance: ProcessInstance) -> bool:
        return self.allows(p.PROCESS_INSTANCE, p.DELETE, instance.id) or self.allows(
            p.PROCESS_DEFINITION, p.DELETE_INSTANCE, instance.definition_key)


def require_sender(kb: Kuaibao, actor: Actor, tenant_id: str | None) -> None:
    """Messages and signals reach instances by name, not id: the sender needs UPDATE on every instance (and to
    be a member of the tenant it names)."""
    pol = policy(kb, actor)
    if not pol.may_update_every_instance():
        raise forbidden(actor, p.UPDATE, p.PROCESS_INSTANCE, "*")
    if not pol.bypass and tenant_id is not None and tenant_id not in actor.tenants:
        raise Forbidden(f"The user with id '{actor.user_id}' is not a member of tenant '{tenant_id}'", actor.user_id)


def _union(a: Scope, b: Scope) -> Scope:
    if a.every and b.every:
        return Scope(True, excluded=a.excluded & b.excluded)
    if a.every:
        return Scope(True, excluded=a.excluded - b.ids)
    if b.every:
        return Scope(True, excluded=b.excluded - a.ids)
    return Scope(False, ids=a.ids | b.ids)


def forbidden(actor: Actor, permission: int, resource_type: int, resource_id: str) -> Forbidden:
    """Camunda's AuthorizationException message."""
    names = [n for n, b in p.names_for(resource_type).items() if b == permission] or [str(permission)]
    return Forbidden(f"The user with id '{actor.user_id}' does not have '{names[0]}' permission on resource "
                     f"'{resource_id}' of type '{p.RESOURCE_NAMES.get(resource_type, resource_type)}'.",
                     actor.user_id)


# --- loading and caching ---------------------------------------------------------------------------------

class PolicyCache:
    """Per-caller policies for a few seconds; `changed()` (any authorization change here) empties it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._items: dict[Actor, tuple[float, Policy]] = {}

    def get(self, key: Actor) -> Policy | None:
        with self._lock:
            hit = self._items.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: Actor, policy: Policy) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.seconds, policy)

    def changed(self) -> None:
        with self._lock:
            self._items.clear()


_CACHES: dict[int, PolicyCache] = {}


def cache_of(kb: Kuaibao) -> PolicyCache:
    cache = _CACHES.get(id(kb))
    if cache is None:
        cache = _CACHES[id(kb)] = PolicyCache(kb.settings.auth_cache_seconds)
    return cache


# Built-in rules, as if they were rows: every login may read definitions (diagrams and forms are not case data;
# a revoke row takes it away), and the process managers' groups (DEPLOYER_GROUPS) administer processes:
# deployments, definitions, instances, tasks and their history, within their tenants.
DEFAULT_READ = (p.PROCESS_DEFINITION, p.DECISION_DEFINITION)
MANAGED = (p.DEPLOYMENT, p.PROCESS_DEFINITION, p.DECISION_DEFINITION, p.PROCESS_INSTANCE, p.TASK,
           p.HISTORIC_TASK, p.HISTORIC_PROCESS_INSTANCE)


def built_in_rules(kb: Kuaibao, actor: Actor) -> list[Rule]:
    rules = [Rule(GLOBAL, "*", None, resource, "*", p.READ) for resource in DEFAULT_READ]
    for group in sorted(actor.groups & set(kb.settings.deployer_groups)):
        rules += [Rule(GRANT, None, group, resource, "*", p.ALL) for resource in MANAGED]
    return rules


def policy(kb: Kuaibao, actor: Actor, session: Session | None = None) -> Policy:
    """The caller's policy (administrators need no rows)."""
    if actor.is_admin:
        return Policy(actor, [])
    cache = cache_of(kb)
    found = cache.get(actor)
    if found is None:
        rules = session_rules(session, actor) if session is not None else kb.read(lambda s: session_rules(s, actor))
        found = Policy(actor, rules + built_in_rules(kb, actor))
        cache.put(actor, found)
    return found


def session_rules(s: Session, actor: Actor) -> list[Rule]:
    """The caller's rows that are not generated for one instance (those are checked in SQL)."""
    who = [A.user_id == actor.user_id, A.type == GLOBAL]
    if actor.groups:
        who.append(A.group_id.in_(sorted(actor.groups)))
    rows = s.execute(select(A.type, A.user_id, A.group_id, A.resource_type, A.resource_id, A.permissions)
                     .where(or_(*who), A.root_process_instance_id.is_(None)))
    return [Rule(*row) for row in rows]
