"""Cockpit pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("cockpit", __name__)


@bp.get("/cockpit")
def index():
    return render_template("cockpit/index.html")
