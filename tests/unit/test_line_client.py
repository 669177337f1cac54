"""LINE Login's pure parts: the authorization URL, the callback, the ID token check."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from omo_backend.line import (
    BotPrompt,
    CallbackKind,
    LineIdTokenError,
    LineNotConfigured,
    new_login_request,
    parse_callback,
    verify_id_token,
)
from omo_backend.settings import Settings
from tests.fakes.line_server import b64url, sign_id_token

CHANNEL_ID = "1657000001"
SECRET = "0123456789abcdef0123456789abcdef"
NONCE = "n-0f9e8d7c6b5a"
SUB = "U" + "4af4980629" * 3 + "ab"
CALLBACK = "https://omo.example/line/callback?flow=r"


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "line_channel_id": CHANNEL_ID,
        "line_channel_secret": SECRET,
        "line_auth_base": "https://access.line.me",
        "line_api_base": "https://api.line.me",
    }
    values.update(overrides)
    return Settings(**values)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://access.line.me",
        "sub": SUB,
        "aud": CHANNEL_ID,
        "exp": now + 3600,
        "iat": now,
        "nonce": NONCE,
        "amr": ["linesso"],
        "name": "林小華",
        "picture": "https://profile.line-scdn.net/0habc",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(**overrides: Any) -> str:
    return sign_id_token(_claims(**overrides), secret=SECRET)


# --- the authorization request --------------------------------------------------------------


def test_login_request_carries_everything_line_needs() -> None:
    login = new_login_request(_settings(), redirect_uri=CALLBACK)

    url = urlsplit(login.authorize_url)
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "access.line.me",
        "/oauth2/v2.1/authorize",
    )
    query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    assert query == {
        "response_type": "code",
        "client_id": CHANNEL_ID,
        "redirect_uri": CALLBACK,
        "state": login.state,
        "scope": "openid profile",
        "nonce": login.nonce,
        "code_challenge": login.code_challenge,
        "code_challenge_method": "S256",
        "bot_prompt": "aggressive",
    }
    # The space is %20 and the callback's own query is escaped, not spliced in.
    assert "scope=openid%20profile" in url.query
    assert "redirect_uri=https%3A%2F%2Fomo.example%2Fline%2Fcallback%3Fflow%3Dr" in url.query
    assert login.redirect_uri == CALLBACK


def test_login_request_secrets_are_fresh_long_and_pkce_s256() -> None:
    first = new_login_request(_settings(), redirect_uri=CALLBACK)
    second = new_login_request(_settings(), redirect_uri=CALLBACK)

    assert len({first.state, second.state, first.nonce, second.nonce}) == 4
    for value in (first.state, first.nonce):
        # >= 128 bits of randomness, URL-safe.
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", value)
    assert 43 <= len(first.code_verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", first.code_verifier)
    digest = hashlib.sha256(first.code_verifier.encode()).digest()
    assert first.code_challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert first.code_verifier != second.code_verifier
    # Logged by accident, a login request gives away neither its nonce nor its verifier.
    assert first.code_verifier not in repr(first)
    assert first.nonce not in repr(first)


def test_bot_prompt_can_be_normal_or_left_out() -> None:
    normal = new_login_request(_settings(), redirect_uri=CALLBACK, bot_prompt=BotPrompt.NORMAL)
    none = new_login_request(_settings(), redirect_uri=CALLBACK, bot_prompt=None)

    assert "bot_prompt=normal" in normal.authorize_url
    assert "bot_prompt" not in none.authorize_url


def test_login_request_follows_the_configured_auth_base() -> None:
    login = new_login_request(
        _settings(line_auth_base="http://127.0.0.1:9/"), redirect_uri=CALLBACK
    )

    assert login.authorize_url.startswith("http://127.0.0.1:9/oauth2/v2.1/authorize?")


def test_without_a_channel_there_is_no_login() -> None:
    with pytest.raises(LineNotConfigured) as caught:
        new_login_request(_settings(line_channel_secret=""), redirect_uri=CALLBACK)
    assert caught.value.code == "line_not_configured"


# --- the callback --------------------------------------------------------------------------


def test_approved_callback_gives_the_code_and_the_friendship_change() -> None:
    result = parse_callback(
        {"code": "abcd1234", "state": "s-1", "friendship_status_changed": "true"},
        expected_state="s-1",
    )

    assert result.kind is CallbackKind.OK
    assert result.ok
    assert result.code == "abcd1234"
    assert result.friendship_status_changed is True
    assert "abcd1234" not in repr(result)


def test_friendship_flag_false_or_absent() -> None:
    declined = parse_callback(
        {"code": "c", "state": "s", "friendship_status_changed": "false"}, expected_state="s"
    )
    silent = parse_callback({"code": "c", "state": "s"}, expected_state="s")

    assert declined.friendship_status_changed is False
    assert silent.friendship_status_changed is None


@pytest.mark.parametrize("error", ["access_denied", "ACCESS_DENIED"])
def test_tapping_cancel_is_cancelled(error: str) -> None:
    result = parse_callback(
        {
            "error": error,
            "error_description": "The resource owner denied the request.",
            "state": "s-1",
        },
        expected_state="s-1",
    )

    assert result.kind is CallbackKind.CANCELLED
    assert result.error == "access_denied"
    assert result.error_description == "The resource owner denied the request."
    assert result.code is None


def test_other_line_errors_are_denied() -> None:
    result = parse_callback(
        {"error": "server_error", "state": "s-1"},
        expected_state="s-1",
    )

    assert result.kind is CallbackKind.DENIED
    assert result.error == "server_error"


def test_a_callback_without_code_or_error_is_denied() -> None:
    result = parse_callback({"state": "s-1"}, expected_state="s-1")

    assert result.kind is CallbackKind.DENIED
    assert result.error == "missing_code"


@pytest.mark.parametrize(
    "query",
    [
        {"code": "c", "state": "someone-else"},
        {"code": "c"},
        {"code": "c", "state": ""},
        {"error": "access_denied", "state": "someone-else"},
    ],
)
def test_a_foreign_or_missing_state_is_invalid_whatever_else_it_says(query: dict[str, str]) -> None:
    result = parse_callback(query, expected_state="s-1")

    assert result.kind is CallbackKind.INVALID_STATE
    assert result.code is None


def test_an_empty_expected_state_matches_nothing() -> None:
    assert parse_callback({"code": "c", "state": ""}, expected_state="").kind is (
        CallbackKind.INVALID_STATE
    )


# --- the ID token ---------------------------------------------------------------------------


def test_a_genuine_id_token_names_the_line_user() -> None:
    claims = verify_id_token(_settings(), _token(), nonce=NONCE)

    assert claims.sub == SUB
    assert claims.name == "林小華"
    assert claims.picture == "https://profile.line-scdn.net/0habc"
    assert claims.amr == ("linesso",)
    assert claims.email is None
    assert claims.expires_at > claims.issued_at
    assert claims.issued_at.tzinfo is UTC


def test_a_numeric_audience_is_the_same_channel() -> None:
    claims = verify_id_token(_settings(), _token(aud=int(CHANNEL_ID)), nonce=NONCE)

    assert claims.sub == SUB


def _refused(token: str, *, nonce: str = NONCE, now: datetime | None = None) -> str:
    with pytest.raises(LineIdTokenError) as caught:
        verify_id_token(_settings(), token, nonce=nonce, now=now)
    return caught.value.code


def test_another_logins_nonce_is_refused() -> None:
    assert _refused(_token(), nonce="n-from-another-login") == "id_token_nonce_mismatch"
    assert _refused(_token(nonce=None)) == "id_token_nonce_mismatch"
    assert _refused(_token(), nonce="") == "id_token_nonce_mismatch"


def test_another_channels_token_is_refused() -> None:
    assert _refused(_token(aud="1657999999")) == "id_token_wrong_audience"
    assert _refused(_token(aud=None)) == "id_token_wrong_audience"
    assert _refused(_token(aud=True)) == "id_token_wrong_audience"


def test_another_issuer_is_refused() -> None:
    assert _refused(_token(iss="https://evil.example")) == "id_token_wrong_issuer"


def test_an_expired_token_is_refused_after_a_small_leeway() -> None:
    token = _token(iat=1_700_000_000, exp=1_700_003_600)
    expired_at = datetime.fromtimestamp(1_700_003_600, UTC)

    within = verify_id_token(
        _settings(), token, nonce=NONCE, now=expired_at.replace(second=expired_at.second + 30)
    )
    assert within.sub == SUB
    assert _refused(token, now=datetime.fromtimestamp(1_700_003_600 + 61, UTC)) == (
        "id_token_expired"
    )


def test_a_token_from_the_future_is_refused() -> None:
    now = int(time.time())
    assert _refused(_token(iat=now + 3600, exp=now + 7200)) == "id_token_issued_in_future"


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = _token().split(".")
    forged = b64url(json.dumps(_claims(sub="U" + "0" * 32)).encode())

    assert _refused(f"{header}.{forged}.{signature}") == "id_token_bad_signature"


def test_a_tampered_signature_is_refused() -> None:
    header, payload, signature = _token().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert _refused(f"{header}.{payload}.{flipped}") == "id_token_bad_signature"
    assert _refused(f"{header}.{payload}.") == "id_token_bad_signature"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = sign_id_token(_claims(), secret="not-our-channel-secret")

    assert _refused(token) == "id_token_bad_signature"


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none"},
        {"alg": "None", "typ": "JWT"},
        {"alg": "HS512", "typ": "JWT"},
        {"alg": "ES256", "typ": "JWT", "kid": "a2a459aec5b65fa"},
        {"typ": "JWT"},
    ],
)
def test_only_hs256_is_accepted(header: dict[str, Any]) -> None:
    token = sign_id_token(_claims(), secret=SECRET, header=header)

    assert _refused(token) == "id_token_unsupported_alg"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        ".e30.",
        b64url(b'{"alg":"HS256"}') + ".!!!.sig",
        b64url(b"[1]") + "." + b64url(b"{}") + ".x",
        b64url(b'{"alg":"HS256"}') + "." + b64url(b"not json") + ".",
    ],
)
def test_garbage_is_malformed(token: str) -> None:
    assert _refused(token) in {"id_token_malformed", "id_token_bad_signature"}


def test_a_signed_token_without_times_or_subject_is_refused() -> None:
    assert _refused(_token(exp=None)) == "id_token_malformed"
    assert _refused(_token(exp="tomorrow")) == "id_token_malformed"
    assert _refused(_token(exp=10**20)) == "id_token_malformed"
    assert _refused(_token(sub=None)) == "id_token_no_subject"
