"""Domain errors: services raise these; one handler in app.py turns them into the envelope."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. ``code`` is stable and part of the API; ``message`` is for people."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="omo"')


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "gone"


class NotReady(DomainError):
    """The service cannot take work yet (its database); ``Retry-After`` says when to ask again."""

    status = 503
    code = "not_ready"

    def __init__(self, message: str, *, code: str, retry_after: int = 5) -> None:
        super().__init__(message, code=code, headers={"Retry-After": str(retry_after)})


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        details: dict[str, Any],
        code: str | None = None,
    ) -> None:
        retry_after = max(1, retry_after)
        super().__init__(
            message,
            code=code,
            details={**details, "retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
