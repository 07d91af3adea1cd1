"""/identity: a user's groups and their colleagues, and checking a user's password (throttled like a login)."""
from __future__ import annotations

from flask import Blueprint, request

from ..services import groups
from ..services.identity import verify_login
from . import docs
from .auth import throttle
from .errors import RestError
from .http import actor, kb, load_body, ok
from .schemas import cached
from .schemas.identity import AuthenticationResultSchema, GroupInfoSchema, VerifyInSchema

bp = Blueprint("identity", __name__)


@bp.get("/identity/groups")
@docs.doc("A user's groups and the other members of those groups", response=GroupInfoSchema)
def group_info():
    return ok(cached(GroupInfoSchema).dump(groups.group_info(kb(), actor(), request.args.get("userId"))))


@bp.post("/identity/verify")
@docs.doc("Check a user name and password", body=VerifyInSchema, response=AuthenticationResultSchema)
def verify():
    body = load_body(cached(VerifyInSchema))
    if body["username"] is None or body["password"] is None:
        raise RestError(400, "InvalidRequestException", "Username and password are required")
    valid = verify_login(kb(), throttle(), body["username"], body["password"], request.remote_addr) is not None
    return ok(cached(AuthenticationResultSchema).dump({"authenticatedUser": body["username"],
                                                       "authenticated": valid}))
