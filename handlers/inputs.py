"""Read and check a handler's variables: each reader raises ValueError naming the variable that is wrong."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, Protocol, TypeVar

from .money import parse_amount, parse_decimal
from .records import Records

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
T = TypeVar("T")


class Call(Protocol):
    """What a handler receives (the engine's HandlerCall has these attributes)."""

    variables: dict[str, Any]
    topic: str
    activity_id: str
    business_key: str | None
    process_instance_id: str | None
    records: Any


def records_of(call: Call) -> Records:
    """The pack's records handed in by the service; a handler that needs them cannot run without."""
    if call.records is None:
        raise ValueError(f"topic '{call.topic}' needs the pack's records, but none were passed "
                         "(the service context has no records_factory)")
    return call.records


def _get(v: Mapping[str, Any], name: str) -> Any:
    value = v.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"variable '{name}' is missing")
    return value


def text(v: Mapping[str, Any], name: str) -> str:
    """A non-empty string."""
    value = _get(v, name)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"variable '{name}' must be a string, got {value!r}")
    return str(value).strip()


def choice(v: Mapping[str, Any], name: str, options: Iterable[str]) -> str:
    """One of the allowed values."""
    value, options = text(v, name), tuple(options)
    if value not in options:
        raise ValueError(f"variable '{name}' must be one of {', '.join(options)}, got {value!r}")
    return value


def flag(v: Mapping[str, Any], name: str) -> bool:
    """A boolean (also accepts the strings true/false, as text forms may send)."""
    value = _get(v, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"variable '{name}' must be a boolean, got {value!r}")


def whole(v: Mapping[str, Any], name: str) -> int:
    """A non-negative whole number (decisions may deliver `"30"`)."""
    value = _get(v, name)
    if isinstance(value, bool):
        raise ValueError(f"variable '{name}' must be a whole number, got {value!r}")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(f"variable '{name}' must be a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"variable '{name}' must not be negative, got {value!r}")
    return number


def number(v: Mapping[str, Any], name: str) -> Decimal:
    """A non-negative decimal (rates, percentages, months)."""
    return parse_decimal(_get(v, name), name)


def amount(v: Mapping[str, Any], name: str) -> Decimal:
    """An amount of money rounded to the fen."""
    return parse_amount(_get(v, name), name)


def day(v: Mapping[str, Any], name: str) -> date:
    """A date: an ISO string `YYYY-MM-DD` or a date/datetime value (a form field of type date)."""
    return to_day(_get(v, name), name)


def to_day(value: Any, name: str) -> date:
    """Parse one date value; ValueError naming `name`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date() if "T" in value else date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"variable '{name}' must be a date YYYY-MM-DD, got {value!r}")


def month(v: Mapping[str, Any], name: str) -> str:
    """A month `YYYY-MM`."""
    value = text(v, name)
    if not _MONTH.match(value):
        raise ValueError(f"variable '{name}' must be a month YYYY-MM, got {value!r}")
    return value


def json_value(v: Mapping[str, Any], name: str) -> Any:
    """A Json variable, or a string holding JSON (as a text form field sends it)."""
    value = _get(v, name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise ValueError(f"variable '{name}' is not valid JSON: {e.msg} (line {e.lineno})") from None
    return value


def json_list(v: Mapping[str, Any], name: str) -> list[Any]:
    """A non-empty JSON list."""
    value = json_value(v, name)
    if not isinstance(value, list) or not value:
        raise ValueError(f"variable '{name}' must be a non-empty JSON list")
    return value


def setting(v: Mapping[str, Any], name: str, read: Callable[[Mapping[str, Any], str], T]) -> T:
    """A pack setting: `read` (whole, number…) applied to `settings[name]`, the single result of the decision
    `pack_settings` that every process reads first (读取参数)."""
    settings = v.get("settings")
    if not isinstance(settings, Mapping):
        raise ValueError(f"variable 'settings' (the pack_settings decision's result) is missing, so setting '{name}' "
                         "is unknown: the process must run 读取参数 first")
    try:
        return read(settings, name)
    except ValueError as e:
        raise ValueError(str(e).replace(f"variable '{name}'", f"setting '{name}' in variable 'settings'", 1)) from None


def table(v: Mapping[str, Any], name: str, keys: Iterable[str]) -> dict[str, Any]:
    """A decision's singleResult (a dict) holding at least `keys`."""
    value = _get(v, name)
    if not isinstance(value, Mapping):
        raise ValueError(f"variable '{name}' must be a decision result (a map), got {value!r}")
    missing = [k for k in keys if value.get(k) in (None, "")]
    if missing:
        raise ValueError(f"variable '{name}' lacks {', '.join(missing)}")
    return dict(value)
