"""What can go wrong talking to LINE, each with a stable ``code`` the pages can map to text.

The messages may quote LINE's ``error_description``; they never hold a token, an
authorization code or a code verifier, so they are safe to log.
"""

from __future__ import annotations


class LineError(Exception):
    """LINE Login did not give us what we need. ``code`` is stable; ``status`` is LINE's HTTP."""

    code = "line_error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.status = status


class LineNotConfigured(LineError):
    """``OMO_LINE_CHANNEL_ID`` or ``OMO_LINE_CHANNEL_SECRET`` is not set."""

    code = "line_not_configured"


class LineUnavailable(LineError):
    """Network error, timeout, throttling or an outage at LINE: the user may try again later."""

    code = "line_unavailable"


class LineApiError(LineError):
    """LINE refused a request; ``code`` is LINE's ``error`` (``invalid_grant``...) if it sent one.

    Also raised when LINE answered 2xx with a body we cannot use (``line_bad_response``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        description: str = "",
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.description = description


class LineIdTokenError(LineError):
    """The ID token is not one LINE issued for this login: never trust its claims.

    Codes: ``id_token_malformed``, ``id_token_unsupported_alg``, ``id_token_bad_signature``,
    ``id_token_wrong_issuer``, ``id_token_wrong_audience``, ``id_token_expired``,
    ``id_token_issued_in_future``, ``id_token_nonce_mismatch``, ``id_token_no_subject``; from
    the remote check, LINE's own ``error`` code.
    """

    code = "id_token_invalid"
