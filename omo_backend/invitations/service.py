"""Invitations: the registration SMS sent from the counter, and its life until registered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend_client.schemas import InvitationStatus
from omo_backend import audit, ratelimit, security
from omo_backend.actor import Actor
from omo_backend.customers import service as customer_service
from omo_backend.errors import Conflict, Gone, NotFound, ValidationFailed
from omo_backend.messaging import outbox
from omo_backend.messaging.wording import validity
from omo_backend.models import Invitation, Message, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.phones import normalise_phone, phone_region
from omo_backend.settings import Settings

_ORDER = [
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.OPENED,
    InvitationStatus.REGISTERED,
]

# Short enough that a store name and the link fit one segment (70 UCS-2 characters): each
# extra segment is billed. ``valid`` is OMO_REGISTRATION_TTL_SECONDS in words.
SMS_TEXT = {
    "zh_TW": "【{store}】加入會員（{valid}有效）{url}",
    "en": "{store}: become a member (link valid {valid}) {url}",
}


def registration_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/r/{token}"


def sms_text(*, store: Store, url: str, ttl_seconds: int) -> str:
    language = store.locale if store.locale in SMS_TEXT else "en"
    return SMS_TEXT[language].format(
        store=store.name, url=url, valid=validity(ttl_seconds, language)
    )


def allowed_region_or_raise(*, settings: Settings, e164: str) -> None:
    region = phone_region(e164)
    if region not in settings.allowed_sms_regions:
        raise ValidationFailed(
            "SMS cannot be sent to numbers in this country.",
            code="country_not_allowed",
            details={"field": "phone", "region": region},
        )


def create(
    *, session: Session, settings: Settings, actor: Actor, phone: str
) -> tuple[Invitation, Message]:
    """The invitation and its SMS, queued in the caller's transaction."""
    e164 = normalise_phone(phone, settings.default_country, mobile_only=True)
    allowed_region_or_raise(settings=settings, e164=e164)
    ratelimit.lock_for_send(session=session, phone=e164, store_id=actor.store_id)
    # Retired first: a merged-away account keeps its number and is still a member's row.
    if customer_service.is_retired(session=session, kind="phone", value=e164):
        raise Conflict("This number was merged away and can't sign up.", code="identifier_retired")
    customer = customer_service.find_by_phone(session=session, e164=e164)
    if customer is not None and customer.is_member:
        raise Conflict(
            "This number belongs to a member already: use Bind now.",
            code="already_member",
            details={"customer_id": customer.id},
        )
    ratelimit.check_sms_allowed(
        session=session,
        settings=settings,
        phone=e164,
        store_id=actor.store_id,
        device_id=actor.device_id,
    )
    store = session.get_one(Store, actor.store_id)
    invitation, token = open_invitation(
        session=session,
        actor=actor,
        store=store,
        phone=e164,
        customer_id=customer.id if customer else None,
        ttl=timedelta(seconds=settings.registration_ttl_seconds),
    )
    message = outbox.enqueue_sms(
        session=session,
        to=e164,
        body=sms_text(
            store=store,
            url=registration_url(settings, token),
            ttl_seconds=settings.registration_ttl_seconds,
        ),
        purpose="registration",
        provider=settings.sms_provider,
        store_id=actor.store_id,
        device_id=actor.device_id,
        staff_id=actor.staff_id,
        invitation_id=invitation.id,
    )
    audit.by_actor(
        session=session,
        actor=actor,
        action="invitation.created",
        subject_type="invitation",
        subject_id=invitation.id,
        details={"customer_id": invitation.customer_id},
    )
    session.flush()
    session.refresh(invitation)
    return invitation, message


