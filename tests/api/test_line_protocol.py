"""LINE Login v2.1 end to end against a fake LINE that speaks the real protocol."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from omo_backend.line import (
    CallbackKind,
    CallbackResult,
    LineApiError,
    LineIdTokenError,
    LineUnavailable,
    LoginRequest,
    exchange_code,
    friendship_status,
    new_login_request,
    parse_callback,
    verify_id_token,
    verify_id_token_remote,
)
from omo_backend.settings import Settings
from tests.fakes.line_server import FakeLine

CALLBACK = "https://omo.example/line/callback"


@pytest.fixture
def line() -> Iterator[FakeLine]:
    with FakeLine(redirect_uris=(CALLBACK,)) as fake:
        yield fake


@pytest.fixture
def settings(line: FakeLine) -> Settings:
    return Settings(**line.settings_overrides())


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _go_to_line(login: LoginRequest) -> dict[str, str]:
    """The phone opens the authorize URL; LINE answers with a redirect to our callback."""
    response = requests.get(login.authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _sign_in(settings: Settings) -> tuple[LoginRequest, CallbackResult]:
    login = new_login_request(settings, redirect_uri=CALLBACK)
    return login, parse_callback(_go_to_line(login), expected_state=login.state)


def test_a_customer_signs_in_and_adds_the_store_as_a_friend(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    user = line.user(name="林小華", approve=True, add_friend=True)

    login, callback = _sign_in(settings)
    assert callback.kind is CallbackKind.OK
    assert callback.friendship_status_changed is True
    assert callback.code is not None

    tokens = exchange_code(
        settings,
        code=callback.code,
        redirect_uri=login.redirect_uri,
        code_verifier=login.code_verifier,
        http=http,
    )
    assert tokens.token_type == "Bearer"
    assert tokens.expires_in > 0
    assert set(tokens.scope.split()) == {"openid", "profile"}

    claims = verify_id_token(settings, tokens.id_token, nonce=login.nonce)
    assert claims.sub == user.sub
    assert claims.name == "林小華"
    assert claims.picture == user.picture
    assert claims.amr == ("linesso",)

    assert friendship_status(settings, access_token=tokens.access_token, http=http) is True

    # What LINE saw: everything the protocol asks for, and the secret only where it belongs.
    (authorize,) = line.requests_to("/oauth2/v2.1/authorize")
    assert authorize.query["bot_prompt"] == "aggressive"
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["scope"] == "openid profile"
    assert settings.line_channel_secret not in login.authorize_url
    (token,) = line.requests_to("/oauth2/v2.1/token")
    assert token.form["grant_type"] == "authorization_code"
    assert token.form["code_verifier"] == login.code_verifier
    assert token.form["client_secret"] == settings.line_channel_secret
    (status,) = line.requests_to("/friendship/v1/status")
    assert status.headers["Authorization"] == f"Bearer {tokens.access_token}"


def test_declining_the_friend_prompt_still_signs_in_but_no_friendship(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user(add_friend=False)

    login, callback = _sign_in(settings)
    assert callback.kind is CallbackKind.OK
    assert callback.friendship_status_changed is False
    assert callback.code is not None
    tokens = exchange_code(
        settings,
        code=callback.code,
        redirect_uri=CALLBACK,
        code_verifier=login.code_verifier,
        http=http,
    )

    assert friendship_status(settings, access_token=tokens.access_token, http=http) is False


def test_an_existing_friend_is_unchanged_but_a_friend(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user(already_friend=True)

    login, callback = _sign_in(settings)
    assert callback.friendship_status_changed is False
    assert callback.code is not None
    tokens = exchange_code(
        settings,
        code=callback.code,
        redirect_uri=CALLBACK,
        code_verifier=login.code_verifier,
        http=http,
    )

    assert friendship_status(settings, access_token=tokens.access_token, http=http) is True


def test_tapping_cancel_comes_back_cancelled(line: FakeLine, settings: Settings) -> None:
    line.user(approve=False)

    _, callback = _sign_in(settings)

    assert callback.kind is CallbackKind.CANCELLED
    assert callback.error == "access_denied"
    assert callback.error_description
    assert line.requests_to("/oauth2/v2.1/token") == []


def test_a_callback_meant_for_another_login_is_invalid_state(
    line: FakeLine, settings: Settings
) -> None:
    line.user()
    mine = new_login_request(settings, redirect_uri=CALLBACK)
    theirs = new_login_request(settings, redirect_uri=CALLBACK)

    callback = parse_callback(_go_to_line(theirs), expected_state=mine.state)

    assert callback.kind is CallbackKind.INVALID_STATE
    assert callback.code is None


def test_a_stolen_code_without_its_verifier_is_refused_and_spent(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    other = new_login_request(settings, redirect_uri=CALLBACK)

    with pytest.raises(LineApiError) as caught:
        exchange_code(
            settings,
            code=callback.code,
            redirect_uri=CALLBACK,
            code_verifier=other.code_verifier,
            http=http,
        )
    assert caught.value.code == "invalid_grant"
    assert caught.value.status == 400

    # One use: the rightful verifier is too late now.
    with pytest.raises(LineApiError) as again:
        exchange_code(
            settings,
            code=callback.code,
            redirect_uri=CALLBACK,
            code_verifier=login.code_verifier,
            http=http,
        )
    assert again.value.code == "invalid_grant"


def test_a_code_is_good_for_one_exchange(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    exchange_code(
        settings,
        code=callback.code,
        redirect_uri=CALLBACK,
        code_verifier=login.code_verifier,
        http=http,
    )

    with pytest.raises(LineApiError) as caught:
        exchange_code(
            settings,
            code=callback.code,
            redirect_uri=CALLBACK,
            code_verifier=login.code_verifier,
            http=http,
        )
    assert caught.value.code == "invalid_grant"


def test_the_redirect_uri_must_match_the_authorization(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None

    with pytest.raises(LineApiError) as caught:
        exchange_code(
            settings,
            code=callback.code,
            redirect_uri=CALLBACK + "/elsewhere",
            code_verifier=login.code_verifier,
            http=http,
        )
    assert caught.value.code == "invalid_grant"


def test_a_wrong_channel_secret_is_invalid_client(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    wrong = settings.model_copy(update={"line_channel_secret": "f" * 32})

    with pytest.raises(LineApiError) as caught:
        exchange_code(
            wrong,
            code=callback.code,
            redirect_uri=CALLBACK,
            code_verifier=login.code_verifier,
            http=http,
        )
    assert caught.value.code == "invalid_client"


def test_an_id_token_from_this_login_does_not_pass_for_another(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    tokens = exchange_code(
        settings,
        code=callback.code,
        redirect_uri=CALLBACK,
        code_verifier=login.code_verifier,
        http=http,
    )
    other = new_login_request(settings, redirect_uri=CALLBACK)

    with pytest.raises(LineIdTokenError) as caught:
        verify_id_token(settings, tokens.id_token, nonce=other.nonce)
    assert caught.value.code == "id_token_nonce_mismatch"


def test_line_can_verify_the_id_token_too(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    user = line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    tokens = exchange_code(
        settings,
        code=callback.code,
        redirect_uri=CALLBACK,
        code_verifier=login.code_verifier,
        http=http,
    )

    claims = verify_id_token_remote(settings, tokens.id_token, nonce=login.nonce, http=http)
    assert claims.sub == user.sub
    (verify,) = line.requests_to("/oauth2/v2.1/verify")
    assert verify.form["client_id"] == settings.line_channel_id
    assert verify.form["nonce"] == login.nonce

    with pytest.raises(LineIdTokenError) as caught:
        verify_id_token_remote(settings, tokens.id_token, nonce="another-login", http=http)
    assert caught.value.code == "invalid_request"
    assert caught.value.status == 400


def test_an_unknown_access_token_gets_no_friendship_answer(
    line: FakeLine, settings: Settings, http: requests.Session
) -> None:
    with pytest.raises(LineApiError) as caught:
        friendship_status(settings, access_token="not-a-token", http=http)

    assert caught.value.status == 401
    assert caught.value.code == "line_http_401"


def test_a_line_outage_is_unavailable_and_logs_no_secrets(
    line: FakeLine,
    settings: Settings,
    http: requests.Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    line.user()
    login, callback = _sign_in(settings)
    assert callback.code is not None
    line.fail_next(1, status=503)

    with (
        caplog.at_level(logging.DEBUG, logger="omo_backend.line"),
        pytest.raises(LineUnavailable) as caught,
    ):
        exchange_code(
            settings,
            code=callback.code,
            redirect_uri=CALLBACK,
            code_verifier=login.code_verifier,
            http=http,
        )

    assert caught.value.code == "line_http_503"
    logged = caplog.text + str(caught.value)
    assert "token" in caplog.text
    for secret in (callback.code, login.code_verifier, settings.line_channel_secret):
        assert secret not in logged


def test_a_slow_line_times_out(line: FakeLine, settings: Settings, http: requests.Session) -> None:
    line.latency_seconds = 0.5

    with pytest.raises(LineUnavailable) as caught:
        friendship_status(settings, access_token="whatever", http=http, timeout=0.05)

    assert caught.value.code == "line_unreachable"


def test_line_down_is_unreachable(settings: Settings, line: FakeLine) -> None:
    base = line.api_base
    line.stop()
    down = settings.model_copy(update={"line_api_base": base})

    with pytest.raises(LineUnavailable) as caught:
        friendship_status(down, access_token="whatever", timeout=1)

    assert caught.value.code == "line_unreachable"


def test_the_fake_refuses_a_request_without_pkce(line: FakeLine, settings: Settings) -> None:
    """The fake would catch a client that forgot PKCE (so the tests above can fail)."""
    line.user()
    login = new_login_request(settings, redirect_uri=CALLBACK)
    url = login.authorize_url.replace("code_challenge_method=S256", "code_challenge_method=plain")

    response = requests.get(url, allow_redirects=False, timeout=5)

    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == [login.state]


def test_the_fake_will_not_redirect_to_an_unregistered_callback(
    line: FakeLine, settings: Settings
) -> None:
    line.user()
    login = new_login_request(settings, redirect_uri="https://evil.example/cb")

    response = requests.get(login.authorize_url, allow_redirects=False, timeout=5)

    assert response.status_code == 400
    assert "Location" not in response.headers
