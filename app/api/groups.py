"""/group: groups and their members (any authenticated user reads them; administrators change them)."""
from __future__ import annotations

from flask import Blueprint

from ..services import groups as svc
from . import docs
from .http import actor, criteria, kb, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.identity import GroupInSchema, GroupQuerySchema, GroupSchema

bp = Blueprint("groups", __name__)


def _query():
    return criteria(svc.GroupQuery, cached(GroupQuerySchema))


@bp.get("/group")
@docs.doc("Query groups", query=GroupQuerySchema, response=GroupSchema, many=True)
def list_():
    return ok(cached(GroupSchema, many=True).dump(svc.list_groups(kb(), actor(), _query())))


@bp.get("/group/count")
@docs.doc("Count groups", query=GroupQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_groups(kb(), actor(), _query())})


@bp.post("/group/create")
@docs.doc("Create a group (administrators)", body=GroupInSchema, status=204)
def create():
    body = load_body(cached(GroupInSchema))
    svc.create_group(kb(), actor(), body["id"], body["name"], body["type"])
    return no_content()


@bp.get("/group/<id>")
@docs.doc("A group", response=GroupSchema)
def get(id):
    return ok(cached(GroupSchema).dump(svc.get_group(kb(), actor(), id)))


@bp.put("/group/<id>")
@docs.doc("Replace a group's name and type (administrators)", body=GroupInSchema, status=204)
def update(id):
    body = load_body(cached(GroupInSchema))
    svc.update_group(kb(), actor(), id, body["id"], body["name"], body["type"])
    return no_content()


@bp.delete("/group/<id>")
@docs.doc("Delete a group and its memberships (administrators)", status=204)
def delete(id):
    svc.delete_group(kb(), actor(), id)
    return no_content()


@bp.put("/group/<id>/members/<user_id>")
@docs.doc("Add a user to a group (administrators; idempotent)", status=204)
def add_member(id, user_id):
    svc.add_member(kb(), actor(), id, user_id)
    return no_content()


@bp.delete("/group/<id>/members/<user_id>")
@docs.doc("Remove a user from a group (administrators)", status=204)
def remove_member(id, user_id):
    svc.remove_member(kb(), actor(), id, user_id)
    return no_content()
