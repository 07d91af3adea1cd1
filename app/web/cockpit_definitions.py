"""The Cockpit's start page (process and decision definitions with their versions, running instances and
incidents) and a definition's page (its diagram with counts on each activity, its versions and instances)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import abort, g, render_template, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import decision_definitions, definitions, errors, incidents, statistics, suspension
from ..services.activities_info import activities_of
from ..services.definitions import DefinitionQuery
from ..services.history_queries import HistoricInstanceQuery, count_historic_instances, list_historic_instances
from ..services.incidents import IncidentQuery
from ..services.queries import Page, Sorting
from .cockpit_common import Paging, act, arg, may_update_definition, page_number


@dataclass
class Family:
    """All versions of one key, newest first, with what runs on them."""

    key: str
    versions: list = field(default_factory=list)
    running: int = 0
    incidents: int = 0
    failed_jobs: int = 0

    @property
    def latest(self):
        return self.versions[0]


def _families(items, stats: dict) -> list[Family]:
    found: dict[tuple, Family] = {}
    for item in items:
        family = found.setdefault((item.key, item.tenant_id), Family(item.key))
        family.versions.append(item)
        running, failed, by_type = stats.get(item.id, (0, 0, {}))
        family.running += running
        family.failed_jobs += failed
        family.incidents += sum(by_type.values())
    for family in found.values():
        family.versions.sort(key=lambda d: d.version, reverse=True)
    return sorted(found.values(), key=lambda f: (f.latest.name or f.key))


def index():
    """Every process definition the caller may read, grouped by key, and the decision tables."""
    actor = g.actor
    stats = {d.id: (running, failed, by_type) for d, running, failed, by_type in
             statistics.definition_statistics(kb(), actor, failed_jobs=True, incidents=True)}
    processes = _families(definitions.list_definitions(kb(), actor, DefinitionQuery()), stats)
    decisions = _families(decision_definitions.list_decisions(kb(), actor), {})
    totals = {"processes": len(processes), "running": sum(f.running for f in processes),
              "incidents": sum(f.incidents for f in processes), "failed_jobs": sum(f.failed_jobs for f in processes)}
    return render_template("cockpit/index.html", processes=processes, decisions=decisions, totals=totals)


STATES = ("running", "active", "suspended")


def definition(definition_id: str):
    """One version: its diagram with running instances and incidents on each activity, and its instances."""
    actor = g.actor
    try:
        shown = definitions.get_definition(kb(), actor, definition_id)
        counts = statistics.activity_statistics(kb(), actor, definition_id, failed_jobs=True, incidents=True)
    except (errors.NotFound, errors.Forbidden):
        abort(404, _("No such process definition."))
    versions = definitions.list_definitions(kb(), actor, DefinitionQuery(key=shown.key))
    versions = sorted((v for v in versions if v.tenant_id == shown.tenant_id), key=lambda d: d.version, reverse=True)
    names = kb().read(lambda s: activities_of(kb(), s, definition_id))
    badges, rows = {}, []
    for entry in counts:
        open_incidents = sum(i["incidentCount"] for i in entry["incidents"])
        badges[entry["id"]] = {"count": entry["instances"], "incidents": open_incidents,
                               "title": _("Running instances")}
        info = names.get(entry["id"])
        rows.append({"id": entry["id"], "name": (info.name if info else None) or entry["id"],
                     "instances": entry["instances"], "incidents": open_incidents})
    state = arg("state") if arg("state") in STATES else "running"
    query = HistoricInstanceQuery(process_definition_id=definition_id, unfinished=True,
                                  active=state == "active", suspended=state == "suspended",
                                  with_incidents=bool(arg("incidents")),
                                  process_instance_business_key_like=f"%{arg('business_key')}%"
                                  if arg("business_key") else None)
    paging = Paging(page_number(), count_historic_instances(kb(), actor, query))
    query.sorting, query.page = [Sorting("startTime", "desc")], Page(paging.first, paging.size)
    listed = list_historic_instances(kb(), actor, query)
    return render_template("cockpit/definition.html", definition=shown, versions=versions, badges=badges,
                           activities=sorted(rows, key=lambda r: (-r["incidents"], -r["instances"], r["name"])),
                           instances=listed, incident_counts=_incident_counts(definition_id), paging=paging,
                           state=state, may_update=may_update_definition(shown.key))


def _incident_counts(definition_id: str) -> Counter:
    found = incidents.list_incidents(kb(), g.actor, IncidentQuery(process_definition_id=definition_id))
    return Counter(i.process_instance_id for i in found)


def suspend_definition(definition_id: str):
    """Suspend or activate one version (and, if asked, its running instances)."""
    suspended = request.form.get("suspended") == "true"
    include = request.form.get("include_instances") == "true"
    done = _("The process definition is suspended.") if suspended else _("The process definition is active.")
    return act(f"/cockpit/definitions/{definition_id}",
               lambda: suspension.suspend_definitions(kb(), g.actor, suspended, definition_id=definition_id,
                                                      include_instances=include), done)
