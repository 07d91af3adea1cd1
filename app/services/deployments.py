"""Deploy resources (with Camunda's duplicate filtering), and read and delete deployments."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..engine.deployment import parse_deployment
from ..engine.errors import DeploymentInvalid
from ..engine.timers import schedule
from ..models import (
    TIMER_START,
    DecisionDefinition,
    Deployment,
    Job,
    ProcessDefinition,
    ProcessInstance,
    Resource,
    new_id,
)
from . import authz, oplog, permissions
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound, ParseFailed
from .persistence import JOBS_CHANNEL, naive_utc, notify
from .queries import Page, Sorting, apply_page, apply_sorting
from .spec_cache import latest_decision_dmn


@dataclass
class DeployCommand:
    """What a client uploads."""

    resources: Mapping[str, bytes]
    name: str | None = None
    source: str | None = None
    tenant_id: str | None = None
    duplicate_filtering: bool = False
    changed_only: bool = False


@dataclass
class DeploymentResult:
    """The deployment and the definitions it created (empty when duplicate filtering found no change)."""

    deployment: Deployment
    processes: list[ProcessDefinition] = field(default_factory=list)
    decisions: list[DecisionDefinition] = field(default_factory=list)


@dataclass
class DeploymentQuery:
    id: str | None = None
    name: str | None = None
    name_like: str | None = None
    source: str | None = None
    without_source: bool = False
    tenant_ids: list[str] | None = None
    without_tenant_id: bool = False
    include_without_tenant: bool = False
    after: datetime | None = None
    before: datetime | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


def _require(kb: Kuaibao, actor: Actor, permission: int, deployment_id: str = "*") -> None:
    authz.policy(kb, actor).require(permissions.DEPLOYMENT, permission, deployment_id)


def deploy(kb: Kuaibao, actor: Actor, cmd: DeployCommand) -> DeploymentResult:
    """Parse everything first; store the deployment and its definitions in one transaction, or nothing."""
    _require(kb, actor, permissions.CREATE)
    if not cmd.resources:
        raise InvalidRequest("No deployment resources contained in the form upload.")
    try:
        parsed = parse_deployment(cmd.resources, kb.settings.validate_bpmn_schema,
                                  lambda key: kb.read(lambda s: latest_decision_dmn(s, key)))
    except DeploymentInvalid as e:
        raise ParseFailed(f"ENGINE-09005 Could not parse BPMN process. Errors: {e}", e.problems) from e

    def work(s: Session) -> DeploymentResult:
        resources = dict(cmd.resources)
        if cmd.duplicate_filtering or cmd.changed_only:
            changed = _changed(s, cmd, resources)
            if not changed:
                return DeploymentResult(_latest(s, cmd))
            if cmd.changed_only:
                resources = {n: resources[n] for n in changed}
        processes = [p for p in parsed.processes if p.resource_name in resources]
        decisions = [d for d in parsed.decisions if d.resource_name in resources]
        deployment = Deployment(id=new_id(), name=cmd.name, source=cmd.source, tenant_id=cmd.tenant_id)
        s.add(deployment)
        s.add_all(Resource(id=new_id(), deployment_id=deployment.id, name=n, data=d,
                           sha256=hashlib.sha256(d).hexdigest()) for n, d in resources.items())
        result = DeploymentResult(deployment)
        for p in processes:
            version = _next_version(s, ProcessDefinition, p.key, cmd.tenant_id)
            result.processes.append(ProcessDefinition(
                id=f"{p.key}:{version}:{new_id()}", key=p.key, version=version, name=p.name,
                description=p.description, category=p.category, deployment_id=deployment.id,
                resource_name=p.resource_name, version_tag=p.version_tag, tenant_id=cmd.tenant_id,
                history_time_to_live=p.history_time_to_live, startable=p.startable, spec=p.spec_json,
                start_form=json.dumps(p.start_form, ensure_ascii=False) if p.start_form else None,
                start_message=p.start_message, start_signal=p.start_signal,
                candidate_starter_groups=",".join(p.starter_groups) or None,
                candidate_starter_users=",".join(p.starter_users) or None, reader_groups=p.reader_groups))
        for d in decisions:
            version = _next_version(s, DecisionDefinition, d.key, cmd.tenant_id)
            result.decisions.append(DecisionDefinition(
                id=f"{d.key}:{version}:{new_id()}", key=d.key, version=version, name=d.name, category=d.category,
                deployment_id=deployment.id, resource_name=d.resource_name, version_tag=d.version_tag,
                tenant_id=cmd.tenant_id, history_time_to_live=d.history_time_to_live))
        s.flush()
        s.add_all(result.processes + result.decisions)
        s.flush()
        for definition, parsed_process in zip(result.processes, processes):
            schedule_timer_start(s, definition, parsed_process.start_timer)
        oplog.write(s, actor, "Create", "Deployment", oplog.OPERATOR,
                    [("duplicateFilterEnabled", None, bool(cmd.duplicate_filtering or cmd.changed_only)),
                     ("deployChangedOnly", None, bool(cmd.changed_only))], deployment_id=deployment.id,
                    tenant_id=cmd.tenant_id)
        return result

    return kb.command(work)


def schedule_timer_start(s: Session, definition: ProcessDefinition, timer: dict | None,
                         repetitions_left: int | None = None) -> None:
    """A process with a timer start event gets a job that starts it; a newer version replaces the older's."""
    s.execute(delete(Job).where(Job.type == TIMER_START, Job.process_definition_key == definition.key,
                                Job.tenant_id.is_(None) if definition.tenant_id is None
                                else Job.tenant_id == definition.tenant_id))
    if timer is None:
        return
    try:
        planned = schedule(timer["kind"], timer["expression"], datetime.now(timezone.utc), repetitions_left)
    except Exception as e:  # noqa: BLE001 - a timer that cannot be read is the author's to fix
        raise InvalidRequest(f"process '{definition.key}': its start timer cannot be scheduled: {e}") from e
    if planned is None:
        return
    due, left = planned
    s.add(Job(id=new_id(), type=TIMER_START, process_definition_id=definition.id,
              process_definition_key=definition.key, activity_id=None, due=naive_utc(due), retries=3,
              tenant_id=definition.tenant_id, configuration=json.dumps({**timer, "repetitions_left": left})))
    notify(s, JOBS_CHANNEL)


