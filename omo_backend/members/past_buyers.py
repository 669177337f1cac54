"""E-mail invitations to past buyers (``POST /members/invitations``): a manager picks customers
who bought but never joined, and each gets an e-mail with a link to the registration page.

Each invitation is an ``Invitation`` like the counter's SMS one (same page, same rules, the
referral bound to the inviting store and manager on sign-up), for the buyer's phone on record:
the registration page signs up a phone number, so a buyer known by e-mail alone is skipped
(``no_phone``). A buyer with an invitation still open is skipped (``already_invited``), so
asking twice sends nothing twice, with or without the same ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.schemas import InvitationStatus, InviteResult, InviteSkipCode, InviteSkipped
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.customers.service import is_retired
from omo_backend.invitations.service import open_invitation, registration_url
from omo_backend.messaging import outbox
from omo_backend.messaging.providers import email_provider_name
from omo_backend.models import Customer, Invitation, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.settings import Settings

EMAIL_SUBJECT = {
    "zh_TW": "邀請您加入 {store} 會員",
    "en": "Join {store} as a member",
}
EMAIL_BODY = {
    "zh_TW": "感謝您在 {store} 購物！誠摯邀請您加入會員，累積點數並享有會員優惠。"
    "請開啟此連結完成註冊（{days} 天內有效）：\n\n{url}\n\n若您不想加入，請忽略此郵件。",
    "en": "Thank you for shopping at {store}! Join as a member to collect points and get "
    "member offers. Open this link to sign up (valid {days} days):\n\n{url}\n\n"
    "If you'd rather not, ignore this e-mail.",
}
_OPEN = [InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.OPENED]


def _skip_code(session: Session, customer: Customer | None) -> InviteSkipCode | None:
    """Why this customer gets no invitation, or None when they get one."""
    if customer is None or customer.merged_into_id is not None or customer.erased_at is not None:
        return InviteSkipCode.NOT_FOUND
    if customer.is_member:
        return InviteSkipCode.ALREADY_MEMBER
    if not customer.email:
        return InviteSkipCode.NO_EMAIL
    if not customer.phone:
        return InviteSkipCode.NO_PHONE
    if is_retired(session=session, kind="phone", value=customer.phone):
        return InviteSkipCode.IDENTIFIER_RETIRED
    still_open = session.scalar(
        select(Invitation.id)
        .where(
            Invitation.phone == customer.phone,
            Invitation.status.in_([s.value for s in _OPEN]),
            Invitation.expires_at > utcnow(),
        )
        .limit(1)
    )
    return InviteSkipCode.ALREADY_INVITED if still_open is not None else None


def invite(
    *, session: Session, settings: Settings, actor: Actor, customer_ids: list[int]
) -> InviteResult:
    """Invite each past buyer once; the e-mails go out through the outbox."""
    store = session.get_one(Store, actor.store_id)
    language = store.locale if store.locale in EMAIL_BODY else "en"
    ttl = timedelta(seconds=settings.member_invitation_ttl_seconds)
    sent: list[int] = []
    skipped: list[InviteSkipped] = []
    for customer_id in dict.fromkeys(customer_ids):
        customer = find_by_id(session, Customer, customer_id)
        if customer is not None:
            session.refresh(customer, with_for_update={"of": Customer})
        code = _skip_code(session, customer)
        if code is not None or customer is None:
            skipped.append(InviteSkipped(id=customer_id, code=code or InviteSkipCode.NOT_FOUND))
            continue
        assert customer.phone is not None
        assert customer.email is not None
        invitation, token = open_invitation(
            session=session,
            actor=actor,
            store=store,
            phone=customer.phone,
            customer_id=customer.id,
            ttl=ttl,
        )
        outbox.enqueue_email(
            session=session,
            to=customer.email,
            subject=EMAIL_SUBJECT[language].format(store=store.name),
            body=EMAIL_BODY[language].format(
                store=store.name, url=registration_url(settings, token), days=ttl.days
            ),
            purpose="member_invitation",
            provider=email_provider_name(settings),
            store_id=store.id,
            device_id=actor.device_id,
            staff_id=actor.staff_id,
            invitation_id=invitation.id,
        )
        sent.append(customer.id)
    audit.by_actor(
        session=session,
        actor=actor,
        action="members.invited",
        subject_type="store",
        subject_id=store.id,
        details={
            "sent": sent,
            "skipped": [{"id": s.id, "code": s.code.value} for s in skipped],
        },
    )
    return InviteResult(sent=sent, skipped=skipped)
