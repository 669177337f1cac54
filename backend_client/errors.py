"""Typed errors: the server's ``{"error": {code, message, details}}`` back as exceptions.

A screen shows translated text for ``code``; ``message`` is the server's English sentence.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The backend answered with an error envelope (or could not be reached)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}


class OfflineError(ApiError):
    """No answer: the backend is unreachable or timed out. Nothing is known to have happened."""


class UnauthorizedError(ApiError):
    """401: log in again (session ended, expired or idle; device not enrolled)."""


class ForbiddenError(ApiError):
    """403: not allowed (e.g. ``staff_locked``, ``forbidden``)."""

    @property
    def retry_after(self) -> int | None:
        value = self.details.get("retry_after")
        return int(value) if value is not None else None


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409: the rules say no in the current state (e.g. ``not_member``)."""


class AlreadyMemberError(ConflictError):
    """409 ``already_member``: use Bind now instead of Sign up."""

    @property
    def customer_id(self) -> int | None:
        value = self.details.get("customer_id")
        return int(value) if value is not None else None


class ValidationError(ApiError):
    """400/422: the input is wrong; ``details`` may name the field."""

    @property
    def field(self) -> str | None:
        value = self.details.get("field")
        return str(value) if value is not None else None


class RateLimitedError(ApiError):
    """429: too many messages; try again after ``retry_after`` seconds."""

    def __init__(self, code: str, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(code, message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the backend had trouble (503 when its database is away)."""


def from_response(status: int, body: Any, retry_after_header: str | None) -> ApiError:
    """The typed error for an error reply."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ServerError("bad_reply", f"unexpected reply (HTTP {status})", status=status)
    code = str(error.get("code", "error"))
    message = str(error.get("message", ""))
    raw_details = error.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    kwargs: dict[str, Any] = {"status": status, "details": details}
    if status == 429:
        retry = details.get("retry_after", retry_after_header)
        return RateLimitedError(code, message, retry_after=int(retry or 60), **kwargs)
    if status == 409 and code == "already_member":
        return AlreadyMemberError(code, message, **kwargs)
    by_status: dict[int, type[ApiError]] = {
        400: ValidationError,
        401: UnauthorizedError,
        403: ForbiddenError,
        404: NotFoundError,
        409: ConflictError,
        410: NotFoundError,
        413: ValidationError,
        422: ValidationError,
    }
    kind = by_status.get(status, ServerError if status >= 500 else ApiError)
    return kind(code, message, **kwargs)
