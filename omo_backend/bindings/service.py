"""Binding sessions: "Bind now" shows a QR link that binds a member to the store as referral."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend_client.schemas import BindingStatus
from omo_backend import audit, ratelimit, security
from omo_backend.actor import Actor
from omo_backend.customers.service import bind_referral_once
from omo_backend.errors import Conflict, Gone, NotFound, ValidationFailed
from omo_backend.invitations.service import allowed_region_or_raise
from omo_backend.messaging import outbox
from omo_backend.models import BindingSession, Customer, Referral, Store, utcnow
from omo_backend.settings import Settings

_ORDER = [
    BindingStatus.PENDING,
    BindingStatus.SCANNED,
    BindingStatus.SIGNED_IN,
    BindingStatus.LINE_LINKED,
    BindingStatus.COMPLETED,
]

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
    customer = session.get(Customer, customer_id)
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
    binding = session.get(BindingSession, binding_id)
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


def _open_or_raise(binding: BindingSession) -> None:
    status = BindingStatus(binding.status)
    if status is BindingStatus.COMPLETED:
        raise Gone("This link has been used.", code="link_used")
    if status.is_final or binding.expires_at <= utcnow():
        raise Gone("This link has expired.", code="link_expired")


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
    session.flush()
    return referral
