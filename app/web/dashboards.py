"""Dashboards for managers and administrators: coverage, claims by stage, overdue tasks per agency, average days per
stage and contributions collected, as charts (Chart.js from /vendor) with their numbers in tables beside them.

A region's managers see their region; administrators and process managers the province, with a region switcher.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import dashboard_stats
from ..services.case_stages import CLAIM_STAGES, STAGES
from ..services.errors import NotFound
from .session_pages import managers_only
from .tracker_labels import OUTCOMES, OUTLET_STATUSES, STAGE_NAMES

bp = Blueprint("dashboards", __name__)
COVERAGE_ORDER = ("enrolled", "applying", "listed", "escalated", "out_of_scope")


@bp.get("/dashboards")
@managers_only
def index():
    regions = dashboard_stats.regions_for(kb(), g.actor)
    province = g.actor.is_admin or len(regions) > 1
    region = request.args.get("region") or (None if province or not regions else regions[0].id)
    try:
        board = dashboard_stats.dashboard(kb(), g.actor, region)
    except NotFound:
        abort(404)
    return render_template("dashboards/index.html", board=board, regions=regions, province=province,
                           charts=charts(board), stage_names=STAGE_NAMES, outcomes=OUTCOMES,
                           outlet_statuses=OUTLET_STATUSES, coverage_order=COVERAGE_ORDER,
                           claim_stages=CLAIM_STAGES, stages=STAGES)


def charts(board: dashboard_stats.Dashboard) -> dict:
    """The charts' data, labels already in the reader's language (the page script only draws)."""
    closed = sum(board.closed_claims.values())
    return {
        "coverage": {"labels": [c.name for c in board.coverage],
                     "series": [{"key": s, "label": str(OUTLET_STATUSES[s]),
                                 "data": [c.counts.get(s, 0) for c in board.coverage]} for s in COVERAGE_ORDER]},
        "claims": {"labels": [str(STAGE_NAMES[s]) for s in CLAIM_STAGES] + [_("Closed")],
                   "series": [{"key": "claims", "label": _("Claims"),
                               "data": [board.open_claims.get(s, 0) for s in CLAIM_STAGES] + [closed]}]},
        "overdue": {"labels": [name for _agency, name, _count in board.overdue],
                    "series": [{"key": "overdue", "label": _("Overdue tasks"),
                                "data": [count for _agency, _name, count in board.overdue]}]},
        "days": {"labels": [str(STAGE_NAMES[s]) for s in STAGES],
                 "series": [{"key": "days", "label": _("Average days"),
                             "data": [board.days_per_stage.get(s, (0, 0))[0] for s in STAGES]}]},
        "contributions": {"labels": [c.period for c in board.contributions],
                          "series": [{"key": "assessed", "label": _("Assessed"),
                                      "data": [float(c.assessed) for c in board.contributions]},
                                     {"key": "collected", "label": _("Collected"),
                                      "data": [float(c.collected + c.late_fees) for c in board.contributions]}]},
    }
