"""Structured logs with a request id, and a last line of defence against personal data.

We never log phone numbers, e-mails or tokens on purpose; the redacting filter catches what
slips through (a library's message, an exception text) before it reaches a handler.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# A run of 8+ digits with spaces or dashes, "+" or URL-encoded "%2B" first. Not inside a word
# (an id like "outbox-1234567890abcdef") or a path segment, with ASCII-only word characters
# because Chinese text often runs straight into a number; and not an ISO date.
_PHONE = re.compile(
    r"(?:%2[Bb]|(?<![A-Za-z0-9_/])\+?)(?!\d{4}-\d\d-\d\d(?!\d))"
    r"\d[\d \-]{6,}\d(?![A-Za-z0-9_])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Customer links and bearer tokens: the path segment after /r/ or /b/, Bearer values.
_LINK_TOKEN = re.compile(r"(/[rb]/)[A-Za-z0-9_\-]{8,}")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9_\-.]+", re.IGNORECASE)
_QUERY_PII = re.compile(r"((?:phone|email|name|to)=)[^&\s]+", re.IGNORECASE)


def redact(text: str) -> str:
    text = _LINK_TOKEN.sub(r"\1[token]", text)
    text = _BEARER.sub(r"\1[token]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m[0]) >= 8 else m[0], text)
    # Last: a spaced phone after "phone=" must go whole, not just up to its first space.
    return _QUERY_PII.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
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
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_omo", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._omo = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths (with link tokens); ours in app.py redacts them.
    logging.getLogger("uvicorn.access").disabled = True
