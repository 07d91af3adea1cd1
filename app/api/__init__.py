"""Camunda 7 compatible REST API at /engine-rest: one blueprint per resource, all registered here."""
from __future__ import annotations

from flask import Flask

from . import (
    deployments,
    engine,
    external_tasks,
    incidents,
    jobs,
    messages,
    process_definitions,
    process_instances,
    tasks,
)
from .errors import register_error_handlers

BLUEPRINTS = (engine.bp, deployments.bp, process_definitions.bp, process_instances.bp, tasks.bp, messages.bp, jobs.bp,
              external_tasks.bp, incidents.bp)
PREFIX = "/engine-rest"
ALIAS = "/engine-rest/engine/default"


def register_blueprints(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp, url_prefix=PREFIX)
    register_error_handlers(app)
    app.wsgi_app = EngineAlias(app.wsgi_app)


class EngineAlias:
    """Serve /engine-rest/engine/default/… as /engine-rest/… (the named default engine)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ALIAS + "/"):
            environ["PATH_INFO"] = PREFIX + path[len(ALIAS):]
        return self.wsgi_app(environ, start_response)
