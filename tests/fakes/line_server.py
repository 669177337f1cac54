"""A local stand-in for LINE Login v2.1 that speaks its real protocol.

One server plays both of LINE's hosts (``access.line.me`` and ``api.line.me``):

- ``GET /oauth2/v2.1/authorize``: checks the request and then does what the test told the
  "user" to do (``fake.user(...)``): approve, redirecting 302 to
  ``redirect_uri?code=…&state=…&friendship_status_changed=true|false`` (the last only when
  ``bot_prompt`` was sent), or cancel, redirecting with ``error=access_denied``,
  ``error_description`` and ``state``. A bad ``client_id`` or ``redirect_uri`` gets a 400 page
  and no redirect, as LINE does.
- ``POST /oauth2/v2.1/token``: client secret, one-use code (10 minutes), same redirect_uri,
  PKCE S256; answers LINE's token JSON with a real HS256 ID token signed with the channel
  secret, or ``{"error", "error_description"}``.
- ``POST /oauth2/v2.1/verify``: checks an ID token as LINE does and answers its claims.
- ``GET /friendship/v1/status``: ``{"friendFlag": …}`` for the access token's user.

LINE itself makes ``nonce``, PKCE and ``bot_prompt`` optional; this fake insists on them
(``strict=True``) because our client must always send them. Every request is recorded.
Tokens are signed and checked here on their own, not with our client's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.http_fake import HttpFake

ISSUER = "https://access.line.me"
CANCEL_DESCRIPTION = "The resource owner denied the request."
CODE_TTL_SECONDS = 600
ACCESS_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def sign_id_token(
    payload: dict[str, Any], *, secret: str, header: dict[str, Any] | None = None
) -> str:
    """A JWS as LINE's web login makes it (HS256 with the channel secret), for any payload.

    With ``header={"alg": "none"}`` the signature part is left empty, like an unsigned JWT.
    """
    head = header if header is not None else {"typ": "JWT", "alg": "HS256"}
    signing_input = (
        b64url(json.dumps(head, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    if head.get("alg") == "none":
        return signing_input + "."
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


@dataclass
class FakeLineUser:
    """A LINE account and what its owner will do at the next login."""

    sub: str
    name: str
    picture: str | None
    approve: bool = True
    add_friend: bool = True
    is_friend: bool = False
    email: str | None = None


@dataclass
class _Grant:
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    sub: str
    issued: float
    used: bool = False


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)


class FakeLine(HttpFake):
    def __init__(
        self,
        *,
        channel_id: str | None = None,
        channel_secret: str | None = None,
        redirect_uris: tuple[str, ...] | None = None,
        strict: bool = True,
    ) -> None:
        super().__init__()
        self.channel_id = channel_id or str(1_600_000_000 + secrets.randbelow(99_999_999))
        self.channel_secret = channel_secret or secrets.token_hex(16)
        # Callback URLs registered on the console; None accepts any http(s) URL.
        self.redirect_uris = redirect_uris
        self.strict = strict
        self.id_token_ttl_seconds = 3600
        self.latency_seconds = 0.0
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self._users: dict[str, FakeLineUser] = {}
        self._current: FakeLineUser | None = None
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, tuple[str, str]] = {}  # token -> (sub, scope)
        self._fail_next = 0
        self._fail_status = 500

    # --- life ----------------------------------------------------------------------------

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_Handler):
            line = fake

        return Handler

    @property
    def auth_base(self) -> str:
        return self.base_url

    @property
    def api_base(self) -> str:
        return self.base_url

    def settings_overrides(self) -> dict[str, Any]:
        """``Settings(**fake.settings_overrides())`` points the backend at this fake."""
        return {
            "line_channel_id": self.channel_id,
            "line_channel_secret": self.channel_secret,
            "line_auth_base": self.auth_base,
            "line_api_base": self.api_base,
        }

    # --- the user at the phone -----------------------------------------------------------

    def user(
        self,
        *,
        sub: str | None = None,
        name: str = "林小華",
        picture: str | None = "https://profile.line-scdn.net/0hfake",
        approve: bool = True,
        add_friend: bool = True,
        already_friend: bool | None = None,
        email: str | None = None,
    ) -> FakeLineUser:
        """The account that signs in next and what its owner taps; an existing ``sub`` is reused."""
        with self._lock:
            user = self._users.get(sub or "")
            if user is None:
                user = FakeLineUser(
                    sub=sub or "U" + secrets.token_hex(16),
                    name=name,
                    picture=picture,
                    email=email,
                )
                self._users[user.sub] = user
            user.name, user.picture, user.email = name, picture, email
            user.approve, user.add_friend = approve, add_friend
            if already_friend is not None:
                user.is_friend = already_friend
            self._current = user
            return user

    def is_friend(self, sub: str) -> bool:
        with self._lock:
            return self._users[sub].is_friend

    def set_friend(self, sub: str, value: bool) -> None:
        """The user adds or blocks the Official Account outside any login."""
        with self._lock:
            self._users[sub].is_friend = value

    # --- knobs ---------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 500) -> None:
        """Answer the next ``count`` API requests (not authorize) with ``status``."""
        with self._lock:
            self._fail_next, self._fail_status = count, status

    def sign(self, payload: dict[str, Any], *, header: dict[str, Any] | None = None) -> str:
        return sign_id_token(payload, secret=self.channel_secret, header=header)

    def id_token_claims(
        self, sub: str, *, nonce: str | None, now: float | None = None
    ) -> dict[str, Any]:
        """The payload LINE would put in an ID token for this user, now."""
        issued = int(now if now is not None else time.time())
        with self._lock:
            user = self._users[sub]
            claims: dict[str, Any] = {
                "iss": ISSUER,
                "sub": user.sub,
                "aud": self.channel_id,
                "exp": issued + self.id_token_ttl_seconds,
                "iat": issued,
                "auth_time": issued,
                "amr": ["linesso"],
                "name": user.name,
            }
            if user.picture:
                claims["picture"] = user.picture
            if user.email:
                claims["email"] = user.email
        if nonce is not None:
            claims["nonce"] = nonce
        return claims

    # --- what was received ---------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.path == path]

    # --- called by the handler -----------------------------------------------------------

    def _record(self, request: ReceivedRequest) -> int | None:
        with self._lock:
            self._requests.append(request)
            if request.path != "/oauth2/v2.1/authorize" and self._fail_next > 0:
                self._fail_next -= 1
                return self._fail_status
            return None

    def _redirect_allowed(self, uri: str) -> bool:
        if self.redirect_uris is not None:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment

    def _authorize(self, q: dict[str, str]) -> tuple[int, dict[str, str] | str]:
        """(302, redirect query) or (400, error page text)."""
        if q.get("client_id") != self.channel_id:
            return 400, "400 Bad Request: invalid client_id"
        redirect_uri = q.get("redirect_uri", "")
        if not self._redirect_allowed(redirect_uri):
            return 400, "400 Bad Request: invalid redirect_uri"
        state = q.get("state", "")

        def refuse(error: str, description: str) -> tuple[int, dict[str, str]]:
            answer = {"error": error, "error_description": description}
            if state:
                answer["state"] = state
            return 302, answer

        if q.get("response_type") != "code":
            return refuse("unsupported_response_type", "response_type must be code")
        scopes = q.get("scope", "").split(" ")
        if not scopes or not set(scopes) <= {"openid", "profile", "email"} or "" in scopes:
            return refuse("invalid_scope", "invalid scope")
        if not state:
            return refuse("invalid_request", "state is required")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if challenge is not None or method is not None or self.strict:
            if method != "S256":
                return refuse("invalid_request", "code_challenge_method must be S256")
            if not challenge or len(challenge) != 43:
                return refuse("invalid_request", "code_challenge must be a base64url SHA-256")
        if self.strict and not q.get("nonce"):
            return refuse("invalid_request", "nonce is required")
        bot_prompt = q.get("bot_prompt")
        if bot_prompt is not None and bot_prompt not in ("normal", "aggressive"):
            return refuse("invalid_request", "bot_prompt must be normal or aggressive")
        if self.strict and bot_prompt is None:
            return refuse("invalid_request", "bot_prompt is required by this fake")

        with self._lock:
            user = self._current
            if user is None:
                return 400, "400 Bad Request: the test set no fake.user(...)"
            if not user.approve:
                return refuse("access_denied", CANCEL_DESCRIPTION)
            answer = {"code": secrets.token_urlsafe(15), "state": state}
            if bot_prompt is not None and "profile" in scopes:
                # Shown the add-friend option: "changed" only if this login made them friends.
                changed = user.add_friend and not user.is_friend
                if user.add_friend:
                    user.is_friend = True
                answer["friendship_status_changed"] = "true" if changed else "false"
            self._grants[answer["code"]] = _Grant(
                code=answer["code"],
                redirect_uri=redirect_uri,
                scope=" ".join(scopes),
                nonce=q.get("nonce"),
                code_challenge=challenge,
                sub=user.sub,
                issued=time.time(),
            )
        return 302, answer

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        def error(error: str, description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
            return status, {"error": error, "error_description": description}

        if form.get("grant_type") != "authorization_code":
            return error("unsupported_grant_type", "unsupported grant_type")
        if form.get("client_id") != self.channel_id or not hmac.compare_digest(
            form.get("client_secret", "").encode(), self.channel_secret.encode()
        ):
            return error("invalid_client", "invalid client")
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None or grant.used or time.time() - grant.issued > CODE_TTL_SECONDS:
                return error("invalid_grant", "invalid authorization code")
            # Presented once, spent, whatever follows.
            grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return error("invalid_grant", "redirect_uri does not match")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if not 43 <= len(verifier) <= 128:
                return error("invalid_request", "code_verifier is required")
            digest = b64url(hashlib.sha256(verifier.encode()).digest())
            if not hmac.compare_digest(digest, grant.code_challenge):
                return error("invalid_grant", "invalid code_verifier")
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = (grant.sub, grant.scope)
        claims = self.id_token_claims(grant.sub, nonce=grant.nonce)
        if "profile" not in grant.scope.split():
            claims.pop("name", None)
            claims.pop("picture", None)
        return 200, {
            "access_token": access_token,
            "expires_in": ACCESS_TOKEN_TTL_SECONDS,
            "id_token": self.sign(claims),
            "refresh_token": secrets.token_urlsafe(15),
            "scope": grant.scope,
            "token_type": "Bearer",
        }

    def _verify(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        def invalid(description: str) -> tuple[int, dict[str, Any]]:
            return 400, {"error": "invalid_request", "error_description": description}

        if form.get("client_id") != self.channel_id:
            return invalid("Invalid IdToken Audience.")
        parts = form.get("id_token", "").split(".")
        if len(parts) != 3:
            return invalid("Invalid IdToken.")
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
            signature = _b64url_decode(parts[2])
        except ValueError:
            return invalid("Invalid IdToken.")
        expected = hmac.new(
            self.channel_secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
        ).digest()
        if header.get("alg") != "HS256" or not hmac.compare_digest(expected, signature):
            return invalid("Invalid IdToken.")
        if claims.get("iss") != ISSUER:
            return invalid("Invalid IdToken Issuer.")
        if claims.get("aud") != self.channel_id:
            return invalid("Invalid IdToken Audience.")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            return invalid("IdToken expired.")
        if "nonce" in form and claims.get("nonce") != form["nonce"]:
            return invalid("Invalid IdToken Nonce.")
        if "user_id" in form and claims.get("sub") != form["user_id"]:
            return invalid("Invalid IdToken Subject Identifier.")
        return 200, claims

    def _friendship(self, authorization: str) -> tuple[int, dict[str, Any]]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            holder = self._access_tokens.get(token)
            if holder is None:
                return 401, {"message": "invalid token"}
            sub, scope = holder
            if "profile" not in scope.split():
                return 403, {"message": "Not allowed to use this API: profile scope required"}
            return 200, {"friendFlag": self._users[sub].is_friend}


class _Handler(BaseHTTPRequestHandler):
    line: FakeLine
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        is_form = self.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        form = (
            {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            if is_form
            else {}
        )
        request = ReceivedRequest(
            method=self.command,
            path=parts.path,
            query=query,
            headers=dict(self.headers.items()),
            form=form,
        )
        forced = self.line._record(request)
        if self.line.latency_seconds:
            time.sleep(self.line.latency_seconds)
        try:
            self._answer(request, forced, is_form)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _answer(self, request: ReceivedRequest, forced: int | None, is_form: bool) -> None:
        route = (request.method, request.path)
        if route == ("GET", "/oauth2/v2.1/authorize"):
            status, answer = self.line._authorize(request.query)
            if isinstance(answer, str):
                self._send(status, answer.encode(), "text/plain; charset=utf-8")
                return
            target = request.query["redirect_uri"]
            sep = "&" if urlsplit(target).query else "?"
            self.send_response(302)
            self.send_header("Location", target + sep + urlencode(answer))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        known = {
            ("POST", "/oauth2/v2.1/token"),
            ("POST", "/oauth2/v2.1/verify"),
            ("GET", "/friendship/v1/status"),
        }
        if route not in known:
            self._json(404, {"message": "Not found"})
            return
        if forced is not None:
            self._json(forced, {"message": "fake LINE failure"})
            return
        if request.method == "POST" and not is_form:
            self._json(
                400,
                {"error": "invalid_request", "error_description": "form body required"},
            )
            return
        if route == ("POST", "/oauth2/v2.1/token"):
            self._json(*self.line._token(request.form))
        elif route == ("POST", "/oauth2/v2.1/verify"):
            self._json(*self.line._verify(request.form))
        else:
            self._json(*self.line._friendship(request.headers.get("Authorization", "")))

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-line-request-id", secrets.token_hex(8))
        self.end_headers()
        self.wfile.write(data)