def _same_origin(stmt, cmd: DeployCommand):
    stmt = stmt.where(Deployment.name == cmd.name) if cmd.name is not None else stmt.where(Deployment.name.is_(None))
    stmt = stmt.where(Deployment.source == cmd.source) if cmd.source is not None else stmt.where(Deployment.source.is_(None))
    return stmt.where(Deployment.tenant_id == cmd.tenant_id) if cmd.tenant_id is not None \
        else stmt.where(Deployment.tenant_id.is_(None))


def _changed(s: Session, cmd: DeployCommand, resources: Mapping[str, bytes]) -> list[str]:
    """Names of resources that differ from the latest resource of that name in deployments of this name."""
    stmt = _same_origin(select(Resource.name, Resource.sha256, Deployment.deployment_time)
                        .join(Deployment, Deployment.id == Resource.deployment_id), cmd) \
        .where(Resource.name.in_(list(resources))).order_by(Deployment.deployment_time)
    latest = {name: digest for name, digest, _ in s.execute(stmt)}
    return [n for n, d in resources.items() if latest.get(n) != hashlib.sha256(d).hexdigest()]


def _latest(s: Session, cmd: DeployCommand) -> Deployment:
    return s.scalar(_same_origin(select(Deployment), cmd).order_by(Deployment.deployment_time.desc()).limit(1))


def _next_version(s: Session, model, key: str, tenant_id: str | None) -> int:
    stmt = select(func.max(model.version)).where(model.key == key)
    stmt = stmt.where(model.tenant_id == tenant_id) if tenant_id else stmt.where(model.tenant_id.is_(None))
    return (s.scalar(stmt) or 0) + 1


