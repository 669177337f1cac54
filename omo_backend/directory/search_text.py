"""What ``q`` searches: one lower-cased line per customer, and a query read the same way.

``customer.search_text`` holds the name (lower-cased), the e-mail and the phone's digits in
E.164 and national form, so a phone typed as ``0912-345-678``, ``+886 912 345 678`` or
``912345678`` is a substring of it once reduced to digits. The models keep it up to date on
every insert and update (omo_backend/models/customer.py); PostgreSQL indexes it with pg_trgm,
SQLite with an FTS5 trigram table (migration 0010). No database or server imports here: the
demo and bench seeders call :func:`search_text_of` on their bulk rows too.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException

# Between the fields, so no substring runs from a name into an e-mail.
SEPARATOR = " | "
_PHONE_LIKE = re.compile(r"^[\d\s\-+().]+$")
_DIGITS = re.compile(r"\D")
# A query of at least this many characters can use the trigram index.
TRIGRAM = 3


def phone_digits(e164: str) -> list[str]:
    """``+886912345678`` → ``["886912345678", "0912345678"]``: the forms people type."""
    forms = [_DIGITS.sub("", e164)]
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return forms
    national = _DIGITS.sub(
        "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    if national and national not in forms[0]:
        forms.append(national)
    return forms


def search_text_of(name: str | None, email: str | None, phone: str | None) -> str | None:
    """The line ``q`` is matched against; None for a customer with nothing to find."""
    parts: list[str] = []
    if name:
        parts.append(name.lower())
    if email:
        parts.append(email.lower())
    if phone:
        parts.extend(phone_digits(phone))
    return SEPARATOR.join(parts) or None


def name_grams(name: str | None) -> str | None:
    """Every one- and two-character piece of each word of the name, lower-cased, as words:
    ``陳美玲`` → ``玲 美 美玲 陳 陳美``. A query too short for the trigram index (a surname, a
    two-character given name) is one of these words, which an ordinary word index finds."""
    if not name:
        return None
    grams: set[str] = set()
    for word in name.lower().split():
        grams.update(word)
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return " ".join(sorted(grams)) or None


def needle_grams(needle: str) -> list[str]:
    """The pieces of ``name_grams`` a name holding ``needle`` must have: each word's pairs
    of characters (a one-character word itself)."""
    pieces: set[str] = set()
    for word in needle.split():
        pieces.update([word] if len(word) == 1 else (word[i : i + 2] for i in range(len(word) - 1)))
    return sorted(pieces)


def search_columns(name: str | None, email: str | None, phone: str | None) -> dict[str, str | None]:
    """Both search columns of a customer row, for whoever writes rows without the ORM (a
    seeder's bulk insert): ``{"search_text": …, "search_grams": …}``."""
    return {"search_text": search_text_of(name, email, phone), "search_grams": name_grams(name)}


def is_short_word(needle: str) -> bool:
    """A needle :func:`name_grams` serves: one or two letters or digits."""
    return len(needle) < TRIGRAM and needle.isalnum()


def query_text(q: str) -> str:
    """``q`` as it is looked for: lower-cased, and only its digits when it looks like a phone
    number (``+886 912-345 678`` → ``886912345678``)."""
    text = " ".join(q.split()).lower()
    if _PHONE_LIKE.match(text):
        digits = _DIGITS.sub("", text)
        if len(digits) >= TRIGRAM:
            return digits
    return text
