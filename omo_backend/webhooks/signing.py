"""The ``OMO-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``.

A receiver recomputes the HMAC over the timestamp, a dot and the raw body it got, compares in
constant time, and refuses a timestamp more than ``REPLAY_WINDOW_SECONDS`` away from its own
clock: a captured delivery replayed later fails even with its signature intact. Each retry is
signed anew, with a fresh timestamp, so a late retry is not refused for its age.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "OMO-Signature"
DELIVERY_HEADER = "OMO-Delivery-Id"
EVENT_HEADER = "OMO-Event"
REPLAY_WINDOW_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, *, now: float) -> bool:
    """What a receiver does (the tests' receiver uses it; README "Webhooks" shows it)."""
    parts = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    stamp = parts.get("t", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(stamp), body), parts.get("v1", ""))
