"""How many SMS parts a body costs, as a carrier (and Twilio's bill) counts them.

A body that fits the GSM 03.38 alphabet travels as 7-bit septets (extension-table characters
take two: an escape and the character); anything else forces UCS-2 for the whole message.
A multi-part message spends a few characters of each part on the concatenation header, and a
character is never split across two parts, so packing is done greedily rather than by a plain
division (a trailing escape pair or surrogate pair can spill into one more part).
"""

from __future__ import annotations

# ESC (0x1B) is left out on purpose: it is the escape to the extension table, not text.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE = 160
GSM_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


def is_gsm7(body: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in body)


def sms_segments(body: str) -> int:
    """Parts needed to send ``body``; an empty body still costs one message."""
    if is_gsm7(body):
        units = [2 if ch in GSM_EXTENSION else 1 for ch in body]
        return _parts(units, single=GSM_SINGLE, part=GSM_PART)
    # UTF-16 code units: a character outside the BMP (most emoji) is a surrogate pair.
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    return _parts(units, single=UCS2_SINGLE, part=UCS2_PART)


def _parts(units: list[int], *, single: int, part: int) -> int:
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for size in units:
        if used + size > part:
            parts += 1
            used = 0
        used += size
    return parts
