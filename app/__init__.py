"""Kuaibao: a Camunda-7-compatible BPMN service on SpiffWorkflow.

create_app: settings -> database -> engine (with handlers) -> services -> blueprints -> error handlers.
Nothing happens at import time.
"""
from __future__ import annotations

from typing import Callable, Mapping

from flask import Flask


def create_app(config_overrides: dict | None = None, handlers: Mapping[str, Callable] | None = None,
               services=None) -> Flask:
    """Build the WSGI application; `handlers` replaces the registry from `handlers/`, `services` a whole
    prepared service context (tests share one per database)."""
    from .api import register_blueprints
    from .api.auth import install as install_auth
    from .web import register as register_web
    from .wiring import build_services

    kb = services or build_services(config_overrides, handlers)
    app = Flask(__name__, instance_relative_config=False, template_folder="web/templates",
                static_folder="web/static")
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["kuaibao"] = kb
    install_auth(app)
    register_blueprints(app)
    register_web(app)
    if kb.settings.job_executor == "thread" and services is None:
        from .jobs.executor import BackgroundExecutor
        app.extensions["kuaibao.jobs"] = BackgroundExecutor(kb).start()
    return app


