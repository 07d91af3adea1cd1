"""What the history queries share: variable-value filters, durations in SQL, removal times, and who may read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, exists, false, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from ..models import ProcessDefinition, ProcessInstance, Variable
from .authz import Policy
from .errors import InvalidRequest

# The root instance and its definition, joined for removal times (made once: building aliases is not cheap).
_ROOT, _ROOT_DEFINITION = aliased(ProcessInstance, name="root"), aliased(ProcessDefinition, name="root_definition")
OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")


@dataclass(frozen=True)
class VariableFilter:
    """Camunda's `{name, operator, value}` variable condition (GET sends it as `name_operator_value`)."""

    name: str
    operator: str
    value: Any

    def __post_init__(self):
        if self.operator not in OPERATORS:
            raise InvalidRequest(f"Invalid variable comparator specified: {self.operator}")


def variable_matches(instance_id_column, f: VariableFilter, names_ignore_case: bool = False,
                     values_ignore_case: bool = False):
    """EXISTS a variable of the instance in `instance_id_column` that satisfies the filter."""
    v = Variable
    name = func.lower(v.name) == f.name.lower() if names_ignore_case else v.name == f.name
    return exists().where(v.process_instance_id == instance_id_column, name,
                          value_condition(f.operator, f.value, values_ignore_case))


def value_condition(op: str, value: Any, ignore_case: bool = False):
    """A condition on the variable table's typed columns. JSON numbers and booleans compare with numbers and
    booleans; a string from a query string that reads as a number (or true/false) also matches such values with
    eq/neq and compares numerically with gt/lt. Dates and Json values are compared as stored text only."""
    v = Variable
    if value is None:
        return v.type == "Null" if op == "eq" else (v.type != "Null" if op == "neq" else false())
    if isinstance(value, bool):
        return and_(v.type == "Boolean", _compare(v.long_value, op, int(value))) if op in ("eq", "neq") else false()
    if isinstance(value, (int, float)):
        return _compare(v.double_value, op, float(value)) if op != "like" else false()
    text = str(value)
    column = func.lower(v.text_value) if ignore_case else v.text_value
    as_text = _compare(column, op, text.lower() if ignore_case else text)
    if op == "like":
        return as_text
    number, flag = _number(text), {"true": 1, "false": 0}.get(text.lower())
    if number is not None:
        as_number = _compare(v.double_value, op, number)
        return or_(as_text, as_number) if op in ("eq", "neq") else as_number
    if flag is not None and op in ("eq", "neq"):
        return or_(as_text, and_(v.type == "Boolean", _compare(v.long_value, op, flag)))
    return as_text


def _compare(column, op: str, value):
    return {"eq": lambda: column == value, "neq": lambda: column != value, "gt": lambda: column > value,
            "gteq": lambda: column >= value, "lt": lambda: column < value, "lteq": lambda: column <= value,
            "like": lambda: column.like(value)}[op]()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class millis_between(FunctionElement):
    """end − start as a sortable number (NULL while running): `ORDER BY duration` on either database."""

    type = Float()
    name = "millis_between"
    inherit_cache = True


@compiles(millis_between)
def _interval(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


@compiles(millis_between, "sqlite")
def _julian(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


def millis(start: datetime | None, end: datetime | None) -> int | None:
    """Camunda's durationInMillis, only once ended: the difference of the two times as shown (to the ms)."""
    if start is None or end is None:
        return None
    shown = [t.replace(microsecond=t.microsecond // 1000 * 1000) for t in (start, end)]
    return (shown[1] - shown[0]) // timedelta(milliseconds=1)


def with_removal(stmt, root_id_column):
    """Add the root instance's end time and time to live: history is removed with its whole process tree, so
    every row's removalTime is the root's (Camunda's default removal-time strategy, "end")."""
    root, definition = _ROOT, _ROOT_DEFINITION
    return (stmt.add_columns(root.end_time.label("root_end_time"),
                             definition.history_time_to_live.label("root_ttl"))
            .outerjoin(root, root.id == root_id_column)
            .outerjoin(definition, definition.id == root.definition_id))


def removal_time(end_time: datetime | None, ttl_days: int | None, settings) -> datetime | None:
    """When the history cleanup may remove the row: the root's end plus its definition's historyTimeToLive, else
    HISTORY_TIME_TO_LIVE_DAYS (whose 0 keeps history forever: no removal time)."""
    days = ttl_days
    if days is None:
        days = getattr(settings, "history_time_to_live_days", None) or None
    return end_time + timedelta(days=days) if end_time is not None and days is not None else None


def readable_instance(pol: Policy, instance_id_column):
    """Rows of instances the caller may read in history (None: no restriction)."""
    return pol.readable_instances(instance_id_column, history=True)


def nothing_if(*given) -> list:
    """Filters on things Kuaibao never has (cases, subtasks…): any value given matches no row."""
    return [false()] if any(g not in (None, False, []) for g in given) else []
