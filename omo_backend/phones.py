"""Phone numbers and e-mail addresses: parsing to one form, and masking for screens and logs."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from omo_backend.errors import ValidationFailed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_phone(raw: str, default_region: str, *, mobile_only: bool = False) -> str:
    """``0912 345 678`` and ``+886912345678`` both become ``+886912345678``."""
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except NumberParseException as exc:
        raise ValidationFailed(
            "That is not a phone number.", code="invalid_phone", details={"field": "phone"}
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(
            "That is not a valid phone number.", code="invalid_phone", details={"field": "phone"}
        )
    if mobile_only and phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise ValidationFailed(
            "That is not a mobile number.", code="not_mobile", details={"field": "phone"}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, default_region: str) -> str | None:
    try:
        return normalise_phone(raw, default_region)
    except ValidationFailed:
        return None


def phone_region(e164: str) -> str | None:
    region: str | None = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    return region


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValidationFailed(
            "That is not an e-mail address.", code="invalid_email", details={"field": "email"}
        )
    return email


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
    local, _, domain = email.partition("@")
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = host[:1] + "•" * max(1, len(host) - 1)
    return f"{local[:1]}{'•' * max(1, len(local) - 1)}@{masked_host}{dot}{tld}"
