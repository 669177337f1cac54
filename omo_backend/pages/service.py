"""Page sessions: a link's token is exchanged once for a session kept on the server.

State lives on the server, tied to the invitation or binding, so a second browser (or an
incognito window) that opens the same link gets a session of its own and still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.schemas import BindingStatus, LineOutcome, is_single_line
from omo_backend import security
from omo_backend.bindings.service import MemberDetails
from omo_backend.errors import NotFound, ValidationFailed
from omo_backend.models import Invitation, PageSession, utcnow
from omo_backend.phones import normalise_email
from omo_backend.settings import Settings


def open_session(
    *,
    session: Session,
    kind: str,
    ttl_seconds: int,
    invitation_id: int | None = None,
    binding_id: int | None = None,
    link_via: str | None = None,
    customer_id: int | None = None,
    reset_id: int | None = None,
) -> str:
    sid = security.new_token()
    session.add(
        PageSession(
            sid_hash=security.hash_token(sid),
            kind=kind,
            invitation_id=invitation_id,
            binding_id=binding_id,
            link_via=link_via,
            customer_id=customer_id,
            reset_id=reset_id,
            csrf_token=security.new_token(16),
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    return sid


def find_or_raise(*, session: Session, sid: str | None, kind: str) -> PageSession:
    if sid:
        page = session.scalar(
            select(PageSession).where(PageSession.sid_hash == security.hash_token(sid))
        )
        if page is not None and page.kind == kind and page.expires_at > utcnow():
            return page
    raise NotFound("Open the link again.", code="session_missing")


def invitation_of(*, session: Session, page: PageSession) -> Invitation:
    return session.get_one(Invitation, page.invitation_id)


# "none": straight on to the member's details; "go": send the member to LINE first;
# "problem": LINE went wrong (cancelled, account taken, LINE trouble): try again or skip it.
LineStep = Literal["none", "go", "problem"]


def line_step(
    *, settings: Settings, status: BindingStatus, outcome: LineOutcome | None
) -> LineStep:
    """Where the LINE step stands on the bind link, between sign-in and the member's details.

    With a LINE channel configured the seed's flow sends the signed-in member to LINE's
    consent page ("Allow", then "Add friend") and back through ``/line/callback``, which moves
    the binding to ``line_linked``; without a channel the step is skipped.
    """
    if not settings.line_enabled or status is not BindingStatus.SIGNED_IN:
        return "none"
    if outcome is None:
        return "go"
    if outcome in (LineOutcome.SKIPPED, LineOutcome.LINKED):
        return "none"
    return "problem"


@dataclass(frozen=True)
class RegistrationForm:
    name: str
    email: str
    birthday: str
    password: str
    password_confirm: str
    terms: bool
    marketing: bool


@dataclass(frozen=True)
class CleanRegistration:
    name: str
    email: str | None
    birthday: date | None
    password: str
    marketing: bool


# The message key for a field holding what no text field may (see ``schemas.SingleLine``).
NOT_ONE_LINE = "not_one_line"


def unstorable_fields(**fields: str) -> dict[str, str]:
    """The fields that hold control characters or line breaks, each with its message key."""
    return {name: NOT_ONE_LINE for name, value in fields.items() if not is_single_line(value)}


def redisplayed(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """A refused form's values to show again: all the customer typed but the unstorable text."""
    return {k: "" if errors.get(k) == NOT_ONE_LINE else v for k, v in values.items()}


def _clean_name(raw: str, errors: dict[str, str]) -> str:
    name = raw.strip()
    if "name" in errors:
        return name
    if not name:
        errors["name"] = "required"
    elif len(name) > 100:
        errors["name"] = "name_too_long"
    return name


def _clean_email(raw: str, errors: dict[str, str]) -> str | None:
    if "email" in errors or not raw.strip():
        return None
    try:
        return normalise_email(raw)
    except ValidationFailed:
        errors["email"] = "invalid_email"
        return None


# The earliest birthday the pages take (and list).
FIRST_BIRTH_YEAR = 1900


def birthday_given(*, birthday: str, year: str, month: str, day: str) -> str:
    """The birthday as sent: the form's three lists as "YYYY-M-D" (a part left empty stays
    empty), or else one ``birthday`` field in ISO form (an older page, or an API caller)."""
    parts = (year.strip(), month.strip(), day.strip())
    return "-".join(parts) if any(parts) else birthday


def _clean_birthday(raw: str, errors: dict[str, str]) -> date | None:
    if "birthday" in errors or not raw.strip():
        return None
    parts = raw.strip().split("-")
    if len(parts) == 3 and any(not part for part in parts):
        errors["birthday"] = "birthday_incomplete"
        return None
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        errors["birthday"] = "invalid_birthday"
        return None
    year, month, day = (int(part) for part in parts)
    try:
        birthday = date(year, month, day)
    except ValueError:
        no_such_day = 1 <= month <= 12 and 1 <= day <= 31 and 1 <= year <= 9999
        errors["birthday"] = "birthday_no_such_day" if no_such_day else "invalid_birthday"
        return None
    if birthday >= utcnow().date() or birthday.year < FIRST_BIRTH_YEAR:
        errors["birthday"] = "invalid_birthday"
        return None
    return birthday


def validate(form: RegistrationForm) -> CleanRegistration | dict[str, str]:
    """The clean form, or the message key for each field that is wrong."""
    errors = unstorable_fields(name=form.name, email=form.email, birthday=form.birthday)
    name = _clean_name(form.name, errors)
    email = _clean_email(form.email, errors)
    birthday = _clean_birthday(form.birthday, errors)
    if len(form.password) < 8:
        errors["password"] = "password_short"  # noqa: S105 (a message key)
    elif form.password != form.password_confirm:
        errors["password_confirm"] = "password_mismatch"  # noqa: S105 (a message key)
    if not form.terms:
        errors["terms"] = "terms_required"
    if errors:
        return errors
    return CleanRegistration(
        name=name,
        email=email,
        birthday=birthday,
        password=form.password,
        marketing=form.marketing,
    )


@dataclass(frozen=True)
class DetailsForm:
    """The bind link's personal-information step; ``email`` only when the member has none."""

    name: str
    birthday: str
    email: str


def validate_details(form: DetailsForm) -> MemberDetails | dict[str, str]:
    """The clean details, or the message key for each field that is wrong."""
    errors = unstorable_fields(name=form.name, email=form.email, birthday=form.birthday)
    details = MemberDetails(
        name=_clean_name(form.name, errors),
        birthday=_clean_birthday(form.birthday, errors),
        email=_clean_email(form.email, errors),
    )
    return errors or details
