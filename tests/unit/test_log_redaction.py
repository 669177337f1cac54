"""The last line of defence: whatever slips into a log line loses phones, e-mails and tokens."""

from __future__ import annotations

import io
import json
import logging
import secrets
import uuid
from collections.abc import Iterator

import pytest

from omo_backend.logs import (
    JsonFormatter,
    RedactingFilter,
    access_target,
    configure_logging,
    redact,
    request_id_var,
    route_words,
)


@pytest.mark.parametrize(
    "phone",
    [
        "+886912345678",
        "0912345678",
        "912345678",
        "886912345678",
        "0912 345 678",
        "0912-345-678",
        "+886 912 345 678",
        "+886-912-345-678",
        "%2B886912345678",
        "０９１２３４５６７８",
        "02 2345 6789",
        "0912.345.678",
        "+886.912.345.678",
    ],
)
def test_a_phone_number_in_any_usual_form_is_redacted(phone: str):
    for line in (
        f"sending to {phone}",
        f"provider said: invalid 'To' number {phone}.",
        f'{{"to": "{phone}"}}',
        f"手機{phone}號碼無效",
        f"to={phone}",
        f"GET /api/v1/customers/{phone} 404",
    ):
        cleaned = redact(line)
        assert phone not in cleaned, cleaned
        assert "345" not in cleaned, cleaned
        assert "３４５" not in cleaned, cleaned


def test_an_e_mail_address_is_redacted():
    line = "duplicate key: Amy.Chen+promo@mail.example.com.tw already exists"
    assert redact(line) == "duplicate key: [email] already exists"
    # Chinese text running into the address may go with it; the address must.
    cleaned = redact("寄給amy@example.com失敗")
    assert "amy" not in cleaned
    assert "example" not in cleaned


def test_an_e_mail_address_without_a_dot_in_its_domain_or_url_encoded_is_redacted():
    assert redact("mail to amy@localhost failed") == "mail to [email] failed"
    assert redact("/b/forgot?who=amy%40example.com") == "/b/forgot?who=[redacted]"
    assert redact("from amy%40mail.example.com") == "from [email]"


def test_the_token_of_a_customer_link_is_redacted_but_the_route_stays_readable():
    token = secrets.token_urlsafe(16)
    assert redact(f"GET /r/{token} 303") == "GET /r/[token] 303"
    assert (
        redact(f"https://shop.example/b/{token}?x=1")
        == "https://shop.example/b/[token]?x=[redacted]"
    )
    assert redact("GET /r/done 200") == "GET /r/done 200", "short fixed routes are not tokens"


@pytest.mark.parametrize(
    "path",
    [
        "/b/reset/{token}",
        "/r/{token}/line",
        "/line/callback/{token}",
        "/b/x/y/{token}",
        "/r/{short}",
        "/somewhere/new/{token}",
    ],
)
def test_every_segment_after_a_customer_prefix_and_any_token_shaped_segment_is_redacted(
    path: str,
):
    token, short = secrets.token_urlsafe(16), "ab-12"
    line = f"GET {path.format(token=token, short=short)} 303"
    cleaned = redact(line)
    assert token not in cleaned, cleaned
    assert short not in cleaned, cleaned
    assert "[token]" in cleaned
    assert redact(cleaned) == cleaned, "redacting twice changes nothing"


def test_a_files_path_is_no_customer_link():
    line = 'File "/work/app/omo_backend/line/client.py", line 137, in new_login_request'
    assert redact(line) == line


def test_route_words_after_a_customer_prefix_stay():
    for line in ("GET /b/reset 200", "GET /b/line/skip 303", "GET /line/callback 303"):
        assert redact(line) == line


def test_an_api_key_is_redacted_wherever_it_is_and_keeps_its_prefix():
    from omo_backend.security import new_api_key

    key = new_api_key()
    secret = key[13:]
    for line in (
        f"Authorization: Bearer {key}",
        f"GET /api/v1/orders?key={key} 401",
        f"pasted {key} into the POS",
    ):
        cleaned = redact(line)
        assert secret not in cleaned, cleaned
    assert redact(f"pasted {key} here") == f"pasted {key[:13]}[key] here"


