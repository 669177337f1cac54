"""Personal data on screens: the server's replies masked, the number staff just typed in full.

The number staff typed is shown whole (grouped) so they can read it back to the customer
before an SMS goes to it; everything the server sends about a customer is masked.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException


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


# National numbers typed at the counter are read as Taiwanese, as the backend's
# OMO_DEFAULT_COUNTRY does by default; one typed with "+" carries its own country.
TYPED_PHONE_REGION = "TW"


def group_typed_phone(raw: str, region: str = TYPED_PHONE_REGION) -> str:
    """What staff typed, in full and grouped to be read back: ``0912345678`` → ``0912 345 678``.

    Only for the number staff just typed (to check it before an SMS goes out); a number
    from the server is shown with ``mask_phone``. Typed with "+": ``+886 912 345 678``. A
    number that does not parse is shown as typed, its spaces tidied.
    """
    typed = " ".join(raw.split())
    try:
        parsed = phonenumbers.parse(typed, region)
    except NumberParseException:
        return typed
    if not phonenumbers.is_possible_number(parsed):
        return typed
    style = (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if typed.startswith("+")
        else phonenumbers.PhoneNumberFormat.NATIONAL
    )
    return phonenumbers.format_number(parsed, style)
