"""Customers: finding them at the counter, and becoming a member (orders: omo_backend/orders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from backend_client import schemas
from backend_client.schemas import WebhookEvent
from omo_backend import audit
from omo_backend.errors import Conflict, ValidationFailed
from omo_backend.models import Consent, Customer, Referral, RetiredIdentifier, utcnow
from omo_backend.phones import normalise_email, normalise_phone
from omo_backend.webhooks import events as webhook_events

SEARCH_LIMIT = 20


def search_condition(
    *, phone: str | None, email: str | None, name: str | None, default_region: str
) -> ColumnElement[bool]:
    """Which customers Member Search finds for exactly one of phone, e-mail or name."""
    given = [v for v in (phone, email, name) if v]
    if len(given) != 1:
        raise ValidationFailed(
            "Search by exactly one of phone, email or name.", code="one_search_field"
        )
    if phone:
        return Customer.phone == normalise_phone(phone, default_region)
    if email:
        return Customer.email == normalise_email(email)
    needle = (name or "").strip().lower()
    if not needle:
        raise ValidationFailed(
            "Type part of a name.", code="invalid_name", details={"field": "name"}
        )
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Customer.name_search.like(f"%{escaped}%", escape="\\")


def find_by_phone(*, session: Session, e164: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.phone == e164))


def is_retired(*, session: Session, kind: str, value: str) -> bool:
    found = session.scalar(
        select(RetiredIdentifier.id).where(
            RetiredIdentifier.kind == kind, RetiredIdentifier.value == value
        )
    )
    return found is not None


def merged_into_for_search(
    *, session: Session, phone: str | None, email: str | None, default_region: str
) -> schemas.MergedInto | None:
    """Member Search by a phone or e-mail merged away: the member it belongs to now."""
    if phone:
        kind, value = schemas.IdentifierKind.PHONE, normalise_phone(phone, default_region)
    elif email:
        kind, value = schemas.IdentifierKind.EMAIL, normalise_email(email)
    else:
        return None
    retired = session.scalar(
        select(RetiredIdentifier).where(
            RetiredIdentifier.kind == kind.value, RetiredIdentifier.value == value
        )
    )
    if retired is None:
        return None
    owner = session.get_one(Customer, retired.customer_id)
    seen = {owner.id}
    while owner.merged_into_id is not None and owner.merged_into_id not in seen:
        seen.add(owner.merged_into_id)
        owner = session.get_one(Customer, owner.merged_into_id)
    return schemas.MergedInto(kind=kind, member_id=owner.id, name=owner.name)


def bind_referral_once(
    *,
    session: Session,
    customer: Customer,
    store_id: int,
    staff_id: int | None,
    device_id: int | None,
    via: str,
) -> Referral:
    """The first referral stands forever; later attempts return it unchanged."""
    existing = session.get(Referral, customer.id)
    if existing is not None:
        return existing
    referral = Referral(
        customer_id=customer.id, store_id=store_id, staff_id=staff_id, device_id=device_id, via=via
    )
    session.add(referral)
    session.flush()
    session.refresh(customer)
    return referral


@dataclass(frozen=True)
class Registration:
    name: str
    email: str | None
    birthday: date | None
    password_hash: str
    marketing_consent: bool
    terms_text: str
    marketing_text: str
    locale: str


def register_member(
    *,
    session: Session,
    phone: str,
    registration: Registration,
    store_id: int,
    staff_id: int | None,
    device_id: int | None,
    channel: str,
) -> Customer:
    """Make the owner of a verified phone a member and bind the store as the referral."""
    customer = session.scalar(
        select(Customer).where(Customer.phone == phone).with_for_update(of=Customer)
    )
    # Retired first: a merged-away account keeps its number and is still a member's row.
    if is_retired(session=session, kind="phone", value=phone):
        raise Conflict("This phone number can no longer sign up.", code="identifier_retired")
    if customer is not None and customer.is_member:
        raise Conflict("This phone number is already a member.", code="already_member")
    if registration.email:
        if is_retired(session=session, kind="email", value=registration.email):
            raise Conflict(
                "This e-mail can no longer sign up.",
                code="identifier_retired",
                details={"field": "email"},
            )
        owner = session.scalar(select(Customer).where(Customer.email == registration.email))
        if owner is not None and (customer is None or owner.id != customer.id):
            if owner.is_member:
                raise Conflict(
                    "This e-mail already belongs to a member.",
                    code="email_taken",
                    details={"field": "email"},
                )
            # A past buyer known by this e-mail only: the same person, keep their history.
            # One with another phone is someone else (or a duplicate for a manager to merge).
            if customer is None and owner.phone is None:
                customer = owner
            else:
                raise Conflict(
                    "This e-mail belongs to another customer.",
                    code="email_in_use",
                    details={"field": "email"},
                )
    now = utcnow()
    if customer is None:
        customer = Customer(phone=phone, source="counter", source_store_id=store_id)
        session.add(customer)
    customer.phone = phone
    customer.name = registration.name
    customer.name_search = registration.name.lower()
    customer.email = registration.email or customer.email
    customer.birthday = registration.birthday
    customer.password_hash = registration.password_hash
    customer.is_member = True
    customer.member_since = now
    if customer.source is None or customer.source == "pos":
        customer.source = "counter"
        customer.source_store_id = store_id
    session.flush()
    for purpose, granted, text in (
        ("terms", True, registration.terms_text),
        ("marketing", registration.marketing_consent, registration.marketing_text),
    ):
        session.add(
            Consent(
                customer_id=customer.id,
                purpose=purpose,
                granted=granted,
                text_shown=text,
                locale=registration.locale,
                channel=channel,
                store_id=store_id,
                staff_id=staff_id,
            )
        )
    referral = bind_referral_once(
        session=session,
        customer=customer,
        store_id=store_id,
        staff_id=staff_id,
        device_id=device_id,
        via="registration",
    )
    webhook_events.emit(
        session=session,
        event=WebhookEvent.MEMBER_REGISTERED,
        data={"member_id": customer.id, "referral": webhook_events.referral_data(referral)},
    )
    audit.record(
        session=session,
        action="member.registered",
        store_id=store_id,
        staff_id=staff_id,
        device_id=device_id,
        subject_type="customer",
        subject_id=customer.id,
    )
    return customer
