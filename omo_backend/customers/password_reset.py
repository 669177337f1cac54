"""'Forgot password' on the bind link: a one-use, short-lived reset link by SMS or e-mail.

Asked for from a bind page, so only for the member the counter found: nobody types an account
name, and the page cannot be used to learn whether a number or e-mail is a member's. Each link
costs the merchant an SMS, so the asking is rate limited per member on top of the SMS limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend_client.masking import mask_email, mask_phone
from omo_backend import audit, ratelimit, security
from omo_backend.errors import DomainError, Gone, NotFound, RateLimited
from omo_backend.invitations.service import allowed_region_or_raise
from omo_backend.messaging import outbox
from omo_backend.messaging.providers import email_provider_name
from omo_backend.models import BindingSession, Customer, PasswordReset, Store, utcnow
from omo_backend.settings import Settings

RESET_TTL = timedelta(minutes=30)
# Between two links for one member, and how many a member may ask for in a day.
MIN_GAP = timedelta(seconds=60)
PER_DAY = 5

SMS_TEXT = {
    "zh_TW": "【{store}】重設會員密碼（30 分鐘內有效）{url}",
    "en": "{store}: reset your member password (valid 30 minutes) {url}",
}
EMAIL_SUBJECT = {
    "zh_TW": "重設您的 {store} 會員密碼",
    "en": "Reset your {store} member password",
}
EMAIL_BODY = {
    "zh_TW": (
        "請開啟此連結為您的 {store} 會員設定新密碼，30 分鐘內可使用一次：\n\n{url}\n\n"
        "若您並未提出此要求，請忽略此郵件。"
    ),
    "en": (
        "Open this link to choose a new password for your {store} membership. "
        "It works once, for 30 minutes:\n\n{url}\n\nIf you didn't ask for this, ignore this e-mail."
    ),
}


def reset_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/b/reset/{token}"


@dataclass(frozen=True)
class ResetSent:
    channel: str  # "sms" or "email"
    to_masked: str


def where_it_goes(member: Customer) -> ResetSent:
    """The member's phone, or their e-mail when they have no phone."""
    if member.phone:
        return ResetSent("sms", mask_phone(member.phone) or "")
    return ResetSent("email", mask_email(member.email) or "")


def request_reset(
    *, session: Session, settings: Settings, binding: BindingSession, locale: str
) -> ResetSent:
    """Send the binding's member a reset link; the caller commits."""
    # Locked: two taps at once must not both pass the per-member limit.
    member = session.get_one(
        Customer, binding.customer_id, with_for_update={"of": Customer}, populate_existing=True
    )
    _check_rate(session=session, member_id=member.id, now=utcnow())
    sent = where_it_goes(member)
    if sent.channel == "sms":
        assert member.phone is not None
        allowed_region_or_raise(settings=settings, e164=member.phone)
    elif member.email is None:
        raise DomainError("This member has no phone or e-mail.", code="no_contact")
    store = session.get_one(Store, binding.store_id)
    language = locale if locale in SMS_TEXT else "en"
    send_link(
        session=session,
        settings=settings,
        member=member,
        store=store,
        sent=sent,
        words=LinkWords(SMS_TEXT[language], EMAIL_SUBJECT[language], EMAIL_BODY[language]),
        purpose="password_reset",
        expires_at=utcnow() + RESET_TTL,
        binding_id=binding.id,
    )
    audit.record(
        session=session,
        action="password_reset.requested",
        store_id=store.id,
        subject_type="customer",
        subject_id=member.id,
        details={"channel": sent.channel, "binding_id": binding.id},
    )
    session.flush()
    return sent


@dataclass(frozen=True)
class LinkWords:
    """A link message's words in one language, with ``{store}`` and ``{url}`` to fill."""

    sms: str
    email_subject: str
    email_body: str


def send_link(
    *,
    session: Session,
    settings: Settings,
    member: Customer,
    store: Store,
    sent: ResetSent,
    words: LinkWords,
    purpose: str,
    expires_at: datetime,
    binding_id: int | None = None,
    device_id: int | None = None,
    staff_id: int | None = None,
) -> None:
    """Queue a one-use set-password link to ``member`` by ``sent.channel``, counted against the
    SMS limits, and keep only its token's hash; the reset link and the first-login link of a
    member added by the store (omo_backend/members/enrolment.py) both go this way."""
    token = security.new_token(16)
    url = reset_url(settings, token)
    if sent.channel == "sms":
        assert member.phone is not None
        ratelimit.lock_for_send(session=session, phone=member.phone, store_id=store.id)
        ratelimit.check_sms_allowed(
            session=session,
            settings=settings,
            phone=member.phone,
            store_id=store.id,
            device_id=device_id,
        )
        outbox.enqueue_sms(
            session=session,
            to=member.phone,
            body=words.sms.format(store=store.name, url=url),
            purpose=purpose,
            provider=settings.sms_provider,
            store_id=store.id,
            device_id=device_id,
            staff_id=staff_id,
        )
    else:
        assert member.email is not None
        outbox.enqueue_email(
            session=session,
            to=member.email,
            subject=words.email_subject.format(store=store.name),
            body=words.email_body.format(store=store.name, url=url),
            purpose=purpose,
            provider=email_provider_name(settings),
            store_id=store.id,
            device_id=device_id,
            staff_id=staff_id,
        )
    session.add(
        PasswordReset(
            token_hash=security.hash_token(token),
            customer_id=member.id,
            binding_id=binding_id,
            channel=sent.channel,
            expires_at=expires_at,
        )
    )


def _check_rate(*, session: Session, member_id: int, now: datetime) -> None:
    asked = list(
        session.scalars(
            select(PasswordReset.created_at)
            .where(
                PasswordReset.customer_id == member_id,
                PasswordReset.created_at > now - timedelta(days=1),
            )
            .order_by(PasswordReset.created_at.desc())
        )
    )
    if asked and asked[0] > now - MIN_GAP:
        wait = math.ceil((asked[0] + MIN_GAP - now).total_seconds())
        raise _limited("reset_wait", wait)
    if len(asked) >= PER_DAY:
        wait = math.ceil((asked[PER_DAY - 1] + timedelta(days=1) - now).total_seconds())
        raise _limited("reset_too_many", wait)


def _limited(code: str, retry_after: int) -> RateLimited:
    return RateLimited(
        "Too many reset links asked for.",
        retry_after=retry_after,
        details={"scope": "member"},
        code=code,
    )


def find_usable_or_raise(*, session: Session, token: str) -> PasswordReset:
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == security.hash_token(token))
    )
    if reset is None:
        raise NotFound("This link is not valid.", code="link_unknown")
    _usable_or_raise(reset)
    return reset


def _usable_or_raise(reset: PasswordReset) -> None:
    if reset.used_at is not None:
        raise Gone("This reset link has been used.", code="reset_link_used")
    if reset.expires_at <= utcnow():
        raise Gone("This reset link has expired.", code="reset_link_expired")


def set_password(*, session: Session, reset_id: int, password_hash: str) -> Customer:
    """Spend the link and set the new password; the member's other open links die with it."""
    reset = session.get_one(
        PasswordReset, reset_id, with_for_update={"of": PasswordReset}, populate_existing=True
    )
    _usable_or_raise(reset)
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.customer_id == reset.customer_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    member = session.get_one(Customer, reset.customer_id)
    member.password_hash = password_hash
    audit.record(
        session=session,
        action="password_reset.done",
        store_id=None,
        subject_type="customer",
        subject_id=member.id,
        details={"channel": reset.channel},
    )
    session.flush()
    return member
