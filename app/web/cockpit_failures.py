"""The Cockpit's incident and job lists, with filters; the page script retries the selected failures in a
loop with a progress bar (each item is its own REST call, so one refusal does not stop the others)."""
from __future__ import annotations

from flask import g, render_template

from ..api.http import kb
from ..services import definitions, incidents, jobs
from ..services.definitions import DefinitionQuery
from ..services.history_queries import HistoricInstanceQuery, list_historic_instances
from ..services.incidents import IncidentQuery
from ..services.jobs import JobQuery
from ..services.queries import Page, Sorting
from .cockpit_common import Paging, activity_names, arg, page_number

INCIDENT_TYPES = (incidents.FAILED_JOB, incidents.FAILED_EXTERNAL_TASK)
JOB_STATES = ("failed", "timers", "messages", "all")


def _processes() -> list[tuple[str, str]]:
    latest = definitions.list_definitions(kb(), g.actor, DefinitionQuery(latest_version=True))
    return sorted({d.key: d.name or d.key for d in latest}.items(), key=lambda kv: kv[1])


def _instances_of(ids) -> dict[str, dict]:
    """The instances the listed rows belong to (business key, process name), by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {i["id"]: i for i in list_historic_instances(kb(), g.actor,
                                                          HistoricInstanceQuery(process_instance_ids=wanted))}


def incident_list():
    kind = arg("type") if arg("type") in INCIDENT_TYPES else None
    query = IncidentQuery(incident_type=kind, process_definition_key_in=[arg("process")] if arg("process") else None,
                          activity_id=arg("activity"),
                          incident_message_like=f"%{arg('message')}%" if arg("message") else None)
    paging = Paging(page_number(), incidents.count_incidents(kb(), g.actor, query))
    query.sorting, query.page = [Sorting("incidentTimestamp", "desc")], Page(paging.first, paging.size)
    found = incidents.list_incidents(kb(), g.actor, query)
    return render_template("cockpit/incidents.html", incidents=found, paging=paging, processes=_processes(),
                           types=INCIDENT_TYPES, chosen_type=kind,
                           instances=_instances_of(i.process_instance_id for i in found),
                           names=activity_names(i.process_definition_id for i in found))


def job_list():
    state = arg("state") if arg("state") in JOB_STATES else "failed"
    query = JobQuery(process_definition_key=arg("process"), activity_id=arg("activity"),
                     no_retries_left=state == "failed", timers=state == "timers", messages=state == "messages")
    paging = Paging(page_number(), jobs.count_jobs(kb(), g.actor, query))
    query.sorting, query.page = [Sorting("jobDueDate", "asc")], Page(paging.first, paging.size)
    found = jobs.list_jobs(kb(), g.actor, query)
    return render_template("cockpit/jobs.html", jobs=found, paging=paging, processes=_processes(), state=state,
                           instances=_instances_of(j.process_instance_id for j in found),
                           names=activity_names(j.process_definition_id for j in found))
