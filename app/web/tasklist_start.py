"""Start a process from the Tasklist: the processes I may start (latest versions, startable in the Tasklist,
offered to me by candidateStarterGroups/Users or a grant), a definition's start form, and the start itself.
Outlet staff file injury claims this way; afterwards the new case's first task opens when it is mine, otherwise a
confirmation shows the case's business key."""
from __future__ import annotations

import json

from flask import Blueprint, abort, g, redirect, render_template, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import definitions, instances
from ..services.context import Actor
from ..services.definitions import DefinitionQuery
from ..services.errors import NotFound, ServiceError
from ..services.jilin_records import today_in_jilin
from .tasklist_forms import check, field_views, parse
from .tasklist_task import next_task

# The Jilin pack's business keys (workflows/CONTRACT.md, "Processes"), built from the start form's values; any
# other process asks for its business key.
BUSINESS_KEYS = {"injury_claim": "{claim_no}", "outlet_enrolment": "{outlet_id}",
                 "contribution": "{outlet_id}-{period}", "personnel_change": "{outlet_id}-{courier_id}-{change_date}",
                 "disability_appraisal": "{claim_no}", "benefit_payment": "{claim_no}"}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/tasks/start", "start_list", start_list)
    bp.add_url_rule("/tasks/start/<key>", "start_form", start_form)
    bp.add_url_rule("/tasks/start/<key>", "start", start, methods=["POST"])
    bp.add_url_rule("/tasks/started/<instance_id>", "started", started)


def startable(actor: Actor):
    """The latest, active, Tasklist-startable versions I may start."""
    return sorted(definitions.list_definitions(kb(), actor, DefinitionQuery(
        latest_version=True, startable_in_tasklist=True, active=True, startable_by=actor.user_id)),
        key=lambda d: d.name or d.key)


def start_list():
    return render_template("tasklist/start.html", processes=startable(g.actor))


def start_form(key: str):
    definition, fields = _definition(key)
    values = definitions.start_form_variables(kb(), g.actor, definition_id=definition.id)
    values.update(prefill(g.actor, fields))
    return _form_page(definition, fields, values)


def start(key: str):
    """Check the start form (services/forms.py, field by field), then start; a refusal keeps what was typed."""
    definition, fields = _definition(key)
    values, errors, raw = parse(fields, request.form)
    errors = {**check(fields, values), **errors}
    business_key = _business_key(definition.key, values, request.form.get("business_key"))
    if errors:
        return _form_page(definition, fields, {}, raw, errors, _("Please correct the marked fields."), business_key)
    command = instances.StartCommand(definition_id=definition.id, business_key=business_key,
                                     variables={k: v for k, v in values.items() if v.type != "Null"})
    try:
        instance = instances.start(kb(), g.actor, command).instance
    except ServiceError as e:
        return _form_page(definition, fields, {}, raw, {}, _("The process could not be started: %(reason)s",
                                                                reason=str(e)), business_key)
    first = next_task(kb(), g.actor, instance.id)
    if first is not None:
        return redirect(f"/tasks/{first.id}")
    return redirect(f"/tasks/started/{instance.id}")


def started(instance_id: str):
    try:
        instance = instances.get_any_instance(kb(), g.actor, instance_id)
        definition = definitions.get_definition(kb(), g.actor, definition_id=instance.definition_id)
    except NotFound:
        abort(404)
    return render_template("tasklist/started.html", instance=instance, definition=definition)


def prefill(actor: Actor, fields: list[dict]) -> dict:
    """Save typing what the login already tells: the caller's region, their outlet, today's date of filing."""
    known = {}
    regions = sorted(actor.tenants)
    outlets = sorted(group.removeprefix("outlet-") for group in actor.groups if group.startswith("outlet-"))
    for spec in fields:
        options = {o["id"] for o in spec.get("options") or []}
        if spec["id"] == "region" and len(regions) == 1 and regions[0] in options:
            known["region"] = regions[0]
        elif spec["id"] == "outlet_id" and len(outlets) == 1:
            known["outlet_id"] = outlets[0]
        elif spec["id"] == "filed_on":
            known["filed_on"] = today_in_jilin().isoformat()
    return known


def _definition(key: str):
    """The latest version of a process I may start (any other is reported missing)."""
    found = [d for d in startable(g.actor) if d.key == key]
    if not found:
        abort(404)
    definition = found[0]
    form = json.loads(definition.start_form) if definition.start_form else {}
    return definition, form.get("fields") or []


def _business_key(key: str, values: dict, typed: str | None) -> str | None:
    pattern = BUSINESS_KEYS.get(key)
    if pattern is None:
        return (typed or "").strip() or None
    try:
        return pattern.format(**{name: value.value for name, value in values.items()}) or None
    except (KeyError, IndexError, ValueError):
        return None


def _form_page(definition, fields, values, submitted=None, errors=None, form_error=None, business_key=None):
    return render_template("tasklist/start_form.html", definition=definition,
                           fields=field_views(fields, values, submitted, errors), form_error=form_error,
                           asks_business_key=definition.key not in BUSINESS_KEYS, business_key=business_key or "")
