"""Binding sessions: "Bind now" shows a QR link that binds a member to the store as referral."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend_client.schemas import BindingStatus, LineOutcome, WebhookEvent
from omo_backend import audit, ratelimit, security
from omo_backend.actor import Actor
from omo_backend.customers.service import bind_referral_once, is_retired
from omo_backend.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotFound,
    ValidationFailed,
)
from omo_backend.invitations.service import allowed_region_or_raise
from omo_backend.messaging import outbox
from omo_backend.models import BindingSession, Customer, Referral, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.phones import normalise_email, normalise_phone
from omo_backend.settings import Settings
from omo_backend.webhooks import events as webhook_events

_ORDER = [
    BindingStatus.PENDING,
    BindingStatus.SCANNED,
    BindingStatus.SIGNED_IN,
    BindingStatus.LINE_LINKED,
    BindingStatus.COMPLETED,
]

# Wrong sign-ins on one binding's links (all browsers together) before the links lock.
SIGN_IN_MAX_FAILURES = 5

SMS_TEXT = {
    "zh_TW": "【{store}】登入會員完成綁定 {url}",
    "en": "{store}: sign in to link your membership {url}",
}


def bind_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/b/{token}"


def create(
    *, session: Session, settings: Settings, actor: Actor, customer_id: int
) -> tuple[BindingSession, str]:
    """A new binding session and its QR link (the only time the link exists in clear)."""
    customer = find_by_id(session, Customer, customer_id)
    if customer is None or customer.merged_into_id is not None:
        raise NotFound("No such customer.", code="customer_not_found")
    if not customer.is_member:
        raise Conflict("This customer is not a member yet: use Sign up.", code="not_member")
    token = security.new_token(16)
    now = utcnow()
    binding = BindingSession(
        customer_id=customer.id,
        token_hash=security.hash_token(token),
        status=BindingStatus.PENDING.value,
        store_id=actor.store_id,
        staff_id=actor.staff_id,
        device_id=actor.device_id,
        expires_at=now + timedelta(seconds=settings.binding_ttl_seconds),
        created_at=now,
        updated_at=now,
    )
    session.add(binding)
    session.flush()
    audit.by_actor(
        session=session,
        actor=actor,
        action="binding.created",
        subject_type="binding",
        subject_id=binding.id,
        details={"customer_id": customer.id},
    )
    session.refresh(binding)
    return binding, bind_url(settings, token)


def get_for_actor_or_raise(*, session: Session, actor: Actor, binding_id: int) -> BindingSession:
    binding = find_by_id(session, BindingSession, binding_id)
    if binding is None or binding.store_id != actor.store_id:
        raise NotFound("No such binding.", code="binding_not_found")
    return binding


def set_status(binding: BindingSession, status: BindingStatus) -> None:
    binding.status = status.value
    binding.version += 1
    binding.updated_at = utcnow()


def advance(binding: BindingSession, status: BindingStatus) -> bool:
    current = BindingStatus(binding.status)
    if current.is_final or _ORDER.index(status) <= _ORDER.index(current):
        return False
    set_status(binding, status)
    if status is BindingStatus.COMPLETED:
        binding.completed_at = utcnow()
    return True


def note_line_outcome(binding: BindingSession, outcome: LineOutcome) -> None:
    """How the LINE step went: ``linked`` moves the binding on; the counter sees any of them."""
    binding.line_outcome = outcome.value
    if outcome is LineOutcome.LINKED and advance(binding, BindingStatus.LINE_LINKED):
        return
    set_status(binding, BindingStatus(binding.status))  # same status, new version: wakes polls


def needs_expiry(binding: BindingSession) -> bool:
    return not BindingStatus(binding.status).is_final and binding.expires_at <= utcnow()


def send_sms(
    *, session: Session, settings: Settings, actor: Actor, binding_id: int
) -> BindingSession:
    """ "Can't scan? Try SMS invitation": a second link to the same binding, by SMS."""
    binding = get_for_actor_or_raise(session=session, actor=actor, binding_id=binding_id)
    if BindingStatus(binding.status).is_final or binding.expires_at <= utcnow():
        raise Conflict("This binding has ended: start Bind now again.", code="binding_closed")
    customer = session.get_one(Customer, binding.customer_id)
    if customer.phone is None:
        raise ValidationFailed("This member has no phone number.", code="no_phone")
    allowed_region_or_raise(settings=settings, e164=customer.phone)
    ratelimit.lock_for_send(session=session, phone=customer.phone, store_id=actor.store_id)
    ratelimit.check_sms_allowed(
        session=session,
        settings=settings,
        phone=customer.phone,
        store_id=actor.store_id,
        device_id=actor.device_id,
    )
    token = security.new_token(16)
    binding.sms_token_hash = security.hash_token(token)
    binding.sms_sent = True
    store = session.get_one(Store, actor.store_id)
    template = SMS_TEXT.get(store.locale, SMS_TEXT["en"])
    outbox.enqueue_sms(
        session=session,
        to=customer.phone,
        body=template.format(store=store.name, url=bind_url(settings, token)),
        purpose="binding",
        provider=settings.sms_provider,
        store_id=actor.store_id,
        device_id=actor.device_id,
        staff_id=actor.staff_id,
        binding_id=binding.id,
    )
    audit.by_actor(
        session=session,
        actor=actor,
        action="binding.sms_sent",
        subject_type="binding",
        subject_id=binding.id,
    )
    session.flush()
    return binding


def cancel(*, session: Session, actor: Actor, binding_id: int) -> BindingSession:
    binding = get_for_actor_or_raise(session=session, actor=actor, binding_id=binding_id)
    status = BindingStatus(binding.status)
    if status is BindingStatus.COMPLETED:
        raise Conflict("This binding is complete.", code="binding_completed")
    if not status.is_final:
        set_status(binding, BindingStatus.CANCELLED)
        audit.by_actor(
            session=session,
            actor=actor,
            action="binding.cancelled",
            subject_type="binding",
            subject_id=binding.id,
        )
    return binding


def find_by_token_or_raise(*, session: Session, token: str) -> BindingSession:
    digest = security.hash_token(token)
    binding = session.scalar(
        select(BindingSession).where(
            or_(BindingSession.token_hash == digest, BindingSession.sms_token_hash == digest)
        )
    )
    if binding is None:
        raise NotFound("This link is not valid.", code="link_unknown")
    _open_or_raise(binding)
    return binding


def get_open_or_raise(
    *, session: Session, binding_id: int | None, locked_ok: bool = False
) -> BindingSession:
    """The binding a bind page's session belongs to, while its links may still be used.

    ``locked_ok``: a link locked by wrong passwords is still open for "Forgot password?" (the
    reset link goes to the member's own phone or e-mail, never to the page).
    """
    binding = session.get(BindingSession, binding_id) if binding_id is not None else None
    if binding is None:
        raise NotFound("This link is not valid.", code="link_unknown")
    _open_or_raise(binding, locked_ok=locked_ok)
    return binding


def _open_or_raise(binding: BindingSession, *, locked_ok: bool = False) -> None:
    status = BindingStatus(binding.status)
    # The store lets the page that says so wear the store's name and colour.
    store = {"store_id": binding.store_id}
    if status is BindingStatus.COMPLETED:
        raise Gone("This link has been used.", code="link_used", details=store)
    if status.is_final or binding.expires_at <= utcnow():
        raise Gone("This link has expired.", code="link_expired", details=store)
    if is_locked(binding) and not locked_ok:
        raise DomainError("Too many wrong sign-ins.", code="link_locked", status=429, details=store)


def is_locked(binding: BindingSession) -> bool:
    return binding.sign_in_failures >= SIGN_IN_MAX_FAILURES


# The one refusal for an identifier and password that don't sign in the member the counter found.
SIGN_IN_FAILED = "sign_in_failed"


@dataclass(frozen=True)
class SignInRefused:
    """Why a sign-in failed: the form field to mark and the message code for it."""

    field: str
    code: str
    tries_left: int


def _account(*, session: Session, identifier: str, default_region: str) -> Customer | None:
    """The member an identifier names: a mobile number (local or +country form) or e-mail."""
    if "@" in identifier:
        key = Customer.email == normalise_email(identifier)
    else:
        key = Customer.phone == normalise_phone(identifier, default_region)
    return session.scalar(
        select(Customer).where(key, Customer.is_member, Customer.merged_into_id.is_(None))
    )


def sign_in(
    *,
    session: Session,
    binding: BindingSession,
    identifier: str,
    password: str,
    default_region: str,
) -> Customer | SignInRefused:
    """The member signs in on the bind link with the account they registered.

    Only the member the counter found may sign in. Every refused account or password counts
    against the binding (and is kept: the caller commits a refusal too); the last one locks it.
    """
    # Locked: of two sign-ins at once each counts, and the lock is checked after the other.
    locked = session.get_one(
        BindingSession, binding.id, with_for_update={"of": BindingSession}, populate_existing=True
    )
    _open_or_raise(locked)
    tries_left = SIGN_IN_MAX_FAILURES - locked.sign_in_failures
    identifier = identifier.strip()
    if not identifier:
        return SignInRefused("identifier", "required", tries_left)
    if not password:
        return SignInRefused("password", "required", tries_left)
    try:
        account = _account(session=session, identifier=identifier, default_region=default_region)
    except ValidationFailed:
        return SignInRefused("identifier", "identifier_invalid", tries_left)
    # One answer and the same work for every mismatch (an identifier no member has, another
    # member's, a wrong password): one password hash checked, one failure counted, one message,
    # so neither the reply nor its timing tells whose phone or e-mail is a member's.
    # (The stand-in is asked for first on every path: its one-time making costs them all alike.)
    stand_in = _stand_in_hash()
    member = account if account is not None and account.id == locked.customer_id else None
    stored = member.password_hash if member is not None else None
    right = security.verify_secret(stored or stand_in, password)
    if member is None or stored is None or not right:
        locked.sign_in_failures += 1
        audit.record(
            session=session,
            action="binding.sign_in_failed",
            store_id=locked.store_id,
            subject_type="binding",
            subject_id=locked.id,
            # For the store's own records only: the member is never told which it was.
            details={
                "reason": _mismatch(account=account, member=member),
                "locked": is_locked(locked),
            },
        )
        return SignInRefused("password", SIGN_IN_FAILED, tries_left - 1)
    advance(locked, BindingStatus.SIGNED_IN)
    audit.record(
        session=session,
        action="binding.signed_in",
        store_id=locked.store_id,
        staff_id=locked.staff_id,
        device_id=locked.device_id,
        subject_type="binding",
        subject_id=locked.id,
        details={"customer_id": member.id},
    )
    return member


@functools.cache
def _stand_in_hash() -> str:
    """A password hash of nobody's, checked when there is no member's to check."""
    return security.hash_secret(security.new_token())


def _mismatch(*, account: Customer | None, member: Customer | None) -> str:
    if account is None:
        return "account_unknown"
    return "account_other" if member is None else "password_wrong"


@dataclass(frozen=True)
class MemberDetails:
    """What the member confirms on the bind link's personal-information step."""

    name: str
    birthday: date | None
    # Only taken when the member has no e-mail yet; changing one is not done here.
    email: str | None


def confirm_details(
    *,
    session: Session,
    binding: BindingSession,
    signed_in_id: int | None,
    details: MemberDetails,
    via: str,
) -> Referral:
    """The member's details, then :func:`complete`: the last step on the bind link."""
    if signed_in_id is None or signed_in_id != binding.customer_id:
        raise Forbidden("Sign in first.", code="session_missing")
    customer = session.get_one(Customer, binding.customer_id)
    if details.email and customer.email is None:
        if is_retired(session=session, kind="email", value=details.email):
            raise Conflict(
                "This e-mail can no longer be used.",
                code="identifier_retired",
                details={"field": "email"},
            )
        owner = session.scalar(select(Customer).where(Customer.email == details.email))
        if owner is not None and owner.id != customer.id:
            raise Conflict(
                "This e-mail belongs to another customer.",
                code="email_taken" if owner.is_member else "email_in_use",
                details={"field": "email"},
            )
        customer.email = details.email
    customer.name = details.name
    customer.name_search = details.name.lower()
    customer.birthday = details.birthday
    return complete(session=session, binding=binding, via=via)


def link_via(*, binding: BindingSession, token: str) -> str:
    """Which of the binding's links ``token`` is: the QR code's or the SMS's."""
    return "sms" if binding.sms_token_hash == security.hash_token(token) else "qr"


def complete(*, session: Session, binding: BindingSession, via: str) -> Referral:
    """The member confirmed: bind the referral (once and forever) and finish the binding.

    Returns the member's referral, which is an earlier one, unchanged, if there was one.
    """
    # Locked and re-read: of two confirmations at once, the second finds the link used.
    locked = session.get_one(
        BindingSession, binding.id, with_for_update={"of": BindingSession}, populate_existing=True
    )
    _open_or_raise(locked)
    # Locked so that two bindings of one member finishing at once cannot both insert.
    customer = session.get_one(
        Customer, locked.customer_id, with_for_update={"of": Customer}, populate_existing=True
    )
    existed = session.get(Referral, customer.id) is not None
    referral = bind_referral_once(
        session=session,
        customer=customer,
        store_id=locked.store_id,
        staff_id=locked.staff_id,
        device_id=locked.device_id,
        via=via,
    )
    advance(locked, BindingStatus.COMPLETED)
    audit.record(
        session=session,
        action="binding.completed",
        store_id=locked.store_id,
        staff_id=locked.staff_id,
        device_id=locked.device_id,
        subject_type="binding",
        subject_id=locked.id,
        details={
            "customer_id": customer.id,
            "via": via,
            "referral_store_id": referral.store_id,
            "referral_already_bound": existed,
        },
    )
    webhook_events.emit(
        session=session,
        event=WebhookEvent.MEMBER_BOUND,
        data={
            "member_id": customer.id,
            "via": via,
            "store_code": locked.store.code,
            # The member's referral: this store's, or the earlier one that stands.
            "referral": webhook_events.referral_data(referral),
            "referral_already_bound": existed,
        },
    )
    session.flush()
    return referral
