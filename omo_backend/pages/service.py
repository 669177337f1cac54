"""Page sessions: a link's token is exchanged once for a session kept on the server.

State lives on the server, tied to the invitation, so a second browser (or an incognito
window) that opens the same link gets a session of its own and still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from omo_backend import security
from omo_backend.errors import NotFound, ValidationFailed
from omo_backend.models import Invitation, PageSession, utcnow
from omo_backend.phones import normalise_email


def open_session(
    *,
    session: Session,
    kind: str,
    ttl_seconds: int,
    invitation_id: int | None = None,
    binding_id: int | None = None,
) -> str:
    sid = security.new_token()
    session.add(
        PageSession(
            sid_hash=security.hash_token(sid),
            kind=kind,
            invitation_id=invitation_id,
            binding_id=binding_id,
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


def validate(form: RegistrationForm) -> CleanRegistration | dict[str, str]:
    """The clean form, or the message key for each field that is wrong."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = "required"
    elif len(name) > 100:
        errors["name"] = "name_too_long"
    email: str | None = None
    if form.email.strip():
        try:
            email = normalise_email(form.email)
        except ValidationFailed:
            errors["email"] = "invalid_email"
    birthday: date | None = None
    if form.birthday.strip():
        try:
            birthday = date.fromisoformat(form.birthday.strip())
        except ValueError:
            errors["birthday"] = "invalid_birthday"
        else:
            if birthday >= utcnow().date() or birthday.year < 1900:
                errors["birthday"] = "invalid_birthday"
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
