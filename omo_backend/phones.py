"""Phone numbers and e-mail addresses parsed to one form (masking lives in backend_client)."""

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
