"""The Cockpit (administrators and managers): process and decision definitions, running and ended instances,
incidents and jobs, and the repairs a manager makes to an instance. The views live in cockpit_*.py by noun; this
module is their one route table."""
from __future__ import annotations

from flask import Blueprint

from . import cockpit_actions, cockpit_definitions, cockpit_failures, cockpit_instances
from .session_pages import managers_only

bp = Blueprint("cockpit", __name__)

ROUTES = (
    ("/cockpit", "GET", cockpit_definitions.index),
    ("/cockpit/definitions/<definition_id>", "GET", cockpit_definitions.definition),
    ("/cockpit/definitions/<definition_id>/suspension", "POST", cockpit_definitions.suspend_definition),
    ("/cockpit/instances", "GET", cockpit_instances.index),
    ("/cockpit/instances/<instance_id>", "GET", cockpit_instances.instance),
    ("/cockpit/instances/<instance_id>/variables", "POST", cockpit_actions.set_variable),
    ("/cockpit/instances/<instance_id>/variables/delete", "POST", cockpit_actions.delete_variable),
    ("/cockpit/instances/<instance_id>/retry", "POST", cockpit_actions.retry),
    ("/cockpit/instances/<instance_id>/suspension", "POST", cockpit_actions.suspend),
    ("/cockpit/instances/<instance_id>/cancel", "POST", cockpit_actions.cancel),
    ("/cockpit/incidents", "GET", cockpit_failures.incident_list),
    ("/cockpit/jobs", "GET", cockpit_failures.job_list),
)

for rule, method, view in ROUTES:
    bp.add_url_rule(rule, f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}", managers_only(view),
                    methods=[method])
