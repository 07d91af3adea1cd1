"""Check a task's submitted values against its Camunda form fields (required, type, enum, limits)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Mapping

from . import typed_values as tv
from .errors import InvalidRequest


class FormInvalid(InvalidRequest):
    """Submitted values break the task's form; nothing was completed."""

    camunda_type = "FormFieldValidationException"


def validate(fields: list[dict], submitted: Mapping[str, tv.TypedValue], existing: Mapping[str, tv.TypedValue],
             task_name: str) -> None:
    """Raise FormInvalid listing every problem: required fields missing (and not already set), wrong types,
    values outside an enum or its min/max/minlength/maxlength constraints, changes to read-only fields."""
    problems = []
    for field in fields:
        fid, kind = field["id"], (field.get("type") or "string").lower()
        label = f"'{field.get('label') or fid}' ({fid})"
        rules = {c["name"]: c.get("config") for c in field.get("validation") or []}
        if "readonly" in rules and fid in submitted:
            problems.append(f"{label} is read-only")
            continue
        value = submitted[fid].value if fid in submitted else (existing[fid].value if fid in existing else None)
        if value is None or value == "":
            if "required" in rules:
                problems.append(f"{label} is required")
            continue
        if fid in submitted:
            problems += [f"{label}: {p}" for p in _check(kind, value, rules, field)]
    if problems:
        raise FormInvalid(f"Cannot complete task '{task_name}': " + "; ".join(problems))


def _check(kind: str, value, rules: dict, field: dict) -> list[str]:
    if kind == "long" and (isinstance(value, bool) or not isinstance(value, int)):
        return [f"expected a whole number, got {value!r}"]
    if kind == "boolean" and not isinstance(value, bool):
        return [f"expected true or false, got {value!r}"]
    if kind == "string" and not isinstance(value, str):
        return [f"expected text, got {value!r}"]
    if kind == "date" and not isinstance(value, (datetime, date)):
        try:
            tv.parse_date(value)
        except (ValueError, TypeError):
            return [f"expected a date, got {value!r}"]
    if kind == "enum":
        options = [o["id"] for o in field.get("options") or []]
        if value not in options:
            return [f"must be one of {', '.join(options)}, got {value!r}"]
    problems = []
    for name, config in rules.items():
        limit = _number(config)
        if limit is None:
            continue
        if name == "min" and isinstance(value, (int, float)) and value < limit:
            problems.append(f"must be at least {config}")
        elif name == "max" and isinstance(value, (int, float)) and value > limit:
            problems.append(f"must be at most {config}")
        elif name == "minlength" and isinstance(value, str) and len(value) < limit:
            problems.append(f"must have at least {config} characters")
        elif name == "maxlength" and isinstance(value, str) and len(value) > limit:
            problems.append(f"must have at most {config} characters")
    return problems


def _number(config) -> float | None:
    try:
        return float(config)
    except (TypeError, ValueError):
        return None
