"""Claim tracker pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("tracker", __name__)


@bp.get("/tracker")
def index():
    return render_template("tracker/index.html")