def open_invitation(
    *,
    session: Session,
    actor: Actor,
    store: Store,
    phone: str,
    customer_id: int | None,
    ttl: timedelta,
) -> tuple[Invitation, str]:
    """A new invitation to the registration page and its link's token (only its hash kept);
    sent by SMS from the counter, or by e-mail to a past buyer (members/past_buyers.py)."""
    token = security.new_token(16)
    now = utcnow()
    invitation = Invitation(
        phone=phone,
        token_hash=security.hash_token(token),
        status=InvitationStatus.QUEUED.value,
        customer_id=customer_id,
        store_id=store.id,
        staff_id=actor.staff_id,
        device_id=actor.device_id,
        locale=store.locale,
        expires_at=now + ttl,
        created_at=now,
        updated_at=now,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def get_for_actor_or_raise(*, session: Session, actor: Actor, invitation_id: int) -> Invitation:
    invitation = find_by_id(session, Invitation, invitation_id)
    if invitation is None or invitation.store_id != actor.store_id:
        raise NotFound("No such invitation.", code="invitation_not_found")
    return invitation


def latest_message(*, session: Session, invitation_id: int) -> Message | None:
    return session.scalar(
        select(Message).where(Message.invitation_id == invitation_id).order_by(Message.id.desc())
    )


def needs_expiry(invitation: Invitation) -> bool:
    status = InvitationStatus(invitation.status)
    return not status.is_final and invitation.expires_at <= utcnow()


def set_status(invitation: Invitation, status: InvitationStatus) -> None:
    invitation.status = status.value
    invitation.version += 1
    invitation.updated_at = utcnow()


def advance(invitation: Invitation, status: InvitationStatus) -> bool:
    """Move forward along queued → sent → opened → registered, never back."""
    current = InvitationStatus(invitation.status)
    if current.is_final or _ORDER.index(status) <= _ORDER.index(current):
        return False
    set_status(invitation, status)
    return True


def mark_received(*, session: Session, actor: Actor, invitation_id: int) -> Invitation:
    invitation = get_for_actor_or_raise(session=session, actor=actor, invitation_id=invitation_id)
    if invitation.received_at is None:
        invitation.received_at = utcnow()
        audit.by_actor(
            session=session,
            actor=actor,
            action="invitation.received",
            subject_type="invitation",
            subject_id=invitation.id,
        )
    return invitation


def cancel(*, session: Session, actor: Actor, invitation_id: int) -> Invitation:
    invitation = get_for_actor_or_raise(session=session, actor=actor, invitation_id=invitation_id)
    status = InvitationStatus(invitation.status)
    if status is InvitationStatus.REGISTERED:
        raise Conflict("The customer has registered already.", code="already_registered")
    if not status.is_final:
        set_status(invitation, InvitationStatus.CANCELLED)
        audit.by_actor(
            session=session,
            actor=actor,
            action="invitation.cancelled",
            subject_type="invitation",
            subject_id=invitation.id,
        )
    return invitation


def find_by_token_or_raise(*, session: Session, token: str) -> Invitation:
    """The invitation a link points to, if the link can still be used."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == security.hash_token(token))
    )
    if invitation is None:
        raise NotFound("This link is not valid.", code="link_unknown")
    usable_or_raise(invitation)
    return invitation


def usable_or_raise(invitation: Invitation) -> None:
    status = InvitationStatus(invitation.status)
    if status is InvitationStatus.REGISTERED:
        raise Gone(
            "This link has been used.", code="link_used", details={"store_id": invitation.store_id}
        )
    if status.is_final or invitation.expires_at <= utcnow():
        raise Gone(
            "This link has expired.", code="link_expired", details={"store_id": invitation.store_id}
        )


def mark_opened(*, session: Session, invitation: Invitation) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = utcnow()
    advance(invitation, InvitationStatus.OPENED)


def complete_registration(
    *, session: Session, invitation: Invitation, registration: customer_service.Registration
) -> None:
    locked = session.get_one(Invitation, invitation.id, with_for_update={"of": Invitation})
    usable_or_raise(locked)
    customer = customer_service.register_member(
        session=session,
        phone=locked.phone,
        registration=registration,
        store_id=locked.store_id,
        staff_id=locked.staff_id,
        device_id=locked.device_id,
        channel="registration_page",
    )
    locked.customer_id = customer.id
    locked.registered_at = utcnow()
    set_status(locked, InvitationStatus.REGISTERED)
    # Other open invitations to this phone can no longer lead anywhere.
    session.execute(
        update(Invitation)
        .where(
            Invitation.phone == locked.phone,
            Invitation.id != locked.id,
            Invitation.status.in_([s.value for s in _ORDER[:3]]),
        )
        .values(
            status=InvitationStatus.CANCELLED.value,
            failure_code="registered_elsewhere",
            version=Invitation.version + 1,
            updated_at=utcnow(),
        )
    )
