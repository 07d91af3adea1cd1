"""The page blueprints, the navigation bar, and the texts the page scripts need (translated here, once)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, g, redirect
from flask_babel import gettext as _

from .session_pages import is_manager

home = Blueprint("home", __name__)


@home.get("/")
def index():
    return redirect("/tasks")


@dataclass(frozen=True)
class NavItem:
    href: str
    prefix: str
    label: str


@home.app_template_global()
def navigation() -> list[NavItem]:
    actor = g.get("actor")
    items = [NavItem("/tasks", "/tasks", _("Tasks")), NavItem("/tracker", "/tracker", _("Claim tracker"))]
    if actor is not None and is_manager(actor):
        items += [NavItem("/dashboards", "/dashboards", _("Dashboards")), NavItem("/cockpit", "/cockpit", _("Cockpit")),
                  NavItem("/modeler", "/modeler", _("Modeler"))]
    return items


@home.app_template_global()
def js_text() -> dict[str, str]:
    """Messages the page scripts show."""
    return {
        "loginFailed": _("Wrong user name or password."),
        "tooMany": _("Too many failed attempts; try again later."),
        "networkError": _("The server could not be reached."),
        "saved": _("Saved."),
        "working": _("Working…"),
        "deployed": _("Deployed as version %(version)s.", version="{version}"),
        "deployFailed": _("The diagram was not deployed:"),
        "done": _("Done."),
        "confirm": _("Are you sure?"),
    }


def _blueprints() -> list[Blueprint]:
    from . import cockpit, dashboards, modeler, tasklist, time_text, tracker
    return [home, time_text.bp, tasklist.bp, tracker.bp, cockpit.bp, modeler.bp, dashboards.bp]


BLUEPRINTS = _blueprints()
