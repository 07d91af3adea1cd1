"""marshmallow schemas at the HTTP boundary: DTOs to dump, requests to load."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def cached(schema_class, many: bool = False):
    """One instance per schema: building a schema deep-copies its fields, too slow for every request."""
    return schema_class(many=many)
