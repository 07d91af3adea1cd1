"""Paging and sorting shared by every list query."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .errors import InvalidRequest


@dataclass(frozen=True)
class Page:
    first_result: int = 0
    max_results: int | None = None


@dataclass(frozen=True)
class Sorting:
    sort_by: str
    sort_order: str = "asc"


def apply_sorting(stmt, sorting: list[Sorting], columns: Mapping, default=None):
    """ORDER BY the requested Camunda sort keys; an unknown key is a 400, as in Camunda."""
    for s in sorting:
        column = columns.get(s.sort_by)
        if column is None:
            raise InvalidRequest(f"sortBy parameter has invalid value: {s.sort_by}")
        if s.sort_order not in ("asc", "desc"):
            raise InvalidRequest(f"sortOrder parameter has invalid value: {s.sort_order}")
        stmt = stmt.order_by(column.desc() if s.sort_order == "desc" else column.asc())
    if default is not None:
        stmt = stmt.order_by(default)
    return stmt


def apply_page(stmt, page: Page):
    if page.first_result:
        stmt = stmt.offset(page.first_result)
    if page.max_results is not None:
        stmt = stmt.limit(page.max_results)
    return stmt
