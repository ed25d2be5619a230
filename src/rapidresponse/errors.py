"""Domain errors. Interfaces map them to HTTP problem+json or a CLI exit code 2."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class NotAuthenticated(DomainError):
    status = 401
    title = "Not authenticated"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    title = "Invalid transition"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


class FeatureUnavailable(DomainError):
    """The feature needs an optional dependency this installation does not have."""

    status = 501
    title = "Not available in this installation"


class Unavailable(DomainError):
    """A resource is busy for a moment (e.g. the warehouse while the sync writes): try again."""

    status = 503
    title = "Temporarily unavailable"


class QueryFailed(DomainError):
    """A query the user wrote was refused or failed (not allowed, timed out, invalid SQL)."""

    status = 400
    title = "Query refused"
