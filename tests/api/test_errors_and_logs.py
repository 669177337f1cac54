"""Errors come back in one envelope with a request id; logs are JSON lines without personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from backend_client.schemas import Role
from omo_backend import migrate
from omo_backend.app import create_app
from omo_backend.db import Database
from omo_backend.devices import service as devices
from omo_backend.logs import JsonFormatter, RedactingFilter
from omo_backend.settings import Settings
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as stores
from tests.api.test_bind_sign_in import E164, add_member, bind_now, confirm, sign_in
from tests.fakes.line_server import FakeLine
from tests.support.backend import (
    Counter,
    DatabaseFactory,
    LiveBackend,
    Phone,
    latest_link,
    live_backend,
)
from tests.support.live_server import bound_socket, serve_in_thread
from tests.support.log_capture import capture, check_external_log, ledger
from tests.support.page_text import visible

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def assert_envelope(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The reply is ``{"error": {code, message, details}}`` with ``status`` and a request id."""
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert HEX_ID.match(reply.headers["X-Request-Id"])
    details: dict[str, Any] = body["error"]["details"]
    return details


# --- the envelope, over real HTTP on both databases ------------------------------------------


def test_an_unknown_api_route_is_a_404_envelope(backend: LiveBackend):
    reply = backend.http.get(backend.url("/api/v1/no-such-thing"), timeout=10)
    assert_envelope(reply, 404, "not_found")


def test_a_wrong_method_is_a_405_envelope_that_names_the_right_one(backend: LiveBackend):
    reply = backend.http.delete(backend.url("/api/v1/health"), timeout=10)
    assert_envelope(reply, 405, "method_not_allowed")
    assert reply.headers["Allow"] == "GET"


