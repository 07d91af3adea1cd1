"""The web app: Tasklist, Cockpit, Modeler, claim tracker and dashboards, as Flask pages with light JavaScript.

Pages render on the server from the same services the REST API uses, so they show exactly what the caller may
see; their buttons post HTML forms (with the session's CSRF token) or call /engine-rest with the session cookie.
bpmn-js, dmn-js and Chart.js are served from node_modules (no CDN). Chinese by default, English on request.
"""
from __future__ import annotations

from flask import Flask

from . import i18n, pages, session_pages, vendor


def register(app: Flask) -> None:
    i18n.install(app)
    vendor.install(app)
    session_pages.install(app)
    for bp in pages.BLUEPRINTS:
        app.register_blueprint(bp)
