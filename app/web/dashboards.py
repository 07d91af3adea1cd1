"""Dashboards pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("dashboards", __name__)


@bp.get("/dashboards")
def index():
    return render_template("dashboards/index.html")
