"""Database rows to wire models: the one place that decides what leaves the server masked."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from backend_client import schemas
from backend_client.masking import mask_email, mask_phone
from omo_backend.models import (
    BindingSession,
    Customer,
    Device,
    Invitation,
    Order,
    PinGuard,
    PointsEntry,
    Referral,
    Staff,
    Store,
    utcnow,
)
from omo_backend.models import Message as MessageRow
from omo_backend.settings import Settings


def store_out(store: Store, settings: Settings) -> schemas.StoreOut:
    return schemas.StoreOut(
        id=store.id,
        code=store.code,
        name=store.name,
        locale=store.locale,
        timezone=store.timezone,
        line_enabled=settings.line_enabled,
    )


def staff_out(staff: Staff) -> schemas.StaffOut:
    return schemas.StaffOut(
        id=staff.id, code=staff.code, name=staff.name, role=schemas.Role(staff.role)
    )


def staff_account_out(staff: Staff, guard: PinGuard | None) -> schemas.StaffAccount:
    """A staff member as their manager sees them: whether they can log in, and any lock."""
    until = guard.locked_until if guard is not None else None
    return schemas.StaffAccount(
        id=staff.id,
        code=staff.code,
        name=staff.name,
        role=schemas.Role(staff.role),
        active=staff.active,
        locked_until=until if until is not None and until > utcnow() else None,
        unlock_required=guard is not None and guard.unlock_required,
    )


def device_out(device: Device) -> schemas.DeviceOut:
    return schemas.DeviceOut(
        id=device.id,
        name=device.name,
        store_code=device.store.code,
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
        counter_only=device.counter_only,
    )


def referral_out(referral: Referral | None, settings: Settings) -> schemas.ReferralOut | None:
    if referral is None:
        return None
    return schemas.ReferralOut(
        store=store_out(referral.store, settings),
        staff=staff_out(referral.staff) if referral.staff else None,
        bound_at=referral.bound_at,
        via=referral.via,
    )


_REF_STORE = aliased(Store)
_REF_STAFF = aliased(Staff)
# A customer's referral as ``ref_*`` columns of a row (``referral_from_row`` reads them back);
# a query selecting them joins ``with_referral``.
REFERRAL_COLUMNS = (
    Referral.bound_at.label("ref_bound_at"),
    Referral.via.label("ref_via"),
    _REF_STORE.id.label("ref_store_id"),
    _REF_STORE.code.label("ref_store_code"),
    _REF_STORE.name.label("ref_store_name"),
    _REF_STORE.locale.label("ref_store_locale"),
    _REF_STORE.timezone.label("ref_store_timezone"),
    _REF_STAFF.id.label("ref_staff_id"),
    _REF_STAFF.code.label("ref_staff_code"),
    _REF_STAFF.name.label("ref_staff_name"),
    _REF_STAFF.role.label("ref_staff_role"),
)
_REFERRAL_JOINS = (
    (Referral, Referral.customer_id == Customer.id),
    (_REF_STORE, _REF_STORE.id == Referral.store_id),
    (_REF_STAFF, _REF_STAFF.id == Referral.staff_id),
)


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def with_referral(query: _Query) -> _Query:
    """``query`` over ``customer`` joined to what ``REFERRAL_COLUMNS`` reads."""
    for target, on in _REFERRAL_JOINS:
        query = query.outerjoin(target, on)
    return query


# Built once, and columns rather than entities: constructing the statement or loading four
# ORM objects per row costs more than running the query.
_SUMMARY = (
    with_referral(
        select(
            Customer.id,
            Customer.name,
            Customer.phone,
            Customer.email,
            Customer.is_member,
            Customer.line_user_id,
            Customer.line_friend,
            Customer.level,
            Customer.source,
            Customer.created_at,
            # The balance: what is left of the unexpired grants (omo_backend/members/points.py).
            select(func.coalesce(func.sum(PointsEntry.remaining), 0))
            .where(
                PointsEntry.customer_id == Customer.id,
                PointsEntry.delta > 0,
                or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > bindparam("now")),
            )
            .scalar_subquery()
            .label("points"),
            select(func.count())
            .where(Order.customer_id == Customer.id)
            .scalar_subquery()
            .label("orders"),
            *REFERRAL_COLUMNS,
        )
    )
    .where(Customer.merged_into_id.is_(None))
    .order_by(Customer.is_member.desc(), Customer.name_search, Customer.id)
)


def customer_summaries(
    session: Session, where: ColumnElement[bool], settings: Settings, *, limit: int = 20
) -> list[schemas.CustomerSummary]:
    """Member Search's answer in one query: points, orders and the referral come along.

    Merged-away accounts are never found: their data lives in the primary.
    """
    rows = session.execute(_SUMMARY.where(where).limit(limit), {"now": utcnow()})
    return [
        schemas.CustomerSummary(
            id=r.id,
            name=r.name,
            phone_masked=mask_phone(r.phone),
            email_masked=mask_email(r.email),
            is_member=r.is_member,
            line_bound=r.line_user_id is not None,
            line_friend=r.line_friend if r.line_user_id is not None else None,
            level=r.level,
            points=int(r.points),
            source=r.source,
            referral=referral_from_row(r, settings),
            created_at=r.created_at,
            orders_count=int(r.orders),
        )
        for r in rows
    ]


def referral_from_row(r: Row[*tuple[Any, ...]], settings: Settings) -> schemas.ReferralOut | None:
    """The referral a row's ``REFERRAL_COLUMNS`` hold; None without one."""
    if r.ref_bound_at is None:
        return None
    return schemas.ReferralOut(
        store=schemas.StoreOut(
            id=r.ref_store_id,
            code=r.ref_store_code,
            name=r.ref_store_name,
            locale=r.ref_store_locale,
            timezone=r.ref_store_timezone,
            line_enabled=settings.line_enabled,
        ),
        staff=(
            schemas.StaffOut(
                id=r.ref_staff_id,
                code=r.ref_staff_code,
                name=r.ref_staff_name,
                role=schemas.Role(r.ref_staff_role),
            )
            if r.ref_staff_id is not None
            else None
        ),
        bound_at=r.ref_bound_at,
        via=r.ref_via,
    )


