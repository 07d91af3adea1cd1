"""Who is calling /engine-rest: HTTP Basic (machines, client libraries) or the web app's signed session cookie,
which must bring its CSRF token on every change. GET /engine needs neither, as with Camunda's filter."""
from __future__ import annotations

import base64
import binascii
import hmac
import time
from datetime import timedelta

from flask import Flask, current_app, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import session_secret
from ..services.context import Actor, Kuaibao
from ..services.identity import authenticate, session_actor
from ..services.login_throttle import LoginThrottle
from .errors import RestError

OPEN_PATHS = {("GET", "/engine-rest/engine")}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "kuaibao_session", "XSRF-TOKEN", "X-XSRF-TOKEN"


def install(app: Flask) -> None:
    """Session cookie settings, the login throttle, and the check in front of every /engine-rest request."""
    kb: Kuaibao = app.extensions["kuaibao"]
    settings = kb.settings
    app.secret_key = session_secret(settings)
    app.config.update(SESSION_COOKIE_NAME=SESSION_COOKIE, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.session_cookie_secure, SESSION_REFRESH_EACH_REQUEST=False,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours))
    app.extensions["kuaibao.throttle"] = LoginThrottle()
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.before_request
    def require_authentication():
        if not request.path.startswith("/engine-rest") or request.method == "OPTIONS" \
                or (request.method, request.path.rstrip("/")) in OPEN_PATHS:
            return None
        g.actor = _basic_actor(kb) if "Authorization" in request.headers else _cookie_actor(kb)
        return None

    @app.after_request
    def challenge(response):
        # Not for the web app: a Basic challenge would make the browser pop up its own password dialog.
        if response.status_code == 401 and request.path.startswith("/engine-rest") \
                and SESSION_COOKIE not in request.cookies:
            response.headers["WWW-Authenticate"] = 'Basic realm="default"'
        return response


def throttle() -> LoginThrottle:
    """This app's failed-login throttle (per process)."""
    return current_app.extensions["kuaibao.throttle"]


def current_session_actor(kb: Kuaibao) -> Actor | None:
    """The Actor of this request's session cookie, if it is signed, not too old, and its password still holds."""
    user_id, version, opened = session.get("uid"), session.get("pwv"), session.get("iat")
    if not (isinstance(user_id, str) and isinstance(version, str) and isinstance(opened, int)):
        return None
    if time.time() - opened > kb.settings.session_hours * 3600:
        return None
    return session_actor(kb, kb.credentials, user_id, version)


def require_csrf() -> None:
    """A cookie-authenticated change must echo the session's CSRF token in the X-XSRF-TOKEN header."""
    expected, given = session.get("csrf"), request.headers.get(CSRF_HEADER, "")
    if not given:
        raise RestError(403, "RestException", "CSRFPreventionFilter: Token provided via HTTP Header is absent/empty.",
                        headers={CSRF_HEADER: "Required"})
    if not isinstance(expected, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        raise RestError(403, "RestException", "CSRFPreventionFilter: Invalid HTTP Header Token.",
                        headers={CSRF_HEADER: "Required"})


def _unauthorized() -> RestError:
    return RestError(401, "AuthenticationException", "Unauthorized: valid credentials are required")


def _basic_actor(kb: Kuaibao) -> Actor:
    credentials = _basic(request.headers.get("Authorization", ""))
    actor = authenticate(kb, kb.credentials, *credentials, throttle(), request.remote_addr) if credentials else None
    if actor is None:
        raise _unauthorized()
    return actor


def _cookie_actor(kb: Kuaibao) -> Actor:
    actor = current_session_actor(kb)
    if actor is None:
        raise _unauthorized()
    if request.method not in SAFE_METHODS:
        require_csrf()
    return actor


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None
