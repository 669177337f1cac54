"""LINE Login v2.1 (web login with PKCE) and the friendship status of our Official Account."""

from omo_backend.line.client import (
    BotPrompt,
    CallbackKind,
    CallbackResult,
    IdClaims,
    LoginRequest,
    TokenSet,
    exchange_code,
    friendship_status,
    new_login_request,
    parse_callback,
    pkce_challenge,
    verify_id_token,
    verify_id_token_remote,
)
from omo_backend.line.errors import (
    LineApiError,
    LineError,
    LineIdTokenError,
    LineNotConfigured,
    LineUnavailable,
)

__all__ = [
    "BotPrompt",
    "CallbackKind",
    "CallbackResult",
    "IdClaims",
    "LineApiError",
    "LineError",
    "LineIdTokenError",
    "LineNotConfigured",
    "LineUnavailable",
    "LoginRequest",
    "TokenSet",
    "exchange_code",
    "friendship_status",
    "new_login_request",
    "parse_callback",
    "pkce_challenge",
    "verify_id_token",
    "verify_id_token_remote",
]
