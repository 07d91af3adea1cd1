"""Service-layer exceptions; the API translates each into Camunda's status and error type in one place."""
from __future__ import annotations


class ServiceError(Exception):
    """Base class; `camunda_type` is the exception name Camunda would report."""

    camunda_type = "ProcessEngineException"


class NotFound(ServiceError):
    camunda_type = "InvalidRequestException"


class InvalidRequest(ServiceError):
    camunda_type = "InvalidRequestException"


class BadUserRequest(InvalidRequest):
    """A request the engine refuses as the caller's mistake (Camunda's BadUserRequestException, 400)."""

    camunda_type = "BadUserRequestException"


class Forbidden(ServiceError):
    camunda_type = "AuthorizationException"

    def __init__(self, message: str, user_id: str | None = None):
        super().__init__(message)
        self.user_id = user_id


class Unauthorized(ServiceError):
    camunda_type = "AuthenticationException"


class TooManyAttempts(ServiceError):
    """Too many failed logins for a user name or from an address; `retry_after` is in whole seconds (HTTP 429)."""

    camunda_type = "AuthenticationException"

    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed login attempts; try again in {retry_after} s")
        self.retry_after = retry_after


class TaskAlreadyClaimed(ServiceError):
    camunda_type = "TaskAlreadyClaimedException"


class Suspended(ServiceError):
    """A command on a suspended instance (Camunda answers 500 SuspendedEntityInteractionException)."""

    camunda_type = "SuspendedEntityInteractionException"


class Conflict(ServiceError):
    """Optimistic locking gave up after the bounded number of retries."""

    camunda_type = "OptimisticLockingException"


class ParseFailed(ServiceError):
    """A deployment was refused; `problems` are engine Problems located in their resources."""

    camunda_type = "ParseException"

    def __init__(self, message: str, problems: list):
        super().__init__(message)
        self.problems = problems


class EngineFailure(ServiceError):
    """Running the instance failed (script error, handler error, ...); nothing was saved.

    Camunda's REST layer wraps these as RestException ("Cannot complete task X: ...")."""

    camunda_type = "RestException"
