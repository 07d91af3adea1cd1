"""Who is looking at a page: the session cookie of POST /login (see app/api/session.py). Pages without a valid
session go to the login page; page forms carry the session's CSRF token, checked on every POST."""
from __future__ import annotations

import hmac
from functools import wraps
from urllib.parse import quote

from flask import Flask, abort, g, redirect, render_template, request, session
from markupsafe import Markup

from ..api.auth import current_session_actor
from ..api.http import kb

PUBLIC = ("/login", "/lang/", "/vendor/", "/static/", "/favicon.ico", "/session", "/logout", "/engine-rest")


def install(app: Flask) -> None:
    @app.before_request
    def page_actor():
        if request.path.startswith(PUBLIC):
            return None
        actor = current_session_actor(kb())
        if actor is None:
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}")
        g.actor = actor
        if request.method == "POST" and not _csrf_ok():
            abort(403)
        return None

    @app.get("/login")
    def login_page():
        return render_template("login.html", next=_safe_next(request.args.get("next")))

    @app.get("/favicon.ico")
    def favicon():
        return app.response_class(_FAVICON, mimetype="image/svg+xml", headers={"Cache-Control": "max-age=604800"})

    @app.context_processor
    def who():
        return {"actor": g.get("actor"), "csrf_field": csrf_field, "csrf_token": session.get("csrf", "")}

    for status in (403, 404):
        app.register_error_handler(status, _page_error(status))


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(session.get("csrf", ""))


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    given = request.form.get("csrf_token") or request.headers.get("X-XSRF-TOKEN", "")
    return isinstance(expected, str) and bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _page_error(status: int):
    def handler(error):
        if request.path.startswith("/engine-rest"):
            return error
        return render_template("error.html", status=status, message=getattr(error, "description", "")), status
    return handler


def is_manager(actor) -> bool:
    """Administrators, process managers and regional managers see Cockpit, Modeler and the dashboards (what
    they then see in them is what their authorizations allow)."""
    return actor.is_admin or actor.can_manage or any(group.endswith("-managers") for group in actor.groups)


def managers_only(view):
    """Pages for administrators and process or region managers (Cockpit, Modeler, dashboards)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_manager(g.actor):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


_FAVICON = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" '
            b'fill="#0f6e5c"/><path d="M9 8h4v7l7-7h5l-8 8 8 8h-5l-7-7v7H9z" fill="#fff"/></svg>')
