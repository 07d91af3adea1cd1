"""GET /engine, GET /version and the OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from . import docs
from .schemas.dto import EngineSchema, VersionSchema

bp = Blueprint("engine", __name__)
CAMUNDA_VERSION = "7.24.0"  # the REST API level we answer as


@bp.get("/engine")
@docs.doc("List process engines (no authentication)", response=EngineSchema, many=True)
def engines():
    return jsonify([{"name": "default"}])


@bp.get("/version")
@docs.doc("The Camunda REST API version Kuaibao is compatible with", response=VersionSchema)
def version():
    return jsonify({"version": CAMUNDA_VERSION})


@bp.get("/openapi.json")
def openapi():
    cache = current_app.extensions.setdefault("kuaibao.openapi", {})
    if "doc" not in cache:
        cache["doc"] = docs.build(current_app)
    return jsonify(cache["doc"])
