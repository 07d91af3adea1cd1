"""Cockpit's statistics: running instances per activity and per definition, with failed jobs and incidents."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ACTIVE, EventSubscription, ExternalTask, Incident, Job, ProcessDefinition, ProcessInstance, Task
from . import authz
from .context import Actor, Kuaibao
from .definitions import by_id


def activity_statistics(kb: Kuaibao, actor: Actor, definition_id: str, failed_jobs: bool = False,
                        incidents: bool = False) -> list[dict]:
    """Per activity of one definition: how many running instances wait there, failed jobs, incidents by type.

    Counted from the rows that represent waiting work (user tasks, external tasks, jobs, awaited events), so no
    workflow is loaded; boundary events are left out, as they are not where a token waits. Only the instances
    the caller may read count."""
    def work(s: Session) -> list[dict]:
        definition = by_id(s, definition_id)
        boundary = _boundary_events(kb, s, definition.id)
        active = select(ProcessInstance.id).where(ProcessInstance.definition_id == definition.id,
                                                  ProcessInstance.state == ACTIVE)
        readable = authz.policy(kb, actor, s).instance_filter()
        if readable is not None:
            active = active.where(readable)
        at: Counter = Counter()
        for column, model in ((Task.task_definition_key, Task), (ExternalTask.activity_id, ExternalTask)):
            for activity, n in s.execute(select(column, func.count()).where(model.process_instance_id.in_(active))
                                         .group_by(column)):
                at[activity] += n
        for activity, n in s.execute(select(Job.activity_id, func.count()).where(
                Job.process_instance_id.in_(active), Job.type.in_(("async", "handler"))).group_by(Job.activity_id)):
            at[activity] += n
        for activity, n in s.execute(select(EventSubscription.activity_id, func.count()).where(
                EventSubscription.process_instance_id.in_(active)).group_by(EventSubscription.activity_id)):
            if activity not in boundary:
                at[activity] += n
        failed: Counter = Counter()
        if failed_jobs:
            for activity, n in s.execute(select(Job.activity_id, func.count()).where(
                    Job.process_instance_id.in_(active), Job.retries == 0).group_by(Job.activity_id)):
                failed[activity] += n
        by_type: dict = defaultdict(Counter)
        if incidents:
            for activity, kind, n in s.execute(select(Incident.activity_id, Incident.incident_type, func.count()).where(
                    Incident.process_instance_id.in_(active)).group_by(Incident.activity_id,
                                                                              Incident.incident_type)):
                by_type[activity][kind] += n
        return [{"id": activity, "instances": at[activity], "failedJobs": failed[activity],
                 "incidents": [{"incidentType": k, "incidentCount": n} for k, n in sorted(by_type[activity].items())]}
                for activity in sorted(set(at) | set(failed) | set(by_type)) if activity]

    return kb.read(work)


def definition_statistics(kb: Kuaibao, actor: Actor, failed_jobs: bool = False, incidents: bool = False
                          ) -> list[tuple[ProcessDefinition, int, int, dict]]:
    """Per definition with running instances: (definition, instances, failed jobs, incidents by type), counting
    the instances the caller may read."""
    def work(s: Session):
        pol = authz.policy(kb, actor, s)
        readable = pol.instance_filter()
        running = select(ProcessInstance.definition_id, func.count()).where(ProcessInstance.state == ACTIVE)
        counts = dict(s.execute((running if readable is None else running.where(readable))
                                .group_by(ProcessInstance.definition_id)).all())
        jobs_of = pol.refers_to_readable(Job.process_instance_id, Job.process_definition_key)
        failed_stmt = select(Job.process_definition_id, func.count()).where(Job.retries == 0)
        failed = dict(s.execute((failed_stmt if jobs_of is None else failed_stmt.where(jobs_of))
                                .group_by(Job.process_definition_id)).all()) if failed_jobs else {}
        by_type: dict = defaultdict(dict)
        if incidents:
            incidents_of = pol.refers_to_readable(Incident.process_instance_id)
            stmt = select(Incident.process_definition_id, Incident.incident_type, func.count())
            stmt = stmt if incidents_of is None else stmt.where(incidents_of)
            for definition_id, kind, n in s.execute(stmt.group_by(Incident.process_definition_id,
                                                                  Incident.incident_type)):
                by_type[definition_id][kind] = n
        ids = set(counts) | set(failed) | set(by_type)
        definitions = list(s.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(ids)))) if ids else []
        return [(d, counts.get(d.id, 0), failed.get(d.id, 0), by_type.get(d.id, {})) for d in definitions]

    return kb.read(work)


def _boundary_events(kb: Kuaibao, s: Session, definition_id: str) -> set[str]:
    spec = kb.specs.get(s, definition_id).new_workflow().spec
    return {name for name, task_spec in spec.task_specs.items() if type(task_spec).__name__ == "BoundaryEvent"}
