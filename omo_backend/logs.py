"""Structured logs with a request id, and a last line of defence against personal data.

We never log phone numbers, e-mails or tokens on purpose; the redacting filter catches what
slips through (a library's message, an exception text) before it reaches a handler. The
access log goes further: it writes an address only in words the app itself routes by
(``access_target``), so a token in a path can't reach it whatever route carries it.
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REDACTED = "[redacted]"

# A run of 8+ digits with spaces, dashes or dots, "+" or URL-encoded "%2B" first. Not inside
# a word (an id like "outbox-1234567890abcdef") or after a "/" (an id in a path followed by a
# status: "/invitations/12345 200"), with ASCII-only word characters because Chinese text
# often runs straight into a number; and not an ISO date.
_PHONE = re.compile(
    r"(?:%2[Bb]|(?<![A-Za-z0-9_/])\+?)(?!\d{4}-\d\d-\d\d(?!\d))"
    r"\d[\d \-.]{6,}\d(?![A-Za-z0-9_])"
)
# In a path a space ends the segment, so there a phone is 8+ digits with dashes or dots:
# /api/v1/customers/0912345678 is a phone number, not an id.
_PATH_PHONE = re.compile(
    r"(?<=/)(?:%2[Bb]|\+)?(?!\d{4}-\d\d-\d\d(?!\d))\d[\d\-.]{6,}\d(?![A-Za-z0-9_])"
)
# The domain needs no dot: a@localhost is an address too. "%40" is an "@" in a URL.
_EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)*")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9_\-.]+", re.IGNORECASE)
# An integration API key anywhere (a query, a pasted header): its prefix stays, to tell
# keys apart.
_API_KEY = re.compile(r"(omo_[0-9a-f]{8}_)[A-Za-z0-9_\-]+")
# Every segment after a customer-page prefix, at any depth (/b/reset/<token>), unless it is a
# route word; route words are lowercase words, random tokens never are (and what is already
# redacted stays as it is).
# The prefix starts an address's path (after the host, or on its own), so a file's path
# (omo_backend/line/client.py in a traceback) is no customer link.
_CUSTOMER_PATH = re.compile(
    r"((?:[A-Za-z][A-Za-z0-9+.\-]*://[^/\s?#]+|(?<![\w.\-]))/(?:r|b|line))"
    r"((?:/[^/\s?#\"'<>]+)+)"
)
_ROUTE_WORD = re.compile(r"\[?[a-z]+\]?")
# Any path segment shaped like a token (long, with a capital or a digit), whatever the prefix
# in front of it: a customer link added later is covered before anyone lists it.
_TOKEN_SEGMENT = re.compile(
    r"(?<=/)(?=[A-Za-z0-9_\-]*[A-Z0-9])[A-Za-z0-9_\-]{16,}(?![A-Za-z0-9_\-])"
)
_QUERY_PII = re.compile(r"((?:phone|email|name|to)=)[^&\s]+", re.IGNORECASE)
# Every value of a query string: names stay readable, values go.
_QUERY_VALUE = re.compile(r"([?&][^=&\s#?]+=)[^&\s#]*")


def _customer_segments(match: re.Match[str]) -> str:
    segments = match[2].split("/")[1:]
    kept = [s if _ROUTE_WORD.fullmatch(s) else "[token]" for s in segments]
    return match[1] + "".join("/" + s for s in kept)


def _phone_or_number(match: re.Match[str]) -> str:
    text = match[0]
    digits = sum(c.isdigit() for c in text)
    if digits < 8:
        return text
    if "." in text and not text.startswith(("+", "%")):
        # One dot and nothing else is a decimal number; four groups can be an IPv4 address.
        if text.count(".") == 1 and not any(c in " -" for c in text):
            return text
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            pass
        else:
            return text
    return "[phone]"


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1[token]", text)
    text = _API_KEY.sub(r"\1[key]", text)
    text = _CUSTOMER_PATH.sub(_customer_segments, text)
    text = _TOKEN_SEGMENT.sub("[token]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PATH_PHONE.sub(_phone_or_number, text)
    text = _PHONE.sub(_phone_or_number, text)
    # After the phones: a spaced phone after "phone=" must go whole, not just up to its
    # first space.
    text = _QUERY_PII.sub(r"\1" + REDACTED, text)
    return _QUERY_VALUE.sub(r"\1" + REDACTED, text)


# --- the access log's address -----------------------------------------------------------------

# Ids in an address are short; 8 digits and more are phone-shaped, as in ``redact``.
_ID_SEGMENT = re.compile(r"[1-9]\d{0,6}")
# Parameter names are short lowercase words; a random token as a name is not one of them.


def route_words(route_paths: Iterable[str]) -> frozenset[str]:
    """The literal segments of the app's routes (``/b/reset/{token}`` gives "b", "reset")."""
    return frozenset(
        segment
        for path in route_paths
        for segment in path.split("/")
        if segment and "{" not in segment
    )


def access_target(path: str, query: str, words: frozenset[str]) -> str:
    """The address as the access log writes it: route words and short ids, nothing else.

    Every other path segment (a link token, a phone, a name in a mistyped URL) becomes
    ``[redacted]``; the query keeps the names of parameters the app declares (they are in
    ``words``), never their values, and no other name (``?0912345678`` is a phone).
    """
    segments = [
        s if not s or s in words or _ID_SEGMENT.fullmatch(s) else REDACTED for s in path.split("/")
    ]
    target = "/".join(segments)
    if query:
        names = [pair.partition("=")[0] for pair in query.split("&") if pair]
        target += "?" + "&".join(f"{n if n in words else REDACTED}={REDACTED}" for n in names)
    return target


# --- one record, one line ---------------------------------------------------------------------

# json.dumps escapes what is below U+0020; these it leaves alone, yet str.splitlines, many log
# shippers and JavaScript end a line at them: NEL, the other C1 controls, LS and PS.
_LINE_BREAKERS = re.compile("[\x7f-\x9f\u2028\u2029]")
# What ends a line in a plain-text record's message.
_ANY_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "msg": record.getMessage(),
        }
        for key in ("event", "method", "path", "status", "duration_ms", "code"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return _LINE_BREAKERS.sub(_escape, json.dumps(entry, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """For a person at a terminal; the message still keeps to its line (a traceback may not)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = _ANY_BREAK.sub(_escape, record.message)
        return super().formatMessage(record)


# For a person at a terminal (``json_lines=False``).
TEXT_FORMAT = "%(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(
    level: str = "INFO", *, json_lines: bool = True, text_format: str = TEXT_FORMAT
) -> None:
    """Every record through the root logger's one handler (uvicorn's and Alembic's too),
    redacted; ``text_format`` lets a host process (the desktop demo) have its own lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_omo", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._omo = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter(text_format))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths (with link tokens); ours in app.py redacts them.
    logging.getLogger("uvicorn.access").disabled = True
