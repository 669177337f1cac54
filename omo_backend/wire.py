"""Database rows to wire models: the one place that decides what leaves the server masked."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from backend_client import schemas
from omo_backend.models import (
    BindingSession,
    Customer,
    Invitation,
    Order,
    PointsEntry,
    Referral,
    Staff,
    Store,
    utcnow,
)
from omo_backend.models import Message as MessageRow
from omo_backend.phones import mask_email, mask_phone
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
# Built once: constructing this statement costs more than running it.
_SUMMARY = (
    select(
        Customer,
        select(func.coalesce(func.sum(PointsEntry.delta), 0))
        .where(
            PointsEntry.customer_id == Customer.id,
            or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > bindparam("now")),
        )
        .scalar_subquery()
        .label("points"),
        select(func.count())
        .where(Order.customer_id == Customer.id)
        .scalar_subquery()
        .label("orders"),
        Referral,
        _REF_STORE,
        _REF_STAFF,
    )
    .outerjoin(Referral, Referral.customer_id == Customer.id)
    .outerjoin(_REF_STORE, _REF_STORE.id == Referral.store_id)
    .outerjoin(_REF_STAFF, _REF_STAFF.id == Referral.staff_id)
    .where(Customer.merged_into_id.is_(None))
    .order_by(Customer.is_member.desc(), Customer.name_search, Customer.id)
)


def customer_summaries(
    session: Session, where: ColumnElement[bool], settings: Settings, *, limit: int = 20
) -> list[schemas.CustomerSummary]:
    """Member Search's answer in one query: points, orders and the referral come along.

    Merged-away accounts are never found: their data lives in the primary.
    """
    query = _SUMMARY.where(where).limit(limit)
    rows = session.execute(query, {"now": utcnow()})
    summaries = []
    for c, point_total, order_count, referral, store, staff in rows:
        summaries.append(
            schemas.CustomerSummary(
                id=c.id,
                name=c.name,
                phone_masked=mask_phone(c.phone),
                email_masked=mask_email(c.email),
                is_member=c.is_member,
                line_bound=c.line_user_id is not None,
                level=c.level,
                points=int(point_total),
                source=c.source,
                referral=(
                    schemas.ReferralOut(
                        store=store_out(store, settings),
                        staff=staff_out(staff) if staff is not None else None,
                        bound_at=referral.bound_at,
                        via=referral.via,
                    )
                    if referral is not None
                    else None
                ),
                created_at=c.created_at,
                orders_count=int(order_count),
            )
        )
    return summaries


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
        store=store_out(invitation.store, settings),
        staff=staff_out(invitation.staff) if invitation.staff else None,
        message_status=schemas.MessageStatus(message.status) if message else None,
        failure_code=invitation.failure_code,
    )


def binding_out(
    binding: BindingSession, customer: Customer, qr_url: str | None, settings: Settings
) -> schemas.Binding:
    return schemas.Binding(
        id=binding.id,
        status=schemas.BindingStatus(binding.status),
        customer_id=binding.customer_id,
        qr_url=qr_url,
        expires_at=binding.expires_at,
        created_at=binding.created_at,
        phone_masked=mask_phone(customer.phone),
        sms_sent=binding.sms_sent,
        referral=referral_out(customer.referral, settings),
    )
