"""The Cockpit's instance pages: every instance the caller may read, with filters, and one instance in full
(facts, the diagram at its current activities, variables, activity history, calls, incidents, jobs, audit)."""
from __future__ import annotations

from collections import Counter

from flask import abort, g, render_template
from flask_babel import gettext as _

from ..api.http import kb
from ..services import definitions, errors, incidents, jobs
from ..services.definitions import DefinitionQuery
from ..services.history_activities import HistoricActivityQuery, list_historic_activities
from ..services.history_queries import (
    HistoricInstanceQuery,
    count_historic_instances,
    get_historic_instance,
    list_historic_instances,
)
from ..services.history_variables import HistoricVariableQuery, list_historic_variables
from ..services.incidents import IncidentQuery
from ..services.jobs import JobQuery
from ..services.oplog_queries import OperationLogQuery, list_operations
from ..services.queries import Page, Sorting
from . import cockpit_variables
from .cockpit_common import Paging, activity_names, allowed_on, arg, day_start, page_number

STATES = {"running": "unfinished", "suspended": "suspended", "completed": "completed",
          "canceled": "externally_terminated", "all": None}


def index():
    """Instances of every readable process, newest first, filtered by process, business key, dates, state and
    incidents."""
    actor = g.actor
    state = arg("state") if arg("state") in STATES else "running"
    query = HistoricInstanceQuery(process_definition_key=arg("process"),
                                  process_instance_business_key_like=f"%{arg('business_key')}%"
                                  if arg("business_key") else None,
                                  started_after=day_start(arg("after")),
                                  started_before=day_start(arg("before"), next_day=True),
                                  with_incidents=bool(arg("incidents")))
    if STATES[state]:
        setattr(query, STATES[state], True)
    paging = Paging(page_number(), count_historic_instances(kb(), actor, query))
    query.sorting, query.page = [Sorting("startTime", "desc")], Page(paging.first, paging.size)
    listed = list_historic_instances(kb(), actor, query)
    latest = definitions.list_definitions(kb(), actor, DefinitionQuery(latest_version=True))
    processes = sorted({d.key: d.name or d.key for d in latest}.items(), key=lambda kv: kv[1])
    return render_template("cockpit/instances.html", instances=listed, paging=paging, processes=processes,
                           state=state, incident_counts=_incident_counts([i["id"] for i in listed]))


def _incident_counts(instance_ids: list[str]) -> Counter:
    if not instance_ids:
        return Counter()
    found = incidents.list_incidents(kb(), g.actor, IncidentQuery())
    wanted = set(instance_ids)
    return Counter(i.process_instance_id for i in found if i.process_instance_id in wanted)


def instance(instance_id: str):
    """One instance, running or ended, as far as the caller may read it."""
    actor = g.actor
    try:
        found = get_historic_instance(kb(), actor, instance_id)
    except errors.NotFound:
        abort(404, _("No such process instance, or you may not see it."))
    running = found["end_time"] is None
    activities = list_historic_activities(kb(), actor, HistoricActivityQuery(
        process_instance_id=instance_id, sorting=[Sorting("occurrence", "asc")]))
    current = sorted({a["activity_id"] for a in activities if a["end_time"] is None})
    variables = [{"name": v["name"], "type": v["typed"].type, "text": cockpit_variables.as_text(v["typed"]),
                  "multiline": v["typed"].type in cockpit_variables.MULTILINE}
                 for v in list_historic_variables(kb(), actor, HistoricVariableQuery(process_instance_id=instance_id))]
    called = list_historic_instances(kb(), actor, HistoricInstanceQuery(super_process_instance_id=instance_id))
    caller = _caller(found.get("super_process_instance_id"))
    operations = list_operations(kb(), actor, OperationLogQuery(
        process_instance_id=instance_id, sorting=[Sorting("timestamp", "desc")], page=Page(0, 100)))
    return render_template(
        "cockpit/instance.html", instance=found, running=running, current=current,
        activities=list(reversed(activities)), variables=sorted(variables, key=lambda v: v["name"]),
        called=called, caller=caller, operations=operations,
        incidents=incidents.list_incidents(kb(), actor, IncidentQuery(process_instance_id=instance_id)),
        jobs=jobs.list_jobs(kb(), actor, JobQuery(process_instance_id=instance_id)) if running else [],
        allowed=allowed_on(instance_id, found["definition_key"], running), addable=cockpit_variables.ADDABLE,
        names=activity_names([found["definition_id"]]).get(found["definition_id"], {}))


def _caller(instance_id: str | None) -> dict | None:
    if not instance_id:
        return None
    try:
        return get_historic_instance(kb(), g.actor, instance_id)
    except errors.NotFound:
        return {"id": instance_id, "hidden": True}
