"""HTTP Basic authentication on every endpoint except GET /engine, as Camunda's filter does."""
from __future__ import annotations

import base64
import binascii

from flask import Flask, g, request

from ..services.identity import CredentialCache, authenticate
from .errors import RestError

OPEN_PATHS = {("GET", "/engine-rest/engine")}


def install(app: Flask, cache: CredentialCache) -> None:
    @app.before_request
    def require_basic_auth():
        if not request.path.startswith("/engine-rest") or (request.method, request.path.rstrip("/")) in OPEN_PATHS:
            return None
        if request.method == "OPTIONS":
            return None
        credentials = _basic(request.headers.get("Authorization", ""))
        actor = authenticate(app.extensions["kuaibao"], cache, *credentials) if credentials else None
        if actor is None:
            raise RestError(401, "AuthenticationException", "Unauthorized: valid credentials are required")
        g.actor = actor
        return None

    @app.after_request
    def challenge(response):
        if response.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="default"'
        return response


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None
