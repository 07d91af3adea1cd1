"""marshmallow fields for Camunda's wire conventions: its date format and comma-separated lists."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from ..services.persistence import naive_utc
from ..services.typed_values import format_date, parse_date


class CamundaDateTime(fields.Field):
    """Dates as `yyyy-MM-dd'T'HH:mm:ss.SSSZ` out; any ISO-8601 form in; stored as naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return format_date(value) if value is not None else None

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return naive_utc(parse_date(value))
        except (ValueError, TypeError):
            raise ValidationError(f"Cannot convert value \"{value}\" to java type java.util.Date") from None


class CsvList(fields.Field):
    """A list given as 'a,b', as repeated query keys, or as a JSON array (merged, as clients send all three)."""

    def __init__(self, cast=str, **kwargs):
        super().__init__(**kwargs)
        self.cast = cast

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, (list, tuple)) else [value]
        result = []
        for item in items:
            parts = item.split(",") if isinstance(item, str) else [item]
            result += [p.strip() if isinstance(p, str) else p for p in parts]
        try:
            return [self.cast(p) for p in result if p != ""]
        except (TypeError, ValueError):
            raise ValidationError(f"Cannot convert value \"{value}\" to a list") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value) if value is not None else None
