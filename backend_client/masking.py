"""Masking personal data for screens: one rule for the server's replies and the app's own text."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException

_DIGITS = re.compile(r"\d")


def mask_phone(e164: str | None) -> str | None:
    """``+886912345678`` → ``+886 9•••••678``: enough for the customer to recognise it."""
    if not e164:
        return None
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return "•" * max(0, len(e164) - 3) + e164[-3:]
    national = str(parsed.national_number)
    keep_head = 1 if len(national) > 6 else 0
    hidden = len(national) - keep_head - 3
    return f"+{parsed.country_code} {national[:keep_head]}{'•' * hidden}{national[-3:]}"


def mask_email(email: str | None) -> str | None:
    """``amy.chen@example.com`` → ``a•••••••@e••••••.com``."""
    if not email or "@" not in email:
        return None
    # The domain follows the last "@": a quoted name may hold one ("a@b"@example.com).
    local, _, domain = email.rpartition("@")
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = host[:1] + "•" * max(1, len(host) - 1)
    return f"{local[:1]}{'•' * max(1, len(local) - 1)}@{masked_host}{dot}{tld}"


def mask_typed_phone(raw: str) -> str:
    """What staff typed, not yet parsed (``0912 345 678``) → ``09•••••678``.

    Used where the app shows a number the backend has not answered for (offline, nobody found).
    """
    digits = "".join(_DIGITS.findall(raw))
    if raw.strip().startswith("+"):
        return mask_phone("+" + digits) or ""
    if len(digits) <= 5:
        return "•" * len(digits)
    return f"{digits[:2]}{'•' * (len(digits) - 5)}{digits[-3:]}"
