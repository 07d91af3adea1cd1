"""Users, groups, tenants and identity checks: Camunda's DTOs out, its request bodies and query criteria in."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .requests import _bool, _list, _Loose, _Sortable, _str

_NAME = validate.Length(max=255)


def _text(**kwargs):
    return fields.String(allow_none=True, load_default=None, validate=_NAME, **kwargs)


class UserProfileSchema(Schema):
    id = fields.String()
    firstName = fields.String(attribute="first_name", allow_none=True)
    lastName = fields.String(attribute="last_name", allow_none=True)
    email = fields.String(allow_none=True)


class GroupSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    type = fields.String(allow_none=True)


class TenantSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


class GroupRefSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


class GroupUserSchema(Schema):
    id = fields.String()
    firstName = fields.String(attribute="first_name", allow_none=True)
    lastName = fields.String(attribute="last_name", allow_none=True)
    displayName = fields.Function(lambda u: " ".join(p for p in (u.first_name, u.last_name) if p) or u.id)


class GroupInfoSchema(Schema):
    groups = fields.List(fields.Nested(GroupRefSchema))
    groupUsers = fields.List(fields.Nested(GroupUserSchema), attribute="users")


class AuthenticationResultSchema(Schema):
    authenticatedUser = fields.String()
    authenticated = fields.Boolean()
    tenants = fields.Constant(None)
    groups = fields.Constant(None)


class ProfileInSchema(_Loose):
    id = _text()
    firstName = _text()
    lastName = _text()
    email = _text()


class PasswordInSchema(_Loose):
    password = fields.String(allow_none=True, load_default=None)


class UserCreateSchema(_Loose):
    profile = fields.Nested(ProfileInSchema, allow_none=True, load_default=None)
    credentials = fields.Nested(PasswordInSchema, allow_none=True, load_default=None)


class CredentialsInSchema(_Loose):
    password = fields.String(allow_none=True, load_default=None)
    authenticatedUserPassword = fields.String(allow_none=True, load_default=None)


class GroupInSchema(_Loose):
    id = _text()
    name = _text()
    type = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))


class TenantInSchema(_Loose):
    id = _text()
    name = _text()


class VerifyInSchema(_Loose):
    username = fields.String(allow_none=True, load_default=None)
    password = fields.String(allow_none=True, load_default=None)


class UserQuerySchema(_Sortable):
    id = _str("id")
    id_in = _list("idIn")
    first_name = _str("firstName")
    first_name_like = _str("firstNameLike")
    last_name = _str("lastName")
    last_name_like = _str("lastNameLike")
    email = _str("email")
    email_like = _str("emailLike")
    member_of_group = _str("memberOfGroup")
    member_of_tenant = _str("memberOfTenant")


class GroupQuerySchema(_Sortable):
    id = _str("id")
    id_in = _list("idIn")
    name = _str("name")
    name_like = _str("nameLike")
    type = _str("type")
    member = _str("member")
    member_of_tenant = _str("memberOfTenant")


class TenantQuerySchema(_Sortable):
    id = _str("id")
    id_in = _list("idIn")
    name = _str("name")
    name_like = _str("nameLike")
    user_member = _str("userMember")
    group_member = _str("groupMember")
    including_groups_of_user = _bool("includingGroupsOfUser")