def invitation_out(
    invitation: Invitation, message: MessageRow | None, settings: Settings
) -> schemas.Invitation:
    return schemas.Invitation(
        id=invitation.id,
        status=schemas.InvitationStatus(invitation.status),
        phone_masked=mask_phone(invitation.phone) or "",
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
        customer_id=invitation.customer_id,
        customer_name=_registered_name(invitation),
        store=store_out(invitation.store, settings),
        staff=staff_out(invitation.staff) if invitation.staff else None,
        message_status=message_status(message),
        failure_code=invitation.failure_code,
        message_delivery=schemas.MessageDelivery(message.delivery)
        if message and message.delivery
        else None,
    )


def message_status(message: MessageRow | None) -> schemas.MessageStatus | None:
    """The message's status as every client reads it: an undelivered one failed after all."""
    if message is None:
        return None
    if message.delivery == schemas.MessageDelivery.UNDELIVERED:
        return schemas.MessageStatus.FAILED
    return schemas.MessageStatus(message.status)


def _registered_name(invitation: Invitation) -> str | None:
    # Read only once registered: the lazy load is one small query, for a few invitations.
    if invitation.customer_id is None:
        return None
    customer = invitation.customer
    return customer.name if customer is not None else None


def binding_out(
    binding: BindingSession, customer: Customer, qr_url: str | None, settings: Settings
) -> schemas.Binding:
    outcome = schemas.LineOutcome(binding.line_outcome) if binding.line_outcome else None
    return schemas.Binding(
        id=binding.id,
        status=schemas.BindingStatus(binding.status),
        customer_id=binding.customer_id,
        qr_url=qr_url,
        expires_at=binding.expires_at,
        created_at=binding.created_at,
        phone_masked=mask_phone(customer.phone),
        customer_name=customer.name,
        sms_sent=binding.sms_sent,
        referral=referral_out(customer.referral, settings),
        line_outcome=outcome,
        line_friend=customer.line_friend if outcome is schemas.LineOutcome.LINKED else None,
    )
