"""Serve the front-end libraries from node_modules (installed by `make run` from package-lock.json): only the
built files the pages use, never the rest of the tree."""
from __future__ import annotations

from flask import Flask, abort, send_from_directory

from ..config import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
SERVED = ("bpmn-js/dist/", "dmn-js/dist/", "chart.js/dist/", "camunda-bpmn-moddle/resources/",
          "camunda-dmn-moddle/resources/")
WEEK = 7 * 24 * 3600


def install(app: Flask) -> None:
    @app.get("/vendor/<path:path>")
    def vendor(path: str):
        if ".." in path.split("/") or not path.startswith(SERVED):
            abort(404)
        return send_from_directory(NODE_MODULES, path, max_age=WEEK)
