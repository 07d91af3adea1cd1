"""Request loading and response helpers shared by the blueprints."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from flask import Response, current_app, g, jsonify, request
from marshmallow import EXCLUDE, Schema

from ..services.context import Actor, Kuaibao
from ..services.queries import Page, Sorting
from .errors import RestError
from .fields import CsvList


def kb() -> Kuaibao:
    return current_app.extensions["kuaibao"]


def actor() -> Actor:
    return g.actor


@lru_cache(maxsize=None)
def _query_keys(schema: Schema) -> dict[str, bool]:
    """Wire name -> whether the field is a list (repeated keys), per schema instance."""
    return {(f.data_key or name): isinstance(f, CsvList) for name, f in schema.fields.items()}


def load_query(schema: Schema) -> dict:
    """Query-string parameters through a schema; list fields take repeated keys and commas alike."""
    keys = _query_keys(schema)
    data: dict[str, Any] = {}
    for key in request.args:
        if key in keys:
            data[key] = request.args.getlist(key) if keys[key] else request.args.get(key)
    return schema.load(data, unknown=EXCLUDE)


def json_body() -> dict:
    """The JSON body, or {} for an empty POST (clients send bodiless POSTs); malformed JSON is a 400."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise RestError(400, "InvalidRequestException", "") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise RestError(400, "InvalidRequestException", "The request body must be a JSON object")
    return body


def load_body(schema: Schema) -> dict:
    return schema.load(json_body(), unknown=EXCLUDE)


def query_sorting(args: dict) -> list[Sorting]:
    """Camunda insists sortBy and sortOrder come together."""
    sort_by, sort_order = args.pop("sort_by", None), args.pop("sort_order", None)
    if (sort_by is None) != (sort_order is None):
        raise RestError(400, "InvalidRequestException",
                        "Only a single sorting parameter specified. sortBy and sortOrder required")
    return [Sorting(sort_by, sort_order)] if sort_by else []


def body_sorting(args: dict) -> list[Sorting]:
    result = []
    for item in args.pop("sorting", None) or []:
        if not item.get("sortBy") or not item.get("sortOrder"):
            raise RestError(400, "InvalidRequestException", "sortBy and sortOrder required in every sorting entry")
        result.append(Sorting(item["sortBy"], item["sortOrder"]))
    return result


def criteria(cls, schema: Schema, from_body: bool = False):
    """A service query object from the query string (GET) or a JSON body (POST), with sorting and paging."""
    if from_body:
        args = schema.load(json_body(), unknown=EXCLUDE)
        sorting = body_sorting(args)
        args.pop("sort_by", None), args.pop("sort_order", None)
    else:
        args = load_query(schema)
        sorting = query_sorting(args)
        args.pop("sorting", None)
    return cls(**{k: v for k, v in args.items() if v is not None}, sorting=sorting, page=paging())


def paging() -> Page:
    """firstResult/maxResults from the query string (POST queries take them there too, as in Camunda)."""
    def number(name: str) -> int | None:
        raw = request.args.get(name)
        if raw in (None, ""):
            return None
        try:
            value = int(raw)
        except ValueError:
            raise RestError(400, "InvalidRequestException", f"Cannot set query parameter '{name}' to value '{raw}'") \
                from None
        if value < 0:
            raise RestError(400, "InvalidRequestException", f"{name} must not be negative")
        return value
    return Page(number("firstResult") or 0, number("maxResults"))


def no_content() -> Response:
    return Response(status=204)


def ok(payload: Any, status: int = 200) -> Response:
    return jsonify(payload) if status == 200 else (jsonify(payload), status)


def link(path: str, rel: str = "self", method: str = "GET") -> dict:
    return {"method": method, "href": f"{request.host_url.rstrip('/')}/engine-rest{path}", "rel": rel}


def flag(name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise RestError(400, "InvalidRequestException", f"Cannot set query parameter '{name}' to value '{raw}'")
    return raw.lower() == "true"
