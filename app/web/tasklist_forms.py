"""Camunda form fields (a task's `form_fields`, a definition's start form) as HTML inputs, and the submitted inputs
back as typed values.

The services validate (services/forms.py, the same check the REST API's complete runs); this module only turns
what the browser sends into typed values and puts the service's verdict, field by field and in the page's
language, next to the field it concerns."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Mapping

from flask_babel import gettext as _

from ..services import forms
from ..services.jilin_records import PACK_ZONE
from ..services.local_time import local_day
from ..services.typed_values import TypedValue
from .time_text import parse_day

DATE_HINT = re.compile(r"（YYYY-MM(-DD)?）|[，,]\s*YYYY-MM(-DD)?")  # the pack's labels hint the format of a date
LONG_TEXT = re.compile(r"(_json|_note|_reason|_comment)$|^(description|findings|missing_materials)$")
MAX_LONG = 2**63 - 1


@dataclass
class FieldView:
    """One input as the template draws it."""

    id: str
    label: str
    widget: str  # text, textarea, number, date, month, select
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    readonly: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def rules(spec: dict) -> dict[str, Any]:
    return {c.get("name"): c.get("config") for c in spec.get("validation") or []}


def field_views(fields: list[dict], values: Mapping[str, Any], submitted: Mapping[str, str] | None = None,
                errors: Mapping[str, str] | None = None) -> list[FieldView]:
    """Inputs for `fields`: showing what was submitted (after a refusal), else the current values."""
    errors = errors or {}
    views = []
    for spec in fields:
        fid, kind, checks = spec["id"], (spec.get("type") or "string").lower(), rules(spec)
        label = spec.get("label") or fid
        if submitted is not None and fid in submitted:
            shown = submitted[fid]
        else:
            shown = display(kind, values.get(fid))
        view = FieldView(fid, label, "text", shown, required="required" in checks, readonly="readonly" in checks,
                         error=errors.get(fid))
        _widget(view, kind, spec, checks)
        views.append(view)
    return views


def _widget(view: FieldView, kind: str, spec: dict, checks: dict) -> None:
    """Pick the input for a field: booleans are a yes/no choice (a checkbox cannot say "not answered yet")."""
    if kind == "boolean":
        view.widget, view.options = "select", [("true", _("Yes")), ("false", _("No"))]
    elif kind == "enum":
        view.widget = "select"
        view.options = [(o["id"], o.get("name") or o["id"]) for o in spec.get("options") or []]
    elif kind == "long":
        view.widget, view.attrs = "number", {"step": "1", "inputmode": "numeric"}
        view.attrs.update({k: str(checks[k]) for k in ("min", "max") if checks.get(k) is not None})
    elif kind == "date" or "YYYY-MM-DD" in view.label:
        view.widget, view.label = "date", DATE_HINT.sub("", view.label)  # a date picker needs no format hint
    elif "YYYY-MM" in view.label:
        view.widget, view.label = "month", DATE_HINT.sub("", view.label)
        view.attrs = {"placeholder": "YYYY-MM"}
    elif LONG_TEXT.search(view.id):
        view.widget = "textarea"
    elif "元" in view.label:
        view.attrs = {"inputmode": "decimal"}
    if view.widget in ("text", "textarea"):
        view.attrs.update({k: str(checks[k]) for k in ("minlength", "maxlength") if checks.get(k) is not None})


def display(kind: str, value: Any) -> str:
    """A current value as an input holds it."""
    if isinstance(value, TypedValue):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return local_day(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def parse(fields: list[dict], form: Mapping[str, str]) -> tuple[dict[str, TypedValue], dict[str, str], dict]:
    """The submitted inputs as typed values, the inputs that are not even of their field's type, and the raw
    inputs (to show them again). Read-only fields are never sent; an empty optional field other than text is
    left out (the variable keeps its value), an empty required one is sent empty so that the check names it."""
    values, errors, raw = {}, {}, {}
    for spec in fields:
        fid, kind, checks = spec["id"], (spec.get("type") or "string").lower(), rules(spec)
        if "readonly" in checks:
            continue
        text = (form.get(fid) or "").strip()
        raw[fid] = text
        if text == "":
            if kind == "string" or (kind == "enum" and "required" in checks):
                values[fid] = TypedValue("String", "")
            elif "required" in checks:
                values[fid] = TypedValue("Null", None)
            continue
        try:
            values[fid] = _typed(kind, text)
        except ValueError:
            errors[fid] = _TYPE_MESSAGES.get(kind, lambda: _("This value is not valid."))()
    return values, errors, raw


def _typed(kind: str, text: str) -> TypedValue:
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return TypedValue("Boolean", text == "true")
    if kind == "long":
        number = int(text)
        if abs(number) > MAX_LONG:
            raise ValueError(text)
        return TypedValue("Long", number)
    if kind == "date":
        day = parse_day(text)
        if day is None:
            raise ValueError(text)
        return TypedValue("Date", datetime.combine(day, time(), PACK_ZONE))
    return TypedValue("String", text)


_TYPE_MESSAGES = {"boolean": lambda: _("Choose yes or no."), "long": lambda: _("Enter a whole number."),
                  "date": lambda: _("Enter a date (YYYY-MM-DD).")}


def check(fields: list[dict], submitted: Mapping[str, TypedValue],
          existing: Mapping[str, TypedValue] | None = None) -> dict[str, str]:
    """The service's form check, one field at a time, so each problem lands next to its field."""
    errors = {}
    for spec in fields:
        try:
            forms.validate([spec], submitted, existing or {}, "")
        except forms.FormInvalid as e:
            errors[spec["id"]] = " ".join(_explain(problem, spec) for problem in _problems(str(e), spec))
    return errors


_PREFIX = "Cannot complete task '': "
_LIMITS = ((re.compile(r"must have at least (.+) characters"), lambda n: _("Enter at least %(n)s characters.", n=n)),
           (re.compile(r"must have at most (.+) characters"), lambda n: _("Enter at most %(n)s characters.", n=n)),
           (re.compile(r"must be at least (.+)"), lambda n: _("Must be at least %(n)s.", n=n)),
           (re.compile(r"must be at most (.+)"), lambda n: _("Must be at most %(n)s.", n=n)))


def _problems(message: str, spec: dict) -> list[str]:
    """The problems of one field, without the task name and the field's label that the service puts in."""
    label = f"'{spec.get('label') or spec['id']}' ({spec['id']})"
    body = message[len(_PREFIX):] if message.startswith(_PREFIX) else message
    found = []
    for problem in body.split("; "):
        for prefix in (f"{label}: ", f"{label} "):
            if problem.startswith(prefix):
                problem = problem[len(prefix):]
                break
        found.append(problem)
    return found


def _explain(problem: str, spec: dict) -> str:
    """A service problem in the page's language (an unknown one is shown as the service wrote it)."""
    if problem == "is required":
        return _("This field is required.")
    if problem == "is read-only":
        return _("This field cannot be changed.")
    for start, message in (("expected a whole number", lambda: _("Enter a whole number.")),
                           ("expected true or false", lambda: _("Choose yes or no.")),
                           ("expected text", lambda: _("Enter text.")),
                           ("expected a date", lambda: _("Enter a date (YYYY-MM-DD).")),
                           ("must be one of", lambda: _("Choose one of the options."))):
        if problem.startswith(start):
            return message()
    for pattern, message in _LIMITS:
        match = pattern.fullmatch(problem)
        if match:
            return message(match.group(1))
    return problem
