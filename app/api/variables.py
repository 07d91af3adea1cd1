"""Typed-variable maps at the HTTP boundary (shared by instance, task and start endpoints)."""
from __future__ import annotations

from typing import Mapping

from flask import request

from ..services import typed_values as tv
from .errors import RestError


def read_map(raw) -> dict[str, tv.TypedValue]:
    """Inbound `{name: {value, type, valueInfo}}`; a bad value is a 400 naming the variable."""
    try:
        return tv.from_rest_map(raw)
    except tv.VariableValueError as e:
        raise RestError(400, "InvalidRequestException", str(e)) from None


def write_map(values: Mapping[str, tv.TypedValue]) -> dict:
    deserialize = (request.args.get("deserializeValues") or request.args.get("deserializeValue") or "true").lower() != "false"
    return {name: tv.to_rest(v, deserialize) for name, v in values.items()}


def names_arg() -> list[str] | None:
    raw = request.args.getlist("variableNames")
    names = [n.strip() for item in raw for n in item.split(",") if n.strip()]
    return names or None
