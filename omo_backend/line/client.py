"""LINE Login v2.1 for web apps: authorization request, callback, token, ID token, friendship.

The flow (https://developers.line.biz/en/docs/line-login/integrate-line-login/):

1. ``new_login_request`` builds the authorization URL with a fresh ``state``, ``nonce`` and
   PKCE ``code_verifier``; the caller keeps those three server-side and redirects the phone.
2. LINE redirects back to ``redirect_uri`` with ``code`` and ``state`` (plus
   ``friendship_status_changed`` because we send ``bot_prompt``), or with
   ``error=access_denied`` when the user taps Cancel. ``parse_callback`` sorts that out.
3. ``exchange_code`` trades the code (once, with the verifier) for tokens.
4. ``verify_id_token`` checks the HS256 ID token with the channel secret and returns the
   LINE user id (``sub``) and profile; ``verify_id_token_remote`` asks LINE to do the same.
5. ``friendship_status`` tells whether the user has our LINE Official Account as a friend.

Tokens, authorization codes and verifiers are never logged, and are kept out of ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests

from omo_backend.line.errors import (
    LineApiError,
    LineIdTokenError,
    LineNotConfigured,
    LineUnavailable,
)
from omo_backend.settings import Settings

log = logging.getLogger(__name__)

# Every ID token LINE issues names this issuer, whatever host served the login.
ID_TOKEN_ISSUER = "https://access.line.me"  # noqa: S105 (a URL, not a secret)
SCOPE = "openid profile"
# Clock skew we forgive between LINE and us when checking ``exp`` and ``iat``.
CLOCK_LEEWAY = timedelta(seconds=60)

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# 429 and LINE's own outages will pass; any other 4xx is about this request.
_RETRYABLE_4XX = frozenset({408, 429})


class BotPrompt(enum.StrEnum):
    """How LINE offers our Official Account: on the consent screen, or on a screen of its own."""

    NORMAL = "normal"
    AGGRESSIVE = "aggressive"


class CallbackKind(enum.StrEnum):
    OK = "ok"
    # The user tapped Cancel (or declined the permissions): LINE sends error=access_denied.
    CANCELLED = "cancelled"
    # LINE refused the request for another reason (invalid_request, server_error...).
    DENIED = "denied"
    # The state is missing or not ours: a forged or stale callback; nothing else is trusted.
    INVALID_STATE = "invalid_state"


@dataclass(frozen=True)
class LoginRequest:
    """One login attempt. Store ``state``, ``nonce`` and ``code_verifier`` server-side."""

    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    code_challenge: str
    redirect_uri: str
    authorize_url: str = field(repr=False)


@dataclass(frozen=True)
class CallbackResult:
    kind: CallbackKind
    code: str | None = field(default=None, repr=False)
    # LINE's ``error`` (lower-cased) and ``error_description`` when it sent them.
    error: str | None = None
    error_description: str | None = None
    # True: the user added our Official Account during this login; False: they did not (or
    # already had); None: LINE did not say (no bot_prompt, or no Official Account linked).
    friendship_status_changed: bool | None = None

    @property
    def ok(self) -> bool:
        return self.kind is CallbackKind.OK


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    expires_in: int
    id_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scope: str
    token_type: str


@dataclass(frozen=True)
class IdClaims:
    """What a verified ID token says. ``sub`` is the LINE user id (``U`` + 32 hex digits)."""

    sub: str
    name: str | None
    picture: str | None
    amr: tuple[str, ...]
    email: str | None
    issued_at: datetime
    expires_at: datetime


# --- 1. the authorization request ----------------------------------------------------------


def new_login_request(
    settings: Settings,
    *,
    redirect_uri: str,
    bot_prompt: BotPrompt | None = BotPrompt.AGGRESSIVE,
) -> LoginRequest:
    """A fresh state, nonce and PKCE pair, and the URL to send the phone to."""
    _require_configured(settings)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    # 64 random bytes make 86 characters from RFC 7636's unreserved set (43..128 allowed).
    code_verifier = secrets.token_urlsafe(64)
    code_challenge = pkce_challenge(code_verifier)
    params = {
        "response_type": "code",
        "client_id": settings.line_channel_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": SCOPE,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if bot_prompt is not None:
        params["bot_prompt"] = str(bot_prompt)
    # quote (not quote_plus): LINE's own examples encode the scope's space as %20.
    query = urlencode(params, quote_via=quote, safe="")
    authorize_url = f"{settings.line_auth_base.rstrip('/')}/oauth2/v2.1/authorize?{query}"
    return LoginRequest(
        state=state,
        nonce=nonce,
        code_verifier=code_verifier,
        code_challenge=code_challenge,
        redirect_uri=redirect_uri,
        authorize_url=authorize_url,
    )


def pkce_challenge(code_verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return _b64url_encode(digest)


# --- 2. the callback -----------------------------------------------------------------------


def parse_callback(query: Mapping[str, str], *, expected_state: str) -> CallbackResult:
    """Sort LINE's redirect back into ok / cancelled / denied / invalid_state.

    The state is checked first: until it matches, nothing in the query is LINE's word.
    """
    friendship = _parse_bool(query.get("friendship_status_changed"))
    state = query.get("state") or ""
    if not expected_state or not hmac.compare_digest(
        state.encode("utf-8"), expected_state.encode("utf-8")
    ):
        return CallbackResult(kind=CallbackKind.INVALID_STATE)
    error = query.get("error")
    description = query.get("error_description") or None
    if error:
        # LINE's examples use access_denied, its error table ACCESS_DENIED: accept both.
        error = error.lower()
        kind = CallbackKind.CANCELLED if error == "access_denied" else CallbackKind.DENIED
        return CallbackResult(
            kind=kind,
            error=error,
            error_description=description,
            friendship_status_changed=friendship,
        )
    code = query.get("code")
    if not code:
        return CallbackResult(
            kind=CallbackKind.DENIED,
            error="missing_code",
            error_description="LINE's callback carried neither a code nor an error",
            friendship_status_changed=friendship,
        )
    return CallbackResult(kind=CallbackKind.OK, code=code, friendship_status_changed=friendship)


# --- 3. the token endpoint -----------------------------------------------------------------


def exchange_code(
    settings: Settings,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    http: requests.Session | None = None,
    timeout: float | None = None,
) -> TokenSet:
    """POST /oauth2/v2.1/token: the one-use code and its verifier for tokens."""
    _require_configured(settings)
    payload = _call(
        "token",
        http,
        "POST",
        f"{settings.line_api_base.rstrip('/')}/oauth2/v2.1/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": settings.line_channel_id,
            "client_secret": settings.line_channel_secret,
            "code_verifier": code_verifier,
        },
        timeout=_timeout(settings, timeout),
    )
    try:
        tokens = TokenSet(
            access_token=_required_str(payload, "access_token"),
            expires_in=int(payload.get("expires_in") or 0),
            id_token=_required_str(payload, "id_token"),
            refresh_token=str(payload.get("refresh_token") or ""),
            scope=str(payload.get("scope") or ""),
            token_type=str(payload.get("token_type") or "Bearer"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LineApiError(
            f"LINE's token response lacks {exc}", code="line_bad_response", status=200
        ) from None
    return tokens


# --- 4. the ID token -----------------------------------------------------------------------


def verify_id_token(
    settings: Settings, id_token: str, *, nonce: str, now: datetime | None = None
) -> IdClaims:
    """Check a web-login ID token ourselves: HS256 with the channel secret, iss, aud, exp, nonce.

    LINE signs web-login ID tokens with HS256 (native apps and LIFF get ES256, which we never
    receive here); any other ``alg``, ``none`` included, is refused.
    """
    _require_configured(settings)
    parts = id_token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise LineIdTokenError(
            "ID token is not a JWS compact serialization", code="id_token_malformed"
        )
    header_b64, payload_b64, signature_b64 = parts
    header = _decode_json_part(header_b64)
    alg = header.get("alg")
    if alg != "HS256":
        raise LineIdTokenError(
            f"ID token alg {str(alg)[:20]!r} is not HS256", code="id_token_unsupported_alg"
        )
    expected = hmac.new(
        settings.line_channel_secret.encode("utf-8"),
        f"{header_b64}.{payload_b64}".encode("ascii"),
        hashlib.sha256,
    ).digest()
    if not hmac.compare_digest(expected, _b64url_decode(signature_b64)):
        raise LineIdTokenError("ID token signature does not match", code="id_token_bad_signature")
    claims = _decode_json_part(payload_b64)
    return _checked_claims(settings, claims, nonce=nonce, now=now or datetime.now(UTC))


def verify_id_token_remote(
    settings: Settings,
    id_token: str,
    *,
    nonce: str,
    http: requests.Session | None = None,
    timeout: float | None = None,
) -> IdClaims:
    """POST /oauth2/v2.1/verify: LINE checks signature, audience, expiry and nonce for us."""
    _require_configured(settings)
    try:
        payload = _call(
            "verify",
            http,
            "POST",
            f"{settings.line_api_base.rstrip('/')}/oauth2/v2.1/verify",
            data={"id_token": id_token, "client_id": settings.line_channel_id, "nonce": nonce},
            timeout=_timeout(settings, timeout),
        )
    except LineApiError as exc:
        if exc.code == "line_bad_response":
            raise
        raise LineIdTokenError(
            f"LINE refused the ID token: {exc.description or exc.code}",
            code=exc.code,
            status=exc.status,
        ) from None
    # LINE has checked it; we still hold it to the same rules, which costs nothing.
    return _checked_claims(settings, payload, nonce=nonce, now=datetime.now(UTC))


# --- 5. friendship -------------------------------------------------------------------------


def friendship_status(
    settings: Settings,
    *,
    access_token: str,
    http: requests.Session | None = None,
    timeout: float | None = None,
) -> bool:
    """GET /friendship/v1/status: is our Official Account the user's friend (and not blocked)?"""
    _require_configured(settings)
    payload = _call(
        "friendship",
        http,
        "GET",
        f"{settings.line_api_base.rstrip('/')}/friendship/v1/status",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=_timeout(settings, timeout),
    )
    flag = payload.get("friendFlag")
    if not isinstance(flag, bool):
        raise LineApiError(
            "LINE's friendship response has no boolean friendFlag",
            code="line_bad_response",
            status=200,
        )
    return flag