def test_a_body_that_is_not_json_is_a_422_validation_error(backend: LiveBackend):
    reply = backend.http.post(
        backend.url("/api/v1/devices/enroll"),
        data='{"enrollment_code": "ABCDE-',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    details = assert_envelope(reply, 422, "validation_error")
    assert [f["type"] for f in details["fields"]] == ["json_invalid"]


def test_missing_fields_are_a_422_that_lists_each_field(backend: LiveBackend):
    reply = backend.http.post(
        backend.url("/api/v1/devices/enroll"), json={"device_name": "Counter 1"}, timeout=10
    )
    details = assert_envelope(reply, 422, "validation_error")
    assert [(f["field"], f["type"]) for f in details["fields"]] == [("enrollment_code", "missing")]

    reply = backend.http.post(backend.url("/api/v1/devices/enroll"), json={}, timeout=10)
    details = assert_envelope(reply, 422, "validation_error")
    assert {f["field"] for f in details["fields"]} == {"enrollment_code", "device_name"}


def test_a_phone_that_is_no_phone_is_a_422_on_the_phone_field(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    reply = counter.get("/api/v1/customers/search", params={"phone": "0912-345-67x"})
    details = assert_envelope(reply, 422, "invalid_phone")
    assert details == {"field": "phone"}
    reply = counter.invite("hello")
    assert_envelope(reply, 422, "invalid_phone")
    reply = counter.post("/api/v1/invitations", json={}, headers={"Idempotency-Key": "k-1"})
    details = assert_envelope(reply, 422, "validation_error")
    assert [f["field"] for f in details["fields"]] == ["phone"]


def test_a_missing_or_wrong_bearer_token_is_a_401(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    search = backend.url("/api/v1/customers/search")

    assert_envelope(backend.http.get(search, params={"phone": "0912345678"}), 401, "missing_token")
    for header in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Token abc"):
        reply = backend.http.get(search, headers={"Authorization": header}, timeout=10)
        assert_envelope(reply, 401, "missing_token")
    forged = {"Authorization": f"Bearer {uuid.uuid4().hex}"}
    assert_envelope(backend.http.get(search, headers=forged, timeout=10), 401, "invalid_session")

    # A device token only logs staff in: it is not a staff session.
    device = {"Authorization": f"Bearer {backend.enroll()}"}
    assert_envelope(backend.http.get(search, headers=device, timeout=10), 401, "invalid_session")


def test_every_response_carries_a_request_id_and_echoes_a_sane_one(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    replies = [
        backend.http.get(backend.url("/api/v1/health"), timeout=10),
        counter.invite("0912345678"),
        counter.get("/api/v1/customers/search", params={"phone": "0912345678"}),
        backend.http.get(backend.url("/api/v1/nope"), timeout=10),
        backend.http.get(backend.url("/r/not-a-real-link-token"), timeout=10),
        backend.http.get(backend.url("/openapi.json"), timeout=10),
    ]
    assert [r.status_code for r in replies] == [200, 201, 200, 404, 404, 200]
    ids = [r.headers.get("X-Request-Id", "") for r in replies]
    assert all(HEX_ID.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids), "each request has its own id"

    # A caller's own id (a counter tracing its retries) is kept if it is an id; anything else
    # could carry a link token or a phone number into the logs, and is replaced.
    for own in (str(uuid.uuid4()), uuid.uuid4().hex):
        mine = backend.http.get(
            backend.url("/api/v1/health"), headers={"X-Request-Id": own}, timeout=10
        )
        assert mine.headers["X-Request-Id"] == own
    for hostile in (
        "a b",
        "x" * 65,
        "../../etc",
        "id;drop",
        "<script>",
        "counter-7-retry-2",
        secrets.token_urlsafe(16),
        "0912345678",
        str(uuid.uuid4()) + "0",
    ):
        reply = backend.http.get(
            backend.url("/api/v1/health"), headers={"X-Request-Id": hostile}, timeout=10
        )
        assert HEX_ID.match(reply.headers["X-Request-Id"]), hostile


# --- an unexpected error ---------------------------------------------------------------------


@pytest.fixture
def crashing_backend(sqlite_factory: DatabaseFactory) -> Iterator[tuple[str, io.StringIO]]:
    """The real app with two routes that fail as a bug would, and its log in JSON lines."""
    url = sqlite_factory.new_url()
    db = Database(url)
    app = create_app(Settings(database_url=url, longpoll_check_seconds=0.05), db)

    @app.get("/api/v1/crash")
    def crash() -> None:
        raise RuntimeError("bug while texting +886912345678")

    @app.get("/r/crash/page")
    def crash_page() -> None:
        raise RuntimeError("bug on a page")

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    app_log = logging.getLogger("omo_backend")
    app_log.addHandler(handler)
    try:
        with serve_in_thread(app, bound_socket()) as base_url:
            yield base_url, out
    finally:
        app_log.removeHandler(handler)
        db.dispose()


def test_an_unexpected_error_is_a_500_envelope_with_a_request_id(crashing_backend):
    base_url, _ = crashing_backend
    reply = requests.get(f"{base_url}/api/v1/crash", timeout=10)
    details = assert_envelope(reply, 500, "internal_error")
    assert details == {"request_id": reply.headers["X-Request-Id"]}
    assert "RuntimeError" not in reply.text
    assert "+886912345678" not in reply.text


def test_the_traceback_of_a_500_is_logged_once_under_its_request_id_and_redacted(
    crashing_backend,
):
    base_url, out = crashing_backend
    reply = requests.get(f"{base_url}/api/v1/crash", timeout=10)
    request_id = reply.json()["error"]["details"]["request_id"]
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    crash = [e for e in entries if "exc" in e]
    assert len(crash) == 1
    assert crash[0]["level"] == "error"
    assert crash[0]["request_id"] == request_id
    assert "RuntimeError: bug while texting [phone]" in crash[0]["exc"]
    assert "912345678" not in out.getvalue()


def test_an_unexpected_error_on_a_customer_page_is_a_plain_apology(crashing_backend):
    base_url, _ = crashing_backend
    reply = requests.get(f"{base_url}/r/crash/page", headers={"Accept-Language": "en"}, timeout=10)
    assert reply.status_code == 500
    assert HEX_ID.match(reply.headers["X-Request-Id"])
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert "Something went wrong on our side" in visible(reply)
    assert "Traceback" not in reply.text
    assert "RuntimeError" not in reply.text


# --- the served backend, as an operator runs it ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{base_url}/api/v1/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"serve did not answer within 30 s:\n{log.read_text()}")


def _seed(url: str) -> str:
    """What an operator does with ``store add``, ``staff add`` and ``device enroll-code``."""
    db = Database(url)
    try:
        with db.transaction() as session:
            store = stores.create(session=session, code="TPE01", name="台北總店", locale="zh_TW")
            staff_service.create(
                session=session,
                store=store,
                code="1001",
                name="Amy",
                role=Role.STAFF,
                pin="123456",
            )
            return devices.create_enrollment_code(session=session, store=store, ttl_seconds=600)
    finally:
        db.dispose()


@pytest.mark.slow
def test_serve_migrates_an_empty_database_and_logs_a_whole_sign_up_without_personal_data(
    tmp_path: Path,
):
    db_file = tmp_path / "omo.db"
    url = f"sqlite:///{db_file}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMO_")} | {
        "OMO_DATABASE_URL": url,
        "OMO_DEV_MODE": "1",
        "OMO_PUBLIC_BASE_URL": base,
        "OMO_LOG_LEVEL": "DEBUG",
        "OMO_DISPATCH_POLL_SECONDS": "0.05",
        "OMO_LONGPOLL_CHECK_SECONDS": "0.05",
        "PYTHONUNBUFFERED": "1",
    }
    stderr_path = tmp_path / "stderr.log"
    stdout_path = tmp_path / "stdout.log"
    assert not db_file.exists()

    with stderr_path.open("wb") as stderr, stdout_path.open("wb") as stdout:
        server = subprocess.Popen(
            [sys.executable, "-m", "omo_backend.cli", "serve", "--port", str(port)],
            cwd=tmp_path,  # no stray .env
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            _wait_until_up(base, server, stderr_path)
            secrets_seen, request_ids = _walk_the_sign_up(base, url)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
                raise
    assert server.returncode == 0, stderr_path.read_text()

    lines = [line for line in stderr_path.read_text("utf-8").splitlines() if line.strip()]
    assert lines, "serve logged nothing"
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
        assert isinstance(entry, dict), line
        assert entry.get("request_id"), line
        entries.append(entry)

    # Each request is logged once, under the id its reply carried.
    access = {e["request_id"]: e for e in entries if e.get("event") == "http_request"}
    assert set(request_ids) <= set(access)
    for rid, (method, status) in request_ids.items():
        assert (access[rid]["method"], access[rid]["status"]) == (method, status)
        assert isinstance(access[rid]["duration_ms"], float | int)
    assert any(e["level"] == "debug" for e in entries), "OMO_LOG_LEVEL=DEBUG was not applied"

    # The session-wide check reads this backend's lines too, against every secret it knows.
    check_external_log(stderr_path)
    everything = stderr_path.read_text("utf-8") + stdout_path.read_text("utf-8")
    for name, secret in secrets_seen.items():
        assert secret not in everything, f"the log holds the {name}"


def _walk_the_sign_up(base: str, url: str) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """Enroll, log in, search, invite, register on the phone, search again: all over HTTP.

    Returns what must never be logged, and the request ids seen with their method and status.
    """
    # serve migrated the empty file before it answered.
    database = Database(url)
    try:
        assert migrate.is_current(database.engine)
    finally:
        database.dispose()
    enrollment_code = _seed(url)

    ids: dict[str, tuple[str, int]] = {}

    def seen(reply: requests.Response, status: int) -> requests.Response:
        assert reply.status_code == status, reply.text
        ids[reply.headers["X-Request-Id"]] = (reply.request.method or "", status)
        return reply

    counter = requests.Session()
    enrolled = seen(
        counter.post(
            f"{base}/api/v1/devices/enroll",
            json={"enrollment_code": enrollment_code, "device_name": "Counter 1"},
            timeout=10,
        ),
        201,
    ).json()
    device_token = enrolled["device_token"]
    login = seen(
        counter.post(
            f"{base}/api/v1/staff/login",
            json={"staff_code": "1001", "pin": "123456"},
            headers={"Authorization": f"Bearer {device_token}"},
            timeout=10,
        ),
        200,
    ).json()
    session_token = login["session_token"]
    counter.headers["Authorization"] = f"Bearer {session_token}"
    search = f"{base}/api/v1/customers/search"

    assert seen(counter.get(search, params={"phone": "0912 345 678"}, timeout=10), 200).json() == {
        "items": [],
        "total": 0,
        "merged_into": None,
    }
    invitation = seen(
        counter.post(
            f"{base}/api/v1/invitations",
            json={"phone": "0912-345-678"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        ),
        201,
    ).json()
    messages = seen(
        counter.get(f"{base}/api/v1/dev/messages", params={"to": "+886912345678"}, timeout=10),
        200,
    ).json()["items"]
    link = messages[0]["links"][0]
    link_token = link.rsplit("/", 1)[1]

    phone = requests.Session()
    phone.headers["Accept-Language"] = "zh-TW"
    form = phone.get(link, timeout=10)
    assert form.status_code == 200
    assert form.url == f"{base}/r"
    seen(form.history[0], 303)
    seen(form, 200)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    page_session = phone.cookies["omo_reg"]
    done = phone.post(
        f"{base}/r",
        data={
            "csrf": csrf[1],
            "name": "林小華",
            "email": "Lin.Hua@example.com",
            "birthday": "1990-05-04",
            "password": "s3cret-passw0rd",
            "password_confirm": "s3cret-passw0rd",
            "terms": "1",
            "marketing": "1",
        },
        timeout=10,
    )
    assert done.url == f"{base}/r/done"
    seen(done.history[0], 303)
    seen(done, 200)

    deadline = time.monotonic() + 20
    status = invitation["status"]
    while status != "registered" and time.monotonic() < deadline:
        status = seen(
            counter.get(
                f"{base}/api/v1/invitations/{invitation['id']}",
                params={"wait": 5, "known_status": status},
                timeout=10,
            ),
            200,
        ).json()["status"]
    assert status == "registered"

    found = seen(counter.get(search, params={"phone": "+886912345678"}, timeout=10), 200).json()
    assert found["items"][0]["is_member"] is True
    by_email = seen(counter.get(search, params={"email": "lin.hua@example.com"}, timeout=10), 200)
    assert by_email.json()["total"] == 1
    seen(counter.get(search, params={"phone": "0912-345-67x"}, timeout=10), 422)
    seen(phone.get(link, timeout=10), 410)

    never_logged = {
        "E.164 phone": "+886912345678",
        "national phone": "0912345678",
        "phone digits": "912345678",
        "spaced phone": "0912 345 678",
        "dashed phone": "0912-345-678",
        "e-mail": "lin.hua@example.com",
        "e-mail as typed": "Lin.Hua@example.com",
        "link token": link_token,
        "page session": page_session,
        "csrf token": csrf[1],
        "device token": device_token,
        "staff session token": session_token,
        "enrollment code": enrollment_code,
        "password": "s3cret-passw0rd",
    }
    return never_logged, ids


# --- every customer page, and what its log holds ---------------------------------------------


@pytest.fixture
def line() -> Iterator[FakeLine]:
    with FakeLine() as fake:
        yield fake


def test_registration_bind_reset_and_line_leave_no_secret_in_the_log(
    db_factory: DatabaseFactory, line: FakeLine
):
    """The whole customer journey, as the served backend logs it: nothing personal, one line
    per record, and the address of each page in route words (the reset link was once logged
    whole)."""
    already = len(capture.lines())
    with live_backend(db_factory, **line.settings_overrides()) as backend:
        backend.add_store("TPE01", "台北總店")
        backend.add_staff("TPE01", "1001", "Amy")
        counter = backend.counter("TPE01", "1001")
        never = _walk_every_customer_page(backend, counter, line)
    lines = capture.lines()[already:]

    entries = [json.loads(line) for line in lines]
    assert all(len(line.splitlines()) == 1 for line in lines)
    paths = {(e.get("method"), e.get("path"), e.get("status")) for e in entries}
    for seen in [
        ("GET", "/r/[redacted]", 303),
        ("GET", "/b/reset/[redacted]", 303),
        (
            "GET",
            "/line/callback?code=[redacted]&state=[redacted]&friendship_status_changed=[redacted]",
            303,
        ),
        ("GET", "/api/v1/customers/[redacted]", 404),
        ("GET", "/api/v1/customers/search?phone=[redacted]", 200),
    ]:
        assert seen in paths, seen
    text = "\n".join(lines)
    for name, secret in never.items():
        assert secret.lower() not in text.lower(), f"the log holds the {name}"
    assert ledger.leaks(lines) == []


def _walk_every_customer_page(
    backend: LiveBackend, counter: Counter, line: FakeLine
) -> dict[str, str]:
    """Registration with LINE, bind with LINE, "Forgot password?" and its reset link."""
    never: dict[str, str] = {}
    # Sign-up: the SMS link, the form, LINE, the last page.
    assert counter.invite("0933.111.222").status_code == 201
    link = latest_link(backend, "+886933111222")
    never["registration link token"] = link.rsplit("/", 1)[1]
    line.user(add_friend=True)
    phone = Phone(backend)
    phone.open(link)
    done = phone.submit(
        "/r",
        name="林小華",
        email="Hua.Lin@example.tw",
        password="s3cret-passw0rd",
        password_confirm="s3cret-passw0rd",
        terms="1",
    )
    assert done.url == backend.url("/r/done"), done.text
    never["password"] = "s3cret-passw0rd"

    # A member binds on the counter's QR code: signs in by e-mail, LINE, details, done.
    member = add_member(backend, E164, "Mei", email="mei@example.com")
    binding = bind_now(counter, member)
    never["bind link token"] = binding["qr_url"].rsplit("/", 1)[1]
    line.user(add_friend=False)
    phone = Phone(backend)
    phone.open(binding["qr_url"])
    # Signed in, the LINE step offers LINE's button; the member takes it: LINE's state, nonce,
    # code and tokens pass through the log too.
    assert "Log in with LINE" in visible(sign_in(phone, identifier="mei@example.com"))
    assert "Check your details" in visible(phone.open(backend.url("/b/line")))
    assert confirm(phone).url == backend.url("/b/done")

    # "Forgot password?" on a new bind link, the reset link opened in the SMS app's browser.
    phone = Phone(backend)
    phone.open(bind_now(counter, member)["qr_url"])
    phone.open(backend.url("/b/forgot"))
    assert phone.submit("/b/forgot").status_code == 200
    reset = latest_link(backend, E164)
    assert "/b/reset/" in reset
    never["reset token"] = reset.rsplit("/", 1)[1]
    sms_browser = Phone(backend)
    sms_browser.open(reset)
    changed = sms_browser.submit(
        "/b/reset", password="n3w-passw0rd", password_confirm="n3w-passw0rd"
    )
    assert changed.status_code == 200, changed.text
    never["new password"] = "n3w-passw0rd"

    # What a counter or a stranger may send: phones in any spelling, in a path, a token as the
    # request id, a line separator in the address.
    for spelling in ("0912.345.678", "+886 912 345 678", "０９１２３４５６７８"):
        assert counter.search(phone=spelling)["total"] == 1
    assert counter.search(email="MEI@example.com")["total"] == 1
    assert counter.get("/api/v1/customers/0912345678").status_code == 404
    counter.get("/api/v1/customers/search", params={"email": "hua@localhost"})
    stray = secrets.token_urlsafe(16)
    never["token sent as a request id"] = stray
    backend.http.get(backend.url("/api/v1/health"), headers={"X-Request-Id": stray}, timeout=10)
    backend.http.get(backend.url(f"/r/{stray[:8]}%E2%80%A8forged"), timeout=10)
    never["token in a mistyped link"] = stray[:8]

    never |= {
        "phone digits": "912345678",
        "dotted phone": "0933.111.222",
        "phone": "933111222",
        "e-mail": "mei@example.com",
        "e-mail without a dot": "hua@localhost",
        "e-mail as typed": "Hua.Lin@example.tw",
    }
    return never


def test_every_query_name_a_page_reads_by_hand_is_one_the_log_keeps():
    """The access log keeps only known query names: a name the code reads from the raw query
    (``query_params.get("x")``, ``query.get("x")``) must be among them, or its log line would
    hide which parameter came."""
    import re
    from pathlib import Path

    from omo_backend.app import HAND_READ_QUERY_NAMES

    read = set()
    for path in Path("omo_backend").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"query(?:_params)?\.get\(\s*\"([a-z_]+)\"", text))
    assert read, "the pattern still finds the hand-read names"
    assert read <= HAND_READ_QUERY_NAMES, read - HAND_READ_QUERY_NAMES
