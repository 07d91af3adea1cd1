"""The answer to POST /history/cleanup (see api/history_cleanup.py for how it differs from Camunda's)."""
from __future__ import annotations

from marshmallow import Schema, fields


class HistoryCleanupSchema(Schema):
    id = fields.String(dump_default=None, allow_none=True)  # Camunda's cleanup job id; no job here, so null
    removedInstances = fields.Integer(attribute="removed_instances")
    batches = fields.Integer()