# --- plumbing ------------------------------------------------------------------------------


def _require_configured(settings: Settings) -> None:
    if not settings.line_enabled:
        raise LineNotConfigured(
            "LINE Login needs OMO_LINE_CHANNEL_ID and OMO_LINE_CHANNEL_SECRET to be set"
        )


def _timeout(settings: Settings, timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    return settings.line_timeout_seconds


def _call(
    what: str,
    http: requests.Session | None,
    method: str,
    url: str,
    *,
    timeout: float,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One request to LINE: a JSON object back, or a typed error. Logs endpoint and codes only."""
    session = http or requests.Session()
    try:
        response = session.request(
            method,
            url,
            data=data,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        log.warning("line %s request failed: %s", what, type(exc).__name__)
        raise LineUnavailable(
            f"LINE {what} endpoint unreachable ({type(exc).__name__})", code="line_unreachable"
        ) from None
    finally:
        if http is None:
            session.close()
    payload = _json_object(response)
    status = response.status_code
    if status == 200:
        if payload is None:
            raise LineApiError(
                f"LINE {what} endpoint answered 200 without a JSON object",
                code="line_bad_response",
                status=status,
            )
        return payload
    body = payload or {}
    # OAuth endpoints answer {"error", "error_description"}; the others {"message"}.
    error = body.get("error")
    description = str(body.get("error_description") or body.get("message") or "")[:200]
    request_id = response.headers.get("x-line-request-id", "-")
    log.warning(
        "line %s refused: http %s error %s (x-line-request-id %s)",
        what,
        status,
        error if isinstance(error, str) else "-",
        request_id,
    )
    if status >= 500 or status in _RETRYABLE_4XX:
        raise LineUnavailable(
            f"LINE {what} endpoint answered {status}", code=f"line_http_{status}", status=status
        )
    code = error if isinstance(error, str) and error else f"line_http_{status}"
    message = f"LINE {what} endpoint answered {status} {code}"
    if description:
        message += f": {description}"
    raise LineApiError(message, code=code, status=status, description=description)


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _checked_claims(
    settings: Settings, claims: Mapping[str, Any], *, nonce: str, now: datetime
) -> IdClaims:
    if claims.get("iss") != ID_TOKEN_ISSUER:
        raise LineIdTokenError("ID token issuer is not LINE", code="id_token_wrong_issuer")
    if not _audience_matches(claims.get("aud"), settings.line_channel_id):
        raise LineIdTokenError("ID token is for another channel", code="id_token_wrong_audience")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LineIdTokenError("ID token lacks exp or iat", code="id_token_malformed")
    if isinstance(exp, bool) or isinstance(iat, bool):
        raise LineIdTokenError("ID token exp or iat is not a number", code="id_token_malformed")
    try:
        expires_at = datetime.fromtimestamp(exp, UTC)
        issued_at = datetime.fromtimestamp(iat, UTC)
    except (OverflowError, OSError, ValueError):
        raise LineIdTokenError(
            "ID token exp or iat is out of range", code="id_token_malformed"
        ) from None
    if now >= expires_at + CLOCK_LEEWAY:
        raise LineIdTokenError("ID token has expired", code="id_token_expired")
    if issued_at > now + CLOCK_LEEWAY:
        raise LineIdTokenError("ID token is issued in the future", code="id_token_issued_in_future")
    token_nonce = claims.get("nonce")
    if (
        not nonce
        or not isinstance(token_nonce, str)
        or not hmac.compare_digest(token_nonce.encode("utf-8"), nonce.encode("utf-8"))
    ):
        raise LineIdTokenError("ID token nonce does not match", code="id_token_nonce_mismatch")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise LineIdTokenError("ID token names no user", code="id_token_no_subject")
    amr = claims.get("amr")
    return IdClaims(
        sub=sub,
        name=_optional_str(claims.get("name")),
        picture=_optional_str(claims.get("picture")),
        amr=tuple(m for m in amr if isinstance(m, str)) if isinstance(amr, list) else (),
        email=_optional_str(claims.get("email")),
        issued_at=issued_at,
        expires_at=expires_at,
    )


def _audience_matches(aud: object, channel_id: str) -> bool:
    # LINE documents aud as the channel id string; some SDKs type it as a number, and OIDC
    # allows a list.
    if isinstance(aud, list):
        return any(_audience_matches(a, channel_id) for a in aud)
    if isinstance(aud, bool):
        return False
    if isinstance(aud, int | str):
        return hmac.compare_digest(str(aud).encode("utf-8"), channel_id.encode("utf-8"))
    return False


def _decode_json_part(part: str) -> dict[str, Any]:
    try:
        decoded = json.loads(_b64url_decode(part))
    except (UnicodeDecodeError, ValueError):
        raise LineIdTokenError("ID token part is not JSON", code="id_token_malformed") from None
    if not isinstance(decoded, dict):
        raise LineIdTokenError("ID token part is not a JSON object", code="id_token_malformed")
    return decoded


def _b64url_decode(part: str) -> bytes:
    if not _B64URL.match(part) or len(part) % 4 == 1:
        raise LineIdTokenError("ID token part is not base64url", code="id_token_malformed")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise LineIdTokenError(
            "ID token part is not base64url", code="id_token_malformed"
        ) from None


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _parse_bool(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def _required_str(payload: Mapping[str, Any], key: str) -> str:
    value = payload[key]
    if not isinstance(value, str) or not value:
        raise ValueError(key)
    return value


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
