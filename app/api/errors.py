"""The one place where exceptions become Camunda's error JSON and status codes."""
from __future__ import annotations

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..services import errors as se
from ..services.typed_values import VariableValueError


class RestError(Exception):
    """An error whose status and Camunda type the view chose explicitly (Camunda is not uniform)."""

    def __init__(self, status: int, type_: str, message: str, headers: dict[str, str] | None = None, **extra):
        super().__init__(message)
        self.status, self.type, self.message, self.extra = status, type_, message, extra
        self.headers = headers or {}


def error_body(type_: str, message: str, code: int | None = None, **extra) -> dict:
    return {"type": type_, "message": message, "code": code, **extra}


def _status(e: se.ServiceError) -> int:
    if isinstance(e, se.NotFound):
        return 404
    if isinstance(e, (se.InvalidRequest, se.ParseFailed)):
        return 400
    if isinstance(e, se.Forbidden):
        return 403
    if isinstance(e, se.Unauthorized):
        return 401
    if isinstance(e, se.TooManyAttempts):
        return 429
    return 500


def _parse_details(problems) -> dict:
    details: dict = {}
    for p in problems:
        entry = details.setdefault(p.resource or "unknown", {"errors": [], "warnings": []})
        entry["errors"].append({"message": p.message, "line": p.line, "column": p.column,
                                "mainElementId": p.element_id, "elementIds": [p.element_id] if p.element_id else []})
    return details


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RestError)
    def rest_error(e: RestError):
        return jsonify(error_body(e.type, e.message, **e.extra)), e.status, e.headers

    @app.errorhandler(se.ServiceError)
    def service_error(e: se.ServiceError):
        extra = {}
        if isinstance(e, se.ParseFailed):
            extra["details"] = _parse_details(e.problems)
        if isinstance(e, se.Forbidden):
            extra["userId"] = e.user_id
            extra["missingAuthorizations"] = []
        code = 1 if isinstance(e, se.Conflict) else (0 if _status(e) == 500 else None)
        response = jsonify(error_body(e.camunda_type, str(e), code, **extra))
        if isinstance(e, se.TooManyAttempts):
            response.headers["Retry-After"] = str(e.retry_after)
        return response, _status(e)

    @app.errorhandler(VariableValueError)
    def variable_error(e: VariableValueError):
        return jsonify(error_body("InvalidRequestException", str(e))), 400

    @app.errorhandler(ValidationError)
    def validation_error(e: ValidationError):
        return jsonify(error_body("InvalidRequestException", _validation_message(e))), 400

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return http_error(e)
        app.logger.exception("unhandled error on %s", _path())
        return jsonify(error_body("ProcessEngineException", f"{type(e).__name__}: {e}", 0)), 500

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        response = jsonify(error_body("RestException" if e.code != 404 else "NotFoundException",
                                      e.description or e.name))
        for header in ("WWW-Authenticate", "Allow"):
            if e.get_response().headers.get(header):
                response.headers[header] = e.get_response().headers[header]
        return response, e.code


def _path() -> str:
    from flask import request
    return f"{request.method} {request.path}"


def _validation_message(e: ValidationError) -> str:
    messages = e.normalized_messages()
    parts = []
    for name, problem in messages.items() if isinstance(messages, dict) else [("body", messages)]:
        text = problem if isinstance(problem, str) else "; ".join(
            str(p) for p in (problem if isinstance(problem, list) else [problem]))
        parts.append(f"Cannot set parameter '{name}': {text}")
    return "; ".join(parts) or "Invalid request"
