"""Tasks pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("tasklist", __name__)


@bp.get("/tasks")
def index():
    return render_template("tasklist/index.html")
