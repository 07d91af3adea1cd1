"""The web app's login, at the root: POST /login opens a signed session cookie, POST /logout ends it, GET /session
says who is logged in. Pages then call /engine-rest with the cookie and, on changes, the X-XSRF-TOKEN header."""
from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, request, session

from ..services.context import Actor
from ..services.identity import session_actor, verify_login
from .auth import CSRF_COOKIE, current_session_actor, require_csrf, throttle
from .errors import RestError
from .http import json_body, kb, no_content, ok

bp = Blueprint("session", __name__)


@bp.post("/login")
def login():
    """Form fields or JSON {username, password}; failures are throttled per user name and per address."""
    _same_origin()
    username, password = _credentials()
    version = verify_login(kb(), throttle(), username, password, request.remote_addr)
    actor = session_actor(kb(), kb().credentials, username, version) if version else None
    if actor is None:
        raise RestError(401, "AuthenticationException", "Wrong user name or password")
    session.clear()  # a fresh session (and CSRF token) at every login
    session.permanent = True
    session.update(uid=actor.user_id, pwv=version, iat=int(time.time()), csrf=secrets.token_urlsafe(32))
    return _who(actor)


@bp.post("/logout")
def logout():
    """End the session (with the CSRF header, so another site cannot log the user out)."""
    if "uid" in session:
        require_csrf()
    session.clear()
    response = no_content()
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@bp.get("/session")
def current():
    """Who is logged in, and the CSRF token again (the page may have lost it)."""
    actor = current_session_actor(kb())
    if actor is None:
        raise RestError(401, "AuthenticationException", "Not logged in")
    return _who(actor)


def _who(actor: Actor) -> Response:
    token = session["csrf"]
    response = ok({"userId": actor.user_id, "groups": sorted(actor.groups), "tenants": sorted(actor.tenants),
                   "admin": actor.is_admin, "canManage": actor.can_manage, "csrfToken": token})
    # Readable by the page's script (not HttpOnly), which echoes it in the X-XSRF-TOKEN header.
    response.set_cookie(CSRF_COOKIE, token, path="/", samesite="Lax", secure=kb().settings.session_cookie_secure)
    return response


def _credentials() -> tuple[str, str]:
    data = json_body() if request.is_json else request.form
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise RestError(400, "InvalidRequestException", "Username and password are required")
    return username, password


def _same_origin() -> None:
    """A login posted by another site's page (login CSRF) is refused; browsers send Origin on every POST."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:  # "null" (sandboxed frames) is foreign too
        raise RestError(403, "RestException", "Cross-origin login refused")
