"""The claim tracker: search a case by claim number, courier or outlet; a claim's or an outlet's case page (stage
bar, holding agency, deadlines, facts, diagram, timeline); the progress of a monthly outlet list.

Anyone logged in may search; the services show only the cases the caller may read, and a case they may not read
is "not found" (never "forbidden": that would confirm it exists).
"""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, render_template, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import case_tracker, monthly_progress
from ..services.case_stages import AT_RISK_DAYS
from ..services.errors import NotFound
from .session_pages import is_manager
from .tracker_labels import labels

bp = Blueprint("tracker", __name__)
POLL_MS = 1500


@bp.get("/tracker")
def index():
    query = request.args.get("q", "").strip()
    hits = case_tracker.search(kb(), g.actor, query) if query else []
    return render_template("tracker/index.html", query=query, hits=hits, labels=labels(),
                           claims=[h for h in hits if h.kind == "claim"],
                           outlets=[h for h in hits if h.kind == "outlet"],
                           lists=case_tracker.recent_monthly_lists(kb(), g.actor))


@bp.get("/tracker/<claim_no>")
def claim(claim_no: str):
    try:
        case = case_tracker.claim_case(kb(), g.actor, claim_no)
    except NotFound:
        abort(404)
    return render_template("tracker/claim.html", case=case, **_case_context(case))


@bp.get("/tracker/outlet/<outlet_id>")
def outlet(outlet_id: str):
    try:
        case = case_tracker.outlet_case(kb(), g.actor, outlet_id)
    except NotFound:
        abort(404)
    return render_template("tracker/outlet.html", case=case, **_case_context(case))


def _case_context(case) -> dict:
    actor = g.actor
    mine = {h.task_id for h in case.holders if actor.is_admin or h.assignee == actor.user_id
            or actor.user_id in h.users or any(a.id in actor.groups for a in h.agencies)}
    return {"labels": labels(), "my_tasks": mine, "manager": is_manager(actor), "at_risk_days": AT_RISK_DAYS}


@bp.get("/tracker/monthly/<instance_id>")
def monthly(instance_id: str):
    progress = _progress(instance_id)
    texts = {"processed": _("Outlets processed:"), "done": _("Every outlet on the list has been processed."),
             "waiting": _("Registering the list…"), "yes": _("Processed"), "no": _("Waiting"),
             "failed": _("The progress could not be refreshed.")}
    return render_template("tracker/monthly.html", progress=progress, labels=labels(), texts=texts,
                           poll_ms=POLL_MS)


@bp.get("/tracker/monthly/<instance_id>/progress")
def monthly_json(instance_id: str):
    """What the monthly page polls until the list is done."""
    return jsonify(_progress(instance_id).as_json())


def _progress(instance_id: str):
    try:
        return monthly_progress.monthly_progress(kb(), g.actor, instance_id)
    except NotFound:
        abort(404)
