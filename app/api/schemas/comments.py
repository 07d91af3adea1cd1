"""CommentDto out (every field present), the new comment's body in."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..fields import CamundaDateTime
from .requests import _Loose


class CommentSchema(Schema):
    id = fields.String()
    userId = fields.String(attribute="user_id", allow_none=True)
    taskId = fields.String(attribute="task_id", allow_none=True)
    processInstanceId = fields.String(attribute="process_instance_id", allow_none=True)
    time = CamundaDateTime()
    message = fields.String()
    removalTime = fields.Constant(None)
    rootProcessInstanceId = fields.String(attribute="root_process_instance_id", allow_none=True)
    links = fields.Function(lambda _: [])  # the create response carries its self link


class CommentInSchema(_Loose):
    message = fields.String(allow_none=True, load_default=None)
    processInstanceId = fields.String(allow_none=True, load_default=None)  # ignored: the task's is used