def test_a_bearer_token_is_redacted():
    token = secrets.token_urlsafe(32)
    assert redact(f"Authorization: Bearer {token}") == "Authorization: Bearer [token]"
    assert redact(f"authorization: bearer {token}.sig") == "authorization: bearer [token]"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/api/v1/customers/search?phone=0912abc", "/api/v1/customers/search?phone=[redacted]"),
        ("/search?email=amy%40example.com&limit=5", "/search?email=[redacted]&limit=[redacted]"),
        ("/search?name=%E6%9E%97&x=1", "/search?name=[redacted]&x=[redacted]"),
        (
            "/api/v1/dev/messages?to=%2B886912345678&limit=5",
            "/api/v1/dev/messages?to=[redacted]&limit=[redacted]",
        ),
        ("/search?PHONE=123", "/search?PHONE=[redacted]"),
        ("/line/callback?code=abc&state=xyz", "/line/callback?code=[redacted]&state=[redacted]"),
        (
            "/invitations/7?wait=25&known_status=sent",
            "/invitations/7?wait=[redacted]&known_status=[redacted]",
        ),
    ],
)
def test_every_query_value_is_redacted_whatever_it_looks_like(line: str, expected: str):
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/health 200",
        "POST /api/v1/invitations 201 in 35.27 ms",
        "duration_ms=1234.56 status=429 retry_after=600",
        "message 12 failed on attempt 3 (timeout after 10.0s)",
        "dispatch pass failed (OperationalError); trying again in 6.4s",
        "locked until 2026-05-04T10:11:12.123+00:00",
        "expires 2026-05-04 10:11:12",
        "listening on 127.0.0.1:8000, worker 4242",
        "1234567 rows",
        "message 7 sent (provider id outbox-1234567890abcdef0123456789abcdef)",
        "request 20240504a1b2c3d4 took 3 ms",
        "GET /api/v1/invitations/1234567 200",
        "GET /api/v1/invitations/12345 200",
        "took 12345.678 ms",
        "peer 192.168.100.200 closed",
        "version 3.12.10",
        "/usr/lib/python3.12/site-packages/starlette/routing.py",
    ],
)
def test_ordinary_numbers_are_kept(line: str):
    assert redact(line) == line


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger wired like ``configure_logging`` does, writing JSON lines to a buffer."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def test_a_log_record_is_redacted_after_formatting_its_arguments(json_log):
    logger, out = json_log
    token = request_id_var.set("req-42")
    try:
        logger.info("sms to %s for %s failed", "+886912345678", "amy@example.com")
    finally:
        request_id_var.reset(token)
    entry = json.loads(out.getvalue())
    assert entry["msg"] == "sms to [phone] for [email] failed"
    assert entry["request_id"] == "req-42"
    assert entry["level"] == "info"


def test_an_exceptions_text_is_redacted_too(json_log):
    logger, out = json_log
    try:
        raise ValueError("no customer with phone 0912-345-678 or e-mail amy@example.com")
    except ValueError:
        logger.exception("lookup failed")
    entry = json.loads(out.getvalue())
    assert entry["msg"] == "lookup failed"
    assert "ValueError: no customer with phone [phone] or e-mail [email]" in entry["exc"]
    assert "345" not in out.getvalue()
    assert "amy@" not in out.getvalue()


def test_a_line_outside_any_request_says_so(json_log):
    logger, out = json_log
    logger.warning("dispatcher started")
    entry = json.loads(out.getvalue())
    assert entry["request_id"] == "-"
    assert set(entry) >= {"ts", "level", "logger", "request_id", "msg"}


