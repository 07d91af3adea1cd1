"""/user: the directory's people (any authenticated user reads it; administrators change it; everyone may
change their own password)."""
from __future__ import annotations

from flask import Blueprint, request

from ..services import users as svc
from . import docs
from .auth import throttle
from .http import actor, criteria, kb, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.identity import CredentialsInSchema, ProfileInSchema, UserCreateSchema, UserProfileSchema, UserQuerySchema

bp = Blueprint("users", __name__)


def _query():
    return criteria(svc.UserQuery, cached(UserQuerySchema))


def _profile(data: dict | None) -> svc.Profile | None:
    if data is None:
        return None
    return svc.Profile(data.get("id"), data.get("firstName"), data.get("lastName"), data.get("email"))


@bp.get("/user")
@docs.doc("Query users' profiles", query=UserQuerySchema, response=UserProfileSchema, many=True)
def list_():
    return ok(cached(UserProfileSchema, many=True).dump(svc.list_users(kb(), actor(), _query())))


@bp.get("/user/count")
@docs.doc("Count users", query=UserQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_users(kb(), actor(), _query())})


@bp.post("/user/create")
@docs.doc("Create a user (administrators)", body=UserCreateSchema, status=204)
def create():
    body = load_body(cached(UserCreateSchema))
    svc.create_user(kb(), actor(), _profile(body["profile"]), (body["credentials"] or {}).get("password"))
    return no_content()


@bp.get("/user/<id>/profile")
@docs.doc("A user's profile", response=UserProfileSchema)
def profile(id):
    return ok(cached(UserProfileSchema).dump(svc.get_user(kb(), actor(), id)))


@bp.put("/user/<id>/profile")
@docs.doc("Replace a user's names and e-mail (administrators)", body=ProfileInSchema, status=204)
def update_profile(id):
    svc.update_profile(kb(), actor(), id, _profile(load_body(cached(ProfileInSchema))))
    return no_content()


@bp.put("/user/<id>/credentials")
@docs.doc("Set a password: your own, or (administrators) anyone's; confirm with your current password",
          body=CredentialsInSchema, status=204)
def update_credentials(id):
    body = load_body(cached(CredentialsInSchema))
    svc.update_credentials(kb(), actor(), id, body["password"], body["authenticatedUserPassword"], throttle(),
                           request.remote_addr)
    return no_content()


@bp.delete("/user/<id>")
@docs.doc("Delete a user (administrators)", status=204)
def delete(id):
    svc.delete_user(kb(), actor(), id)
    return no_content()
