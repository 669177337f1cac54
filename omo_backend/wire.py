"""Database rows to wire models: the one place that decides what leaves the server masked."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def customer_summaries(
    session: Session, customers: list[Customer], settings: Settings
) -> list[schemas.CustomerSummary]:
    """Summaries with points and order counts fetched in two queries for the whole page."""
    ids = [c.id for c in customers]
    points: dict[int, int] = {}
    orders: dict[int, int] = {}
    if ids:
        now = utcnow()
        points = {
            cid: int(total)
            for cid, total in session.execute(
                select(PointsEntry.customer_id, func.coalesce(func.sum(PointsEntry.delta), 0))
                .where(
                    PointsEntry.customer_id.in_(ids),
                    (PointsEntry.expires_at.is_(None)) | (PointsEntry.expires_at > now),
                )
                .group_by(PointsEntry.customer_id)
            )
        }
        orders = {
            cid: int(count)
            for cid, count in session.execute(
                select(Order.customer_id, func.count())
                .where(Order.customer_id.in_(ids))
                .group_by(Order.customer_id)
            )
        }
    return [
        schemas.CustomerSummary(
            id=c.id,
            name=c.name,
            phone_masked=mask_phone(c.phone),
            email_masked=mask_email(c.email),
            is_member=c.is_member,
            line_bound=c.line_user_id is not None,
            level=c.level,
            points=points.get(c.id, 0),
            source=c.source,
            referral=referral_out(c.referral, settings),
            created_at=c.created_at,
            orders_count=orders.get(c.id, 0),
        )
        for c in customers
    ]


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