@pytest.fixture
def root_logging() -> Iterator[None]:
    """``configure_logging`` changes the process's root logger: put it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    uvicorn_access = logging.getLogger("uvicorn.access").disabled
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = uvicorn_access


@pytest.mark.parametrize("json_lines", [True, False])
def test_configured_logging_redacts_and_names_the_request_in_either_format(
    root_logging, capsys, json_lines: bool
):
    configure_logging("DEBUG", json_lines=json_lines)
    rid = uuid.uuid4().hex
    token = request_id_var.set(rid)
    try:
        logging.getLogger("omo_backend.test").debug("texting %s", "0912-345-678")
    finally:
        request_id_var.reset(token)

    [line] = capsys.readouterr().err.splitlines()
    assert "0912" not in line
    assert "[phone]" in line
    assert rid in line
    if json_lines:
        assert json.loads(line)["request_id"] == rid


# --- the access log's address ----------------------------------------------------------------

WORDS = route_words(
    [
        "/api/v1/invitations/{invitation_id}",
        "/api/v1/customers/search",
        "/b/reset/{token}",
        "/b/reset",
        "/r/{token}",
        "/line/callback",
        "/openapi.json",
    ]
) | {"wait", "known_status", "lang", "code", "state"}  # the query names the routes declare


@pytest.mark.parametrize(
    ("path", "query", "logged"),
    [
        (
            "/api/v1/invitations/42",
            "wait=25&known_status=sent",
            "/api/v1/invitations/42?wait=[redacted]&known_status=[redacted]",
        ),
        ("/b/reset/{token}", "", "/b/reset/[redacted]"),
        ("/r/{token}", "lang=en", "/r/[redacted]?lang=[redacted]"),
        (
            "/line/callback",
            "code={token}&state={token}",
            "/line/callback?code=[redacted]&state=[redacted]",
        ),
        ("/api/v1/customers/0912345678", "", "/api/v1/customers/[redacted]"),
        ("/api/v1/customers/amy@example.com", "", "/api/v1/customers/[redacted]"),
        ("/new/customer/link/{token}/", "", "/[redacted]/[redacted]/[redacted]/[redacted]/"),
        ("/openapi.json", "", "/openapi.json"),
        (
            "/api/v1/customers/search",
            "{token}=1&0912345678=2",
            "/api/v1/customers/search?[redacted]=[redacted]&[redacted]=[redacted]",
        ),
        # A name no route declares is not kept, however harmless it looks.
        (
            "/api/v1/dev/messages",
            "__proto__=1&to=x",
            "/api/v1/[redacted]/[redacted]?[redacted]=[redacted]&[redacted]=[redacted]",
        ),
    ],
)
def test_the_access_log_writes_an_address_in_route_words_and_short_ids_only(
    path: str, query: str, logged: str
):
    token = secrets.token_urlsafe(16)
    target = access_target(path.format(token=token), query.format(token=token), WORDS)
    assert target == logged
    assert redact(target) == target, "nothing left for the last line of defence"


def test_route_words_are_the_literal_segments_of_the_routes():
    assert route_words(["/b/reset/{token}", "/api/v1/health", "/"]) == {
        "b",
        "reset",
        "api",
        "v1",
        "health",
    }


# --- one record, one line --------------------------------------------------------------------


@pytest.mark.parametrize("breaker", ["\n", "\r", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"])
def test_a_json_record_stays_one_line_whatever_its_message_holds(json_log, breaker: str):
    logger, out = json_log
    logger.warning('first%ssecond: {"forged": true}', breaker)
    text = out.getvalue()
    assert text.endswith("\n")
    [line] = text[:-1].splitlines()
    assert json.loads(line)["msg"] == f'first{breaker}second: {{"forged": true}}'


@pytest.mark.parametrize("breaker", ["\n", "\r", "\x85", "\u2028"])
def test_a_plain_text_message_stays_on_its_line(root_logging, capsys, breaker: str):
    configure_logging("INFO", json_lines=False)
    logging.getLogger("omo_backend.test").warning("first%sINFO forged line", breaker)
    [line] = capsys.readouterr().err.splitlines()
    assert "forged line" in line
