"""/authorization: Camunda's authorization rows (grants, revokes, global rules) and the check endpoint."""
from __future__ import annotations

from flask import Blueprint, request

from ..services import authorizations as svc
from ..services import permissions
from . import docs
from .errors import RestError
from .http import actor, criteria, kb, link, load_body, no_content, ok
from .schemas import cached
from .schemas.authorizations import (
    AuthorizationBodySchema,
    AuthorizationCheckSchema,
    AuthorizationQuerySchema,
    AuthorizationSchema,
)
from .schemas.dto import CountSchema

bp = Blueprint("authorizations", __name__)


def _query(from_body: bool = False):
    return criteria(svc.AuthorizationQuery, cached(AuthorizationQuerySchema), from_body)


def _input() -> svc.AuthorizationInput:
    return svc.AuthorizationInput(**load_body(cached(AuthorizationBodySchema)))


@bp.get("/authorization")
@docs.doc("Query authorizations", query=AuthorizationQuerySchema, response=AuthorizationSchema, many=True)
def list_():
    return ok(cached(AuthorizationSchema, many=True).dump(svc.list_authorizations(kb(), actor(), _query())))


@bp.get("/authorization/count")
@docs.doc("Count authorizations", query=AuthorizationQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_authorizations(kb(), actor(), _query())})


@bp.get("/authorization/check")
@docs.doc("Is the caller authorized?", response=AuthorizationCheckSchema)
def check():
    args = request.args
    try:
        resource_type = int(args["resourceType"]) if args.get("resourceType") not in (None, "") else None
    except ValueError:
        raise RestError(400, "InvalidRequestException", "resourceType must be an integer") from None
    groups = [g for g in args.get("groupIds", "").split(",") if g] or None
    authorized = svc.check(kb(), actor(), args.get("permissionName"), resource_type, args.get("resourceId"),
                           args.get("userId"), groups)
    return ok({"permissionName": args.get("permissionName"),
               "resourceName": args.get("resourceName") or permissions.RESOURCE_NAMES.get(resource_type),
               "resourceId": args.get("resourceId"), "authorized": authorized})


@bp.get("/authorization/<id>")
@docs.doc("Get an authorization", response=AuthorizationSchema)
def get(id):
    return ok(cached(AuthorizationSchema).dump(svc.get_authorization(kb(), actor(), id)))


@bp.post("/authorization/create")
@docs.doc("Create an authorization", body=AuthorizationBodySchema, response=AuthorizationSchema)
def create():
    row = svc.create_authorization(kb(), actor(), _input())
    dto = cached(AuthorizationSchema).dump(row)
    dto["links"] = [link(f"/authorization/{row.id}"), link(f"/authorization/{row.id}", "delete", "DELETE"),
                    link(f"/authorization/{row.id}", "update", "PUT")]
    return ok(dto)


@bp.put("/authorization/<id>")
@docs.doc("Update an authorization", body=AuthorizationBodySchema, status=204)
def update(id):
    svc.update_authorization(kb(), actor(), id, _input())
    return no_content()


@bp.delete("/authorization/<id>")
@docs.doc("Delete an authorization", status=204)
def delete(id):
    svc.delete_authorization(kb(), actor(), id)
    return no_content()