def _filtered(q: DeploymentQuery):
    stmt = select(Deployment)
    if q.id:
        stmt = stmt.where(Deployment.id == q.id)
    if q.name:
        stmt = stmt.where(Deployment.name == q.name)
    if q.name_like:
        stmt = stmt.where(Deployment.name.like(q.name_like))
    if q.source:
        stmt = stmt.where(Deployment.source == q.source)
    if q.without_source:
        stmt = stmt.where(Deployment.source.is_(None))
    if q.tenant_ids:
        cond = Deployment.tenant_id.in_(q.tenant_ids)
        stmt = stmt.where(cond | Deployment.tenant_id.is_(None) if q.include_without_tenant else cond)
    if q.without_tenant_id:
        stmt = stmt.where(Deployment.tenant_id.is_(None))
    if q.after:
        stmt = stmt.where(Deployment.deployment_time > q.after)
    if q.before:
        stmt = stmt.where(Deployment.deployment_time < q.before)
    return stmt


SORT_COLUMNS = {"id": Deployment.id, "name": Deployment.name, "deploymentTime": Deployment.deployment_time,
                "tenantId": Deployment.tenant_id}


def _readable(kb: Kuaibao, actor: Actor, q: DeploymentQuery):
    scope = authz.policy(kb, actor).scope(permissions.DEPLOYMENT, permissions.READ)
    return _filtered(q).where(scope.condition(Deployment.id))


def list_deployments(kb: Kuaibao, actor: Actor, q: DeploymentQuery) -> list[Deployment]:
    """The deployments the caller may read."""
    stmt = apply_page(apply_sorting(_readable(kb, actor, q), q.sorting, SORT_COLUMNS, Deployment.deployment_time),
                      q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_deployments(kb: Kuaibao, actor: Actor, q: DeploymentQuery) -> int:
    stmt = select(func.count()).select_from(_readable(kb, actor, q).subquery())
    return kb.read(lambda s: s.scalar(stmt))


def get_deployment(kb: Kuaibao, actor: Actor, deployment_id: str) -> Deployment:
    _require(kb, actor, permissions.READ, deployment_id)
    found = kb.read(lambda s: s.get(Deployment, deployment_id))
    if found is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
    return found


def list_resources(kb: Kuaibao, actor: Actor, deployment_id: str) -> list[Resource]:
    get_deployment(kb, actor, deployment_id)
    return kb.read(lambda s: list(s.scalars(select(Resource).where(Resource.deployment_id == deployment_id)
                                            .order_by(Resource.name))))


def get_resource(kb: Kuaibao, actor: Actor, deployment_id: str, resource_id: str) -> Resource:
    get_deployment(kb, actor, deployment_id)
    found = kb.read(lambda s: s.scalar(select(Resource).where(Resource.deployment_id == deployment_id,
                                                              Resource.id == resource_id)))
    if found is None:
        raise NotFound(f"Deployment resource '{resource_id}' for deployment '{deployment_id}' does not exist.")
    return found


def delete_deployment(kb: Kuaibao, actor: Actor, deployment_id: str, cascade: bool) -> None:
    """Delete a deployment; running instances block it unless `cascade` removes them too."""
    _require(kb, actor, permissions.DELETE, deployment_id)

    def work(s: Session) -> None:
        if s.get(Deployment, deployment_id) is None:
            raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
        instances = select(ProcessInstance.id).join(
            ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id).where(
            ProcessDefinition.deployment_id == deployment_id)
        if not cascade and s.scalar(select(func.count()).select_from(
                instances.where(ProcessInstance.state == "ACTIVE").subquery())):
            raise InvalidRequest(f"Deletion of deployment '{deployment_id}' is not possible: "
                                 "there are running process instances (use cascade=true)")
        s.execute(delete(ProcessInstance).where(ProcessInstance.id.in_(instances)))
        s.execute(delete(Deployment).where(Deployment.id == deployment_id))
        oplog.write(s, actor, "Delete", "Deployment", oplog.OPERATOR, [("cascade", None, cascade)],
                    deployment_id=deployment_id)

    kb.command(work)
