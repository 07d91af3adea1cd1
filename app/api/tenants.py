"""/tenant: tenants (the regions) and their user and group members (any authenticated user reads them;
administrators change them)."""
from __future__ import annotations

from flask import Blueprint

from ..services import tenants as svc
from . import docs
from .http import actor, criteria, kb, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.identity import TenantInSchema, TenantQuerySchema, TenantSchema

bp = Blueprint("tenants", __name__)


def _query():
    return criteria(svc.TenantQuery, cached(TenantQuerySchema))


@bp.get("/tenant")
@docs.doc("Query tenants", query=TenantQuerySchema, response=TenantSchema, many=True)
def list_():
    return ok(cached(TenantSchema, many=True).dump(svc.list_tenants(kb(), actor(), _query())))


@bp.get("/tenant/count")
@docs.doc("Count tenants", query=TenantQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_tenants(kb(), actor(), _query())})


@bp.post("/tenant/create")
@docs.doc("Create a tenant (administrators)", body=TenantInSchema, status=204)
def create():
    body = load_body(cached(TenantInSchema))
    svc.create_tenant(kb(), actor(), body["id"], body["name"])
    return no_content()


@bp.get("/tenant/<id>")
@docs.doc("A tenant", response=TenantSchema)
def get(id):
    return ok(cached(TenantSchema).dump(svc.get_tenant(kb(), actor(), id)))


@bp.put("/tenant/<id>")
@docs.doc("Rename a tenant (administrators)", body=TenantInSchema, status=204)
def update(id):
    body = load_body(cached(TenantInSchema))
    svc.update_tenant(kb(), actor(), id, body["id"], body["name"])
    return no_content()


@bp.delete("/tenant/<id>")
@docs.doc("Delete a tenant and its memberships (administrators)", status=204)
def delete(id):
    svc.delete_tenant(kb(), actor(), id)
    return no_content()


@bp.put("/tenant/<id>/user-members/<user_id>")
@docs.doc("Make a user a member of a tenant (administrators; idempotent)", status=204)
def add_user(id, user_id):
    svc.add_user(kb(), actor(), id, user_id)
    return no_content()


@bp.delete("/tenant/<id>/user-members/<user_id>")
@docs.doc("Remove a user from a tenant (administrators)", status=204)
def remove_user(id, user_id):
    svc.remove_user(kb(), actor(), id, user_id)
    return no_content()


@bp.put("/tenant/<id>/group-members/<group_id>")
@docs.doc("Make a group a member of a tenant (administrators; idempotent)", status=204)
def add_group(id, group_id):
    svc.add_group(kb(), actor(), id, group_id)
    return no_content()


@bp.delete("/tenant/<id>/group-members/<group_id>")
@docs.doc("Remove a group from a tenant (administrators)", status=204)
def remove_group(id, group_id):
    svc.remove_group(kb(), actor(), id, group_id)
    return no_content()
