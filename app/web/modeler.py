"""The Modeler: open a deployed BPMN diagram in bpmn-js or a DMN table in dmn-js (both served from /vendor), edit,
and deploy it as a new version through /engine-rest/deployment/create; or start a new diagram from a template.

The page embeds the resource's original bytes, so camunda: attributes and extension elements round-trip (the
editors load the Camunda moddle extensions). Deploying needs CREATE on Deployment (process managers and
administrators); others may open and download, and are told why they cannot deploy."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, g, render_template
from flask_babel import gettext as _

from ..api.http import kb
from ..services import authz, decision_definitions, definitions, errors, permissions
from ..services.definitions import DefinitionQuery
from .session_pages import managers_only

bp = Blueprint("modeler", __name__)
SOURCE = "Kuaibao Modeler"  # the deployment-source of what the Modeler deploys (duplicate filtering is per source)


def may_deploy() -> bool:
    return authz.policy(kb(), g.actor).allows(permissions.DEPLOYMENT, permissions.CREATE)


@bp.get("/modeler")
@managers_only
def index():
    """The latest version of every process and decision, to open; and the two kinds of new diagram."""
    processes = sorted(definitions.list_definitions(kb(), g.actor, DefinitionQuery(latest_version=True)),
                       key=lambda d: d.name or d.key)
    decisions = sorted(decision_definitions.list_decisions(kb(), g.actor, latest_only=True),
                       key=lambda d: (d.resource_name, d.name or d.key))
    return render_template("modeler/index.html", processes=processes, decisions=decisions,
                           may_deploy=may_deploy())


@bp.get("/modeler/bpmn/<definition_id>")
@managers_only
def bpmn(definition_id: str):
    try:
        definition, data = definitions.get_xml(kb(), g.actor, definition_id)
    except (errors.NotFound, errors.Forbidden):
        abort(404, _("No such process definition."))
    return _editor("bpmn", data.decode("utf-8"), definition.resource_name, definition.key,
                   definition.name or definition.key, definition.version, definition.id, definition.tenant_id)


@bp.get("/modeler/dmn/<decision_id>")
@managers_only
def dmn(decision_id: str):
    try:
        decision, data = decision_definitions.get_decision_xml(kb(), g.actor, decision_id)
    except (errors.NotFound, errors.Forbidden):
        abort(404, _("No such decision definition."))
    return _editor("dmn", data.decode("utf-8"), decision.resource_name, decision.key, decision.name or decision.key,
                   decision.version, decision.id, decision.tenant_id)


@bp.get("/modeler/new/<kind>")
@managers_only
def new(kind: str):
    """A new diagram from a template: a process with a start event, or a decision with one table."""
    if kind not in ("bpmn", "dmn"):
        abort(404)
    template = "modeler/new_diagram.bpmn" if kind == "bpmn" else "modeler/new_table.dmn"
    xml = render_template(template, suffix=secrets.token_hex(3), history_days=kb().settings.history_time_to_live_days,
                          decision_name=_("New decision"), input_label=_("Input"), output_label=_("Output"))
    return _editor(kind, xml, None, None, None, None, None)


def _editor(kind: str, xml: str, resource: str | None, key: str | None, name: str | None, version: int | None,
            definition_id: str | None, tenant_id: str | None = None):
    """The editor page; a new version is deployed for the same tenant as the one it was opened from."""
    return render_template("modeler/editor.html", kind=kind, xml=xml, resource=resource, key=key, name=name,
                           version=version, definition_id=definition_id, tenant_id=tenant_id,
                           may_deploy=may_deploy(), source=SOURCE)
