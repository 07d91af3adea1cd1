"""Process variables as the Cockpit shows and edits them: one line of text per value, read back as the same
Camunda type (a Long stays a Long, a Json stays a Json), so an edit never changes what a handler receives."""
from __future__ import annotations

import json
from datetime import date, datetime, time

from ..services import typed_values as tv
from ..services.jilin_records import PACK_ZONE
from ..services.local_time import to_local

ADDABLE = ("String", "Boolean", "Long", "Integer", "Double", "Date", "Json")
MULTILINE = ("Json", "Object", "Xml")


def as_text(value: tv.TypedValue) -> str:
    """The value as the edit box holds it (dates in Jilin time with their offset, Json as JSON)."""
    v = value.value
    if v is None:
        return ""
    if value.type in ("Json", "Object"):
        return json.dumps(v, ensure_ascii=False, default=str)
    if value.type == "Date":
        moment = v if isinstance(v, datetime) else tv.parse_date(v)
        return to_local(moment).isoformat(timespec="seconds")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def parse(name: str, kind: str, text: str, value_info: dict | None = None) -> tv.TypedValue:
    """Read an edit box as `kind`; a value that does not fit raises VariableValueError with the reason."""
    canonical = tv.canonical_type(kind) or "String"
    if canonical == "Null":
        return tv.TypedValue("Null", None)
    raw: object = text
    if canonical in ("Json", "Object"):
        try:
            raw = json.loads(text)
        except ValueError as e:
            raise tv.VariableValueError(f"'{name}' is not valid JSON: {e}") from None
    elif canonical == "Date" and len(text.strip()) == 10:
        try:  # a bare day means the start of that day in Jilin
            raw = datetime.combine(date.fromisoformat(text.strip()), time(), PACK_ZONE)
        except ValueError:
            raw = text
    elif canonical not in ("String", "Xml"):
        raw = text.strip()
    return tv.from_rest(name, {"value": raw, "type": canonical, "valueInfo": value_info or {}})
