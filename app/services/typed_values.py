"""Camunda's typed variables ({value, type, valueInfo}) <-> Python values <-> storage columns.

The engine sees natural Python values (str, int, float, bool, None, datetime, dicts and lists for
Json). The variable table remembers the Camunda type, so the API answers exactly what a client
stored (a Long stays a Long) without guessing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)
INT16 = (-2**15, 2**15 - 1)
TYPES = ("String", "Integer", "Long", "Short", "Double", "Boolean", "Date", "Null", "Json", "Object", "Xml")
_BY_REST_NAME = {t[0].lower() + t[1:]: t for t in TYPES}
_NUMBER_KINDS = {"Integer": INT32, "Long": INT64, "Short": INT16}
JSON_FORMAT = "application/json"


class VariableValueError(ValueError):
    """A typed value cannot be read as its declared type (HTTP 400 at the API)."""


@dataclass(frozen=True)
class TypedValue:
    """A variable's Python value plus the Camunda type it is reported as."""

    type: str
    value: Any
    value_info: dict = field(default_factory=dict)


def canonical_type(name: str | None) -> str | None:
    """Camunda lower-cases only the first letter of inbound type names: 'string' and 'String' work, 'JSON' does not."""
    if name is None or name == "":
        return None
    t = _BY_REST_NAME.get(name[0].lower() + name[1:])
    if t is None:
        raise VariableValueError(f"Unsupported value type '{name}'")
    return t


def from_rest(name: str, dto: Mapping[str, Any] | None) -> TypedValue:
    """Read one inbound `{value, type, valueInfo}`; an absent type is inferred from the JSON value."""
    dto = dto or {}
    if not isinstance(dto, Mapping):
        raise VariableValueError(f"Variable '{name}' must be an object with 'value' and 'type'")
    value, info = dto.get("value"), dict(dto.get("valueInfo") or {})
    kind = canonical_type(dto.get("type"))
    if kind is None:
        return TypedValue(infer(value), value, {})
    try:
        return TypedValue(kind, _convert(kind, value, info), info if kind in ("Object", "Json", "Xml") else {})
    except (ValueError, TypeError, OverflowError) as e:
        raise VariableValueError(f"Cannot convert value '{value}' of type '{kind}' for variable '{name}': {e}") from None


def from_rest_map(variables: Mapping[str, Any] | None) -> dict[str, TypedValue]:
    """Read a map of inbound typed values."""
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise VariableValueError("variables must be a JSON object")
    return {name: from_rest(name, dto) for name, dto in variables.items()}


def _convert(kind: str, value: Any, info: dict) -> Any:
    if value is None or kind == "Null":
        return None
    if kind == "String":
        return json.dumps(value) if isinstance(value, (dict, list)) else (
            ("true" if value else "false") if isinstance(value, bool) else str(value))
    if kind in _NUMBER_KINDS:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("not an integer")
        number = int(value)
        low, high = _NUMBER_KINDS[kind]
        if not low <= number <= high:
            raise ValueError(f"out of range for {kind}")
        return number
    if kind == "Double":
        if isinstance(value, bool):
            raise ValueError("not a number")
        return float(value)
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("not a boolean")
    if kind == "Date":
        return parse_date(value)
    if kind in ("Json", "Object"):
        fmt = info.get("serializationDataFormat")
        if kind == "Object" and fmt not in (None, JSON_FORMAT):
            raise ValueError(f"serialization format '{fmt}' is not supported; use {JSON_FORMAT}")
        return json.loads(value) if isinstance(value, str) else value
    if kind == "Xml":
        return str(value)
    raise ValueError(f"unsupported type {kind}")


def parse_date(value: Any) -> datetime:
    """Camunda's date format (…T10:00:00.000+0100) or any ISO-8601 form, as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_date(value: datetime | None) -> str | None:
    """Camunda's wire format: milliseconds and an offset without a colon."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}" + value.strftime("%z")


def infer(value: Any, previous: str | None = None) -> str:
    """The type to report for a Python value, keeping a previously declared type when it still fits."""
    if previous and _fits(previous, value):
        return previous
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if INT32[0] <= value <= INT32[1] else "Long"
    if isinstance(value, (float, Decimal)):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, (datetime, date)):
        return "Date"
    return "Json"


_PYTHON_TYPES = {"String": str, "Xml": str, "Boolean": bool, "Double": (float, Decimal), "Date": (datetime, date),
                 "Json": (dict, list, str, int, float, bool), "Object": (dict, list, str, int, float, bool)}


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return kind == "Null"
    if kind in _NUMBER_KINDS:
        low, high = _NUMBER_KINDS[kind]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind == "Double" and isinstance(value, bool):
        return False
    return kind in _PYTHON_TYPES and isinstance(value, _PYTHON_TYPES[kind])


def to_rest(tv: TypedValue, deserialize: bool = True) -> dict:
    """Outbound `{value, type, valueInfo}` as Camunda writes it (Json values as strings)."""
    value = tv.value
    info = dict(tv.value_info)
    if tv.type == "Date":
        value = format_date(value if isinstance(value, datetime) else parse_date(value)) if value is not None else None
    elif tv.type == "Json":
        value = None if value is None else json.dumps(value, ensure_ascii=False, default=str)
    elif tv.type == "Object":
        info.setdefault("objectTypeName", "java.util.LinkedHashMap" if isinstance(value, dict) else "java.util.ArrayList")
        info.setdefault("serializationDataFormat", JSON_FORMAT)
        if not deserialize and value is not None:
            value = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, Decimal):
        value = float(value)
    return {"type": tv.type, "value": value, "valueInfo": info}


def to_columns(tv: TypedValue) -> dict:
    """Storage columns for a typed value: a canonical JSON copy plus typed columns for filtering."""
    value = tv.value
    stored = format_date(value) if isinstance(value, datetime) else (
        value.isoformat() if isinstance(value, date) else value)
    text = json.dumps(stored, ensure_ascii=False, default=str, sort_keys=True)
    numeric = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    return {
        "type": tv.type,
        "value": text,
        "text_value": value[:4000] if isinstance(value, str) else None,
        "long_value": int(value) if isinstance(value, bool) or (isinstance(value, int) and INT64[0] <= value <= INT64[1]) else None,
        "double_value": float(value) if numeric else None,
        "value_info": json.dumps(tv.value_info) if tv.value_info else None,
    }


def from_columns(kind: str, value: str | None, value_info: str | None) -> TypedValue:
    """Rebuild a typed value from its stored columns."""
    python = json.loads(value) if value is not None else None
    if kind == "Date" and python is not None:
        python = parse_date(python)
    return TypedValue(kind, python, json.loads(value_info) if value_info else {})
