"""Modeler pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("modeler", __name__)


@bp.get("/modeler")
def index():
    return render_template("modeler/index.html")
