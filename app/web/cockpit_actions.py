"""What a manager does to one instance from its Cockpit page (HTML forms, POST/redirect/GET): change, add and
delete variables, retry a failed job or external task, suspend or activate, cancel."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import errors, external_tasks, incidents, instances, jobs, suspension, variables
from . import cockpit_variables
from .cockpit_common import act

RETRIES = 1  # as Camunda's Cockpit: one more try; the job's retry cycle applies again if it fails


def _back(instance_id: str, anchor: str = "") -> str:
    return f"/cockpit/instances/{instance_id}" + (f"#{anchor}" if anchor else "")


def set_variable(instance_id: str):
    """Change a variable (keeping its type) or add one (of the chosen type)."""
    name = (request.form.get("name") or "").strip()
    kind = request.form.get("type") or "String"
    text = request.form.get("value") or ""

    def work():
        if not name:
            raise errors.InvalidRequest(_("A variable needs a name."))
        info = {}
        if request.form.get("existing"):
            current = variables.get_variable(kb(), g.actor, instance_id, name)
            kind_, info = current.type, current.value_info
        else:
            kind_ = kind
        variables.modify_variables(kb(), g.actor, instance_id, {name: cockpit_variables.parse(name, kind_, text, info)})
    return act(_back(instance_id, "variables"), work, _("Variable %(name)s saved.", name=name))


def delete_variable(instance_id: str):
    name = request.form.get("name") or ""
    return act(_back(instance_id, "variables"),
               lambda: variables.modify_variables(kb(), g.actor, instance_id, {}, [name]),
               _("Variable %(name)s deleted.", name=name))


def retry(instance_id: str):
    """Give the failed job or external task behind an incident another try (which resolves the incident)."""
    incident_id = request.form.get("incident") or ""

    def work():
        incident = incidents.get_incident(kb(), g.actor, incident_id)
        if incident.incident_type == incidents.FAILED_JOB:
            jobs.set_retries(kb(), g.actor, incident.configuration, RETRIES)
        elif incident.incident_type == incidents.FAILED_EXTERNAL_TASK:
            external_tasks.set_retries(kb(), g.actor, incident.configuration, RETRIES)
        else:
            incidents.resolve_incident(kb(), g.actor, incident_id)
    return act(_back(instance_id, "incidents"), work, _("Retry scheduled."))


def suspend(instance_id: str):
    suspended = request.form.get("suspended") == "true"
    done = _("The process instance is suspended.") if suspended else _("The process instance is active again.")
    return act(_back(instance_id),
               lambda: suspension.suspend_instance(kb(), g.actor, instance_id, suspended), done)


def cancel(instance_id: str):
    """Cancel the instance and the instances it called; its history stays."""
    reason = (request.form.get("reason") or "").strip() or None
    return act(_back(instance_id),
               lambda: instances.delete_instance(kb(), g.actor, instance_id, reason=reason),
               _("The process instance was cancelled."))
