"""OpenAPI 3 for what exists: views declare their schemas with @doc; the document is built from them."""
from __future__ import annotations

import re
from typing import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")


def doc(summary: str, *, query=None, body=None, response=None, status: int = 200, many: bool = False,
        content_type: str = "application/json") -> Callable:
    """Attach OpenAPI metadata to a view (the schemas are the same ones the view loads and dumps with)."""
    def wrap(view):
        view._openapi = dict(summary=summary, query=query, body=body, response=response, status=status,
                             many=many, content_type=content_type)
        return view
    return wrap


def build(app: Flask) -> dict:
    spec = APISpec(title="Kuaibao engine REST (Camunda 7 compatible)", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Served at /engine-rest and /engine-rest/engine/default. "
                                        "HTTP Basic authentication on everything but GET /engine."})
    spec.components.security_scheme("basic", {"type": "http", "scheme": "basic"})
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/engine-rest"):
            continue
        meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if meta is None:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule[len("/engine-rest"):]) or "/"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(meta, rule.arguments)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(meta: dict, path_args) -> dict:
    op: dict = {"summary": meta["summary"], "security": [{"basic": []}], "parameters": []}
    for name in sorted(path_args):
        op["parameters"].append({"in": "path", "name": name, "required": True, "schema": {"type": "string"}})
    if meta["query"] is not None:
        op["parameters"].append({"in": "query", "schema": meta["query"]})
    if meta["body"] is not None:
        op["requestBody"] = {"content": {"application/json": {"schema": meta["body"]}}}
    error = {"description": "Camunda error", "content": {"application/json": {"schema": "Exception"}}}
    responses: dict = {"400": error, "401": error, "403": error, "404": error, "500": error}
    if meta["status"] == 204:
        responses["204"] = {"description": "No content"}
    elif meta["response"] is not None:
        schema = {"type": "array", "items": meta["response"]} if meta["many"] else meta["response"]
        responses[str(meta["status"])] = {"description": "OK", "content": {meta["content_type"]: {"schema": schema}}}
    else:
        responses[str(meta["status"])] = {"description": "OK", "content": {meta["content_type"]: {}}}
    op["responses"] = responses
    return op
