"""Members made without the counter flow: added by a manager (``POST /members``) or by a POS's
order (``add_as_member``), and the first-login message that lets them choose a password.

The message carries a one-use link to the customers' set-password page; it is the "Forgot
password" link's mechanism (omo_backend/customers/password_reset.py: only the token's hash
kept, spent on use), valid longer (``OMO_FIRST_LOGIN_TTL_SECONDS``), and the page greets a
member who has no password yet as a newcomer. It goes by SMS to a mobile number the merchant
may text, else by e-mail, through the outbox and the SMS limits like every message.

No referral is bound: a referral only comes from the counter flow (API.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.masking import mask_email, mask_phone
from backend_client.schemas import WebhookEvent
from omo_backend.actor import Actor
from omo_backend.callers import Caller, audit_by
from omo_backend.customers import password_reset
from omo_backend.customers.service import is_retired
from omo_backend.errors import Conflict, ValidationFailed
from omo_backend.members import levels
from omo_backend.models import Customer, Level, Store, utcnow
from omo_backend.phones import normalise_email, normalise_phone, phone_region
from omo_backend.settings import Settings
from omo_backend.webhooks import events as webhook_events

SMS_TEXT = {
    "zh_TW": "【{store}】歡迎加入會員！請設定您的密碼：{url}",
    "en": "{store}: welcome, you are a member! Set your password: {url}",
}
EMAIL_SUBJECT = {
    "zh_TW": "歡迎加入 {store} 會員",
    "en": "Welcome to {store}",
}
EMAIL_BODY = {
    "zh_TW": "您已成為 {store} 的會員。請開啟此連結設定密碼（連結可使用一次）：\n\n{url}\n\n"
    "若您並未申請，請忽略此郵件。",
    "en": "You are now a member of {store}. Open this link to set your password "
    "(it works once):\n\n{url}\n\nIf you didn't expect this, ignore this e-mail.",
}


@dataclass(frozen=True)
class NewMember:
    name: str | None
    phone: str | None
    email: str | None
    birthday: date | None
    level: str | None


def parse_or_raise(
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
    birthday: date | None,
    level: str | None,
    default_region: str,
) -> NewMember:
    e164 = normalise_phone(phone, default_region) if phone else None
    address = normalise_email(email) if email else None
    if e164 is None and address is None:
        raise ValidationFailed(
            "A member needs a phone number or an e-mail.", code="phone_or_email_required"
        )
    if birthday is not None and birthday >= utcnow().date():
        raise ValidationFailed(
            "A birthday is a date in the past.",
            code="invalid_birthday",
            details={"field": "birthday"},
        )
    clean = name.strip() if name and name.strip() else None
    return NewMember(clean, e164, address, birthday, level)


def _holder_or_raise(session: Session, new: NewMember) -> Customer | None:
    """The past buyer who becomes the member, None for someone new; or why not."""
    by_phone = by_email = None
    if new.phone:
        if is_retired(session=session, kind="phone", value=new.phone):
            raise Conflict(
                "This phone number was merged away and can't sign up.",
                code="identifier_retired",
                details={"field": "phone"},
            )
        by_phone = session.scalar(
            select(Customer).where(Customer.phone == new.phone).with_for_update(of=Customer)
        )
    if new.email:
        if is_retired(session=session, kind="email", value=new.email):
            raise Conflict(
                "This e-mail was merged away and can't sign up.",
                code="identifier_retired",
                details={"field": "email"},
            )
        by_email = session.scalar(
            select(Customer).where(Customer.email == new.email).with_for_update(of=Customer)
        )
    for found, field in ((by_phone, "phone"), (by_email, "email")):
        if found is not None and found.is_member:
            raise Conflict(
                "This customer is a member already.",
                code="already_member",
                details={"field": field, "customer_id": found.id},
            )
    if by_phone is not None and by_email is not None and by_phone.id != by_email.id:
        raise Conflict(
            "This e-mail belongs to another customer.",
            code="identifier_taken",
            details={"field": "email", "customer_id": by_email.id},
        )
    if by_email is not None and by_phone is None and by_email.phone and new.phone:
        raise Conflict(
            "This e-mail belongs to a customer with another phone number.",
            code="identifier_taken",
            details={"field": "email", "customer_id": by_email.id},
        )
    return by_phone or by_email


def add_by_hand(
    *, session: Session, settings: Settings, caller: Caller, store_id: int, new: NewMember
) -> tuple[Customer, password_reset.ResetSent]:
    """``POST /members``: a new member, or a past buyer made one; the first-login message sent."""
    known = select(Level.id).where(Level.code == new.level)
    if new.level is not None and session.scalar(known) is None:
        raise ValidationFailed(
            "There is no such level.", code="level_not_found", details={"field": "level"}
        )
    customer = _holder_or_raise(session, new)
    if customer is None:
        customer = Customer(phone=new.phone, email=new.email, source_store_id=store_id)
        session.add(customer)
    else:
        # The manager's words stand: _holder_or_raise found nobody else holding them.
        customer.phone = new.phone or customer.phone
        customer.email = new.email or customer.email
    if new.name is not None:
        customer.name = new.name
        customer.name_search = new.name.lower()
    if new.birthday is not None:
        customer.birthday = new.birthday
    if new.level is not None:
        customer.level = new.level
    customer.source = "manual"
    session.flush()
    sent = make_member(
        session=session, settings=settings, caller=caller, store_id=store_id, member=customer
    )
    return customer, sent


def make_member(
    *, session: Session, settings: Settings, caller: Caller, store_id: int, member: Customer
) -> password_reset.ResetSent:
    """Make ``member`` a member now, level them by their spending, send the first-login message."""
    member.is_member = True
    member.member_since = utcnow()
    session.flush()
    sent = send_first_login(
        session=session, settings=settings, caller=caller, store_id=store_id, member=member
    )
    audit_by(
        session=session,
        caller=caller,
        action="member.added",
        store_id=store_id,
        subject_type="customer",
        subject_id=member.id,
        details={
            "source": member.source,
            "level": member.level,
            "first_login": sent.channel,
        },
    )
    webhook_events.emit(
        session=session,
        event=WebhookEvent.MEMBER_CREATED,
        data={"member_id": member.id, "source": member.source},
    )
    levels.upgrade_by_spend(session=session, caller=caller, store_id=store_id, member=member)
    return sent


def textable(settings: Settings, e164: str | None) -> bool:
    """A mobile number in a country the merchant may text."""
    if not e164:
        return False
    parsed = phonenumbers.parse(e164, None)
    mobile = phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return mobile and phone_region(e164) in settings.allowed_sms_regions


def send_first_login(
    *, session: Session, settings: Settings, caller: Caller, store_id: int, member: Customer
) -> password_reset.ResetSent:
    """Queue the set-password link: SMS to a mobile number, else e-mail."""
    if textable(settings, member.phone):
        sent = password_reset.ResetSent("sms", mask_phone(member.phone) or "")
    elif member.email:
        sent = password_reset.ResetSent("email", mask_email(member.email) or "")
    else:
        raise ValidationFailed(
            "This number cannot get an SMS: add an e-mail to send the first-login link to.",
            code="no_way_to_reach",
            details={"field": "email"},
        )
    store = session.get_one(Store, store_id)
    language = store.locale if store.locale in SMS_TEXT else "en"
    password_reset.send_link(
        session=session,
        settings=settings,
        member=member,
        store=store,
        sent=sent,
        words=password_reset.LinkWords(
            SMS_TEXT[language], EMAIL_SUBJECT[language], EMAIL_BODY[language]
        ),
        purpose="first_login",
        expires_at=utcnow() + timedelta(seconds=settings.first_login_ttl_seconds),
        device_id=caller.device_id if isinstance(caller, Actor) else None,
        staff_id=caller.staff_id if isinstance(caller, Actor) else None,
    )
    session.flush()
    return sent
