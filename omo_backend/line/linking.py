"""The LINE step of the customer pages: from a page session to LINE Login and back to a member.

A trip starts on a page the member has reached (signed in on a bind link, or registered) and
is kept on the server, found again by its ``state``: LINE may hand the phone back to a
different browser than the one that left (its app opens links in a browser of its own), so
LINE's answer is recorded whichever browser brings it. The ``state`` is no sign-in, though:
the member's pages go on only in the browser that left, which the pages know by a cookie.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.schemas import BindingStatus, LineOutcome
from omo_backend import audit, security
from omo_backend.bindings import service as binding_service
from omo_backend.customers.service import is_retired
from omo_backend.errors import Gone, NotFound
from omo_backend.line.client import (
    CallbackKind,
    exchange_code,
    friendship_status,
    new_login_request,
    parse_callback,
    verify_id_token,
)
from omo_backend.line.errors import LineError
from omo_backend.models import (
    BindingSession,
    Customer,
    Invitation,
    LineLogin,
    PageSession,
    Store,
    utcnow,
)
from omo_backend.settings import Settings

log = logging.getLogger(__name__)

# Time to read LINE's consent screen, tap "Allow" and "Add friend".
TRIP_TTL = timedelta(minutes=10)
CALLBACK_PATH = "/line/callback"


def callback_url(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}{CALLBACK_PATH}"


def start(*, session: Session, settings: Settings, page: PageSession) -> str:
    """A new trip for ``page``: the URL of LINE's consent screen to send the phone to."""
    request = new_login_request(settings, redirect_uri=callback_url(settings))
    session.add(
        LineLogin(
            state_hash=security.hash_token(request.state),
            page_session_id=page.id,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            expires_at=min(utcnow() + TRIP_TTL, page.expires_at),
        )
    )
    return request.authorize_url


@dataclass(frozen=True)
class Trip:
    """A spent trip, read in one go: what the callback needs after its transaction ends."""

    page_session_id: int
    nonce: str
    code_verifier: str


def claim(*, session: Session, state: str) -> Trip:
    """The trip ``state`` names, spent: a second callback with the same state finds it used."""
    login = (
        session.scalar(
            select(LineLogin)
            .where(LineLogin.state_hash == security.hash_token(state))
            .with_for_update()
        )
        if state
        else None
    )
    if login is None:
        raise NotFound("This LINE sign-in is not ours.", code="line_state_unknown")
    if login.used_at is not None:
        raise Gone("This LINE sign-in was already used.", code="line_trip_used")
    if login.expires_at <= utcnow():
        raise Gone("This LINE sign-in took too long.", code="line_trip_expired")
    login.used_at = utcnow()
    return Trip(login.page_session_id, login.nonce, login.code_verifier)


@dataclass(frozen=True)
class LineAnswer:
    """What LINE said, before we hold it against our members."""

    outcome: LineOutcome
    user_id: str | None = None
    friend: bool | None = None
    reason: str | None = None  # an error code for the audit log, never a token


def ask_line(settings: Settings, *, query: dict[str, str], state: str, trip: Trip) -> LineAnswer:
    """The callback's query sorted out, and, when LINE said yes, the member's LINE user id.

    Talks to LINE over the network: call it outside any database transaction.
    """
    callback = parse_callback(query, expected_state=state)
    if callback.kind is CallbackKind.CANCELLED:
        return LineAnswer(LineOutcome.CANCELLED, reason=callback.error)
    if callback.kind is not CallbackKind.OK or callback.code is None:
        return LineAnswer(LineOutcome.FAILED, reason=callback.error or str(callback.kind))
    try:
        tokens = exchange_code(
            settings,
            code=callback.code,
            redirect_uri=callback_url(settings),
            code_verifier=trip.code_verifier,
        )
        claims = verify_id_token(settings, tokens.id_token, nonce=trip.nonce)
    except LineError as exc:
        log.warning("LINE login failed: %s", exc.code)
        return LineAnswer(LineOutcome.FAILED, reason=exc.code)
    try:
        friend: bool | None = friendship_status(settings, access_token=tokens.access_token)
    except LineError as exc:
        # The login itself holds: friendship stays unknown rather than failing the member.
        log.warning("LINE friendship status unavailable: %s", exc.code)
        friend = None
    return LineAnswer(LineOutcome.LINKED, user_id=claims.sub, friend=friend)


def member_of(*, session: Session, page: PageSession) -> Customer | None:
    """The member a page session speaks for: signed in on a bind link, or just registered."""
    if page.kind == "binding":
        binding = session.get_one(BindingSession, page.binding_id)
        if page.customer_id is None or page.customer_id != binding.customer_id:
            return None
        return session.get_one(Customer, binding.customer_id)
    invitation = session.get_one(Invitation, page.invitation_id)
    return session.get(Customer, invitation.customer_id) if invitation.customer_id else None


def store_of(*, session: Session, page: PageSession) -> Store:
    """The store whose link the page session was opened from."""
    if page.binding_id is not None:
        store_id = session.get_one(BindingSession, page.binding_id).store_id
    else:
        store_id = session.get_one(Invitation, page.invitation_id).store_id
    return session.get_one(Store, store_id)


def record(
    *, session: Session, page: PageSession, answer: LineAnswer, same_browser: bool
) -> LineOutcome:
    """Hold LINE's answer against our members, and tell the counter on a bind link.

    A LINE account already linked to another member is refused (``taken``); the member's own
    earlier LINE account is replaced by the one they just signed in with. ``same_browser``
    (LINE came back to the browser that left for it) is kept in the audit log: a link finished
    elsewhere is LINE's own browser, or someone the member passed the link to.
    """
    outcome = answer.outcome
    member = member_of(session=session, page=page)
    if member is None:
        raise NotFound("Sign in first.", code="session_missing")
    if outcome is LineOutcome.LINKED and answer.user_id is not None:
        owner = session.scalar(select(Customer).where(Customer.line_user_id == answer.user_id))
        retired = is_retired(session=session, kind="line", value=answer.user_id)
        if retired or (owner is not None and owner.id != member.id):
            # A LINE account merged away is another member's for ever, like one linked.
            outcome = LineOutcome.TAKEN
        else:
            member.line_user_id = answer.user_id
            member.line_friend = answer.friend
            member.line_linked_at = utcnow()
    binding = (
        session.get_one(BindingSession, page.binding_id) if page.binding_id is not None else None
    )
    if binding is not None and not BindingStatus(binding.status).is_final:
        binding_service.note_line_outcome(binding, outcome)
    audit.record(
        session=session,
        action="line.linked" if outcome is LineOutcome.LINKED else "line.not_linked",
        store_id=binding.store_id if binding is not None else None,
        staff_id=binding.staff_id if binding is not None else None,
        subject_type="customer",
        subject_id=member.id,
        details={
            "outcome": str(outcome),
            "friend": answer.friend,
            "reason": answer.reason,
            "page": page.kind,
            "same_browser": same_browser,
        },
    )
    session.flush()
    return outcome
