"""Camunda 7 compatible REST API at /engine-rest: one blueprint per resource, all registered here (and the web
app's login at the root)."""
from __future__ import annotations

from flask import Flask

from . import (
    authorizations,
    deployments,
    engine,
    external_tasks,
    groups,
    history,
    history_cleanup,
    identity,
    incidents,
    jobs,
    messages,
    process_definitions,
    process_instances,
    session,
    task_comments,
    tasks,
    tenants,
    users,
)
from .errors import register_error_handlers

BLUEPRINTS = (engine.bp, deployments.bp, process_definitions.bp, process_instances.bp, tasks.bp, task_comments.bp,
              messages.bp, jobs.bp, external_tasks.bp, incidents.bp, users.bp, groups.bp, tenants.bp, identity.bp,
              history.bp, history_cleanup.bp, authorizations.bp)
PREFIX = "/engine-rest"
ALIAS = "/engine-rest/engine/default"


def register_blueprints(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp, url_prefix=PREFIX)
    app.register_blueprint(session.bp)
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
