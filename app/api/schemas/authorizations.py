"""AuthorizationDto and its queries and bodies."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from ...services import permissions
from ..fields import CsvList


class AuthorizationSchema(Schema):
    """AuthorizationDto: permissions by name (for a revoke, the names it takes away)."""

    id = fields.String()
    type = fields.Integer()
    permissions = fields.Function(lambda a: permissions.to_names(a.resource_type, a.permissions))
    userId = fields.String(attribute="user_id", allow_none=True)
    groupId = fields.String(attribute="group_id", allow_none=True)
    resourceType = fields.Integer(attribute="resource_type")
    resourceId = fields.String(attribute="resource_id")
    removalTime = fields.Function(lambda a: None)
    rootProcessInstanceId = fields.String(attribute="root_process_instance_id", allow_none=True)


class AuthorizationQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(allow_none=True)
    type = fields.Integer(allow_none=True)
    user_id_in = CsvList(data_key="userIdIn", allow_none=True)
    group_id_in = CsvList(data_key="groupIdIn", allow_none=True)
    resource_type = fields.Integer(data_key="resourceType", allow_none=True)
    resource_id = fields.String(data_key="resourceId", allow_none=True)
    sort_by = fields.String(data_key="sortBy")
    sort_order = fields.String(data_key="sortOrder")
    sorting = fields.List(fields.Dict(), load_default=None, allow_none=True)


class AuthorizationBodySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.Integer(allow_none=True, load_default=None)
    permissions = fields.List(fields.String(), allow_none=True, load_default=None)
    user_id = fields.String(data_key="userId", allow_none=True, load_default=None)
    group_id = fields.String(data_key="groupId", allow_none=True, load_default=None)
    resource_type = fields.Integer(data_key="resourceType", allow_none=True, load_default=None)
    resource_id = fields.String(data_key="resourceId", allow_none=True, load_default=None)


class AuthorizationCheckSchema(Schema):
    """AuthorizationCheckResultDto."""

    permissionName = fields.String()
    resourceName = fields.String()
    resourceId = fields.String(allow_none=True)
    authorized = fields.Boolean()
