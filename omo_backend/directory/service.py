"""The directory's rules past the list: the overview's counts, one member's profile and its
changes (audited before → after), their orders and their audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.customers.service import is_retired
from omo_backend.directory import counts, rows
from omo_backend.directory.query import RECENT
from omo_backend.errors import Conflict, NotFound, ValidationFailed
from omo_backend.models import (
    AuditEvent,
    Consent,
    Customer,
    Device,
    Level,
    Order,
    Staff,
    Store,
)
from omo_backend.models.base import find_by_id
from omo_backend.phones import normalise_email
from omo_backend.settings import Settings
from omo_backend.wire import staff_out

EARLIEST_BIRTHDAY = date(1900, 1, 1)

# --- the overview -----------------------------------------------------------------------------


def overview(session: Session, now: datetime) -> schemas.MemberOverview:
    """Members now, by level and by referral store.

    The counts are ``member_count``'s few rows plus the changes not yet folded into them
    (``counts.kept``; kept by triggers, migration 0012), so the overview reads no customer
    however many members there are; only ``new_7d`` is counted, over the last seven days of
    the member-since index.
    """
    member = Customer.is_member == true()
    by_level: dict[str | None, int] = {}
    by_store: dict[int | None, int] = {}
    for (level, store_id), members in counts.kept(session).items():
        by_level[level] = by_level.get(level, 0) + members
        by_store[store_id] = by_store.get(store_id, 0) + members
    total = sum(by_level.values())
    new_7d = int(
        session.scalar(
            select(func.count()).where(
                member,
                Customer.member_since >= now - RECENT,
                Customer.merged_into_id.is_(None),
                Customer.erased_at.is_(None),
            )
        )
        or 0
    )
    stores = session.execute(select(Store.id, Store.code, Store.name).order_by(Store.code)).all()
    store_counts = [
        schemas.StoreCount(store=code, store_name=name, members=by_store.get(store_id, 0))
        for store_id, code, name in stores
    ]
    store_counts.append(schemas.StoreCount(store=None, members=by_store.get(None, 0)))
    # Every level an admin set, lowest first (none yet counts 0); then codes members still
    # carry from a level since removed; then members without one.
    codes = list(session.scalars(select(Level.code).order_by(Level.rank)))
    codes += sorted(c for c in by_level if c is not None and c not in codes)
    level_counts = [schemas.LevelCount(level=c, members=by_level.get(c, 0)) for c in codes]
    level_counts.append(schemas.LevelCount(level=None, members=by_level.get(None, 0)))
    return schemas.MemberOverview(
        total=total, new_7d=new_7d, by_level=level_counts, by_store=store_counts
    )


# --- one member ---------------------------------------------------------------------------------


def customer_or_raise(session: Session, member_id: int) -> Customer:
    customer = find_by_id(session, Customer, member_id)
    if customer is None:
        raise NotFound("No such member.", code="member_not_found")
    return customer


def live_or_raise(customer: Customer) -> None:
    """409 for an account merged away (its data lives in the primary) or erased."""
    if customer.merged_into_id is not None:
        raise Conflict(
            "This account was merged into another member: work on that one.",
            code="member_merged",
            details={"member_id": customer.id, "merged_into_id": customer.merged_into_id},
        )
    if customer.erased_at is not None:
        raise Conflict(
            "This member's data was erased.",
            code="member_erased",
            details={"member_id": customer.id},
        )


def member_out(
    session: Session, member_id: int, settings: Settings, now: datetime
) -> schemas.Member:
    customer = customer_or_raise(session, member_id)
    (row,) = rows.fetch(session, [member_id])
    points = rows.balances(session, [member_id], now).get(member_id, 0)
    last_order_at = session.scalar(
        select(func.max(Order.created_at)).where(Order.customer_id == member_id)
    )
    consents = session.scalars(
        select(Consent).where(Consent.customer_id == member_id).order_by(Consent.id)
    )
    base = rows.member_row(row, points, settings, now)
    return schemas.Member(
        **base.model_dump(exclude={"referral"}),
        referral=base.referral,
        birthday=customer.birthday,
        source=customer.source,
        consents=[schemas.ConsentOut.model_validate(c) for c in consents],
        merged_into_id=customer.merged_into_id,
        erased_at=customer.erased_at,
        line_friend=customer.line_friend if customer.line_user_id is not None else None,
        orders=schemas.OrdersSummary(
            count=customer.orders_count,
            net_spend=customer.net_spend,
            last_order_at=last_order_at,
            open_cart=base.open_cart,
        ),
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def update(
    *, session: Session, actor: Actor, member_id: int, patch: schemas.MemberPatch, today: date
) -> None:
    """Apply a manager's changes; audited with each changed field's before and after."""
    customer = customer_or_raise(session, member_id)
    live_or_raise(customer)
    given = patch.model_fields_set
    wanted: dict[str, Any] = {}
    for field in ("name", "email"):
        if field in given and getattr(patch, field) is None:
            raise ValidationFailed(
                f"A {field} can be changed, not removed.",
                code="field_required",
                details={"field": field},
            )
    if "name" in given and patch.name is not None:
        wanted["name"] = " ".join(patch.name.split())
        if not wanted["name"]:
            raise ValidationFailed("Type a name.", code="field_required", details={"field": "name"})
    if "email" in given and patch.email is not None:
        email = normalise_email(patch.email)
        if email != customer.email:
            _check_email_free(session, email, member_id)
        wanted["email"] = email
    if "level" in given:
        if (
            patch.level is not None
            and session.scalar(select(Level.id).where(Level.code == patch.level)) is None
        ):
            raise ValidationFailed(
                "There is no such level.", code="unknown_level", details={"field": "level"}
            )
        wanted["level"] = patch.level
    if "birthday" in given:
        if patch.birthday is not None and not EARLIEST_BIRTHDAY <= patch.birthday <= today:
            raise ValidationFailed(
                "A birthday is a day from 1900 to today.",
                code="birthday_out_of_range",
                details={"field": "birthday"},
            )
        wanted["birthday"] = patch.birthday
    changed = {k: v for k, v in wanted.items() if getattr(customer, k) != v}
    if not changed:
        return
    before = {k: _plain(getattr(customer, k)) for k in changed}
    for key, value in changed.items():
        setattr(customer, key, value)
    if "name" in changed:
        customer.name_search = changed["name"].lower()
    try:
        session.flush()
    except IntegrityError as exc:  # the same e-mail, taken at the same moment
        raise Conflict(
            "This e-mail belongs to another customer.",
            code="identifier_taken",
            details={"field": "email"},
        ) from exc
    audit.by_actor(
        session=session,
        actor=actor,
        action="member.updated",
        subject_type="customer",
        subject_id=member_id,
        details={"before": before, "after": {k: _plain(v) for k, v in changed.items()}},
    )


def _check_email_free(session: Session, email: str, member_id: int) -> None:
    if is_retired(session=session, kind="email", value=email):
        raise Conflict(
            "This e-mail was retired by a merge and can never be used again.",
            code="identifier_retired",
            details={"field": "email"},
        )
    owner = session.scalar(select(Customer.id).where(Customer.email == email))
    if owner is not None and owner != member_id:
        raise Conflict(
            "This e-mail belongs to another customer.",
            code="identifier_taken",
            details={"field": "email"},
        )


# --- orders and audit trail ---------------------------------------------------------------------


def _newest_first(
    session: Session,
    query: Select[*tuple[Any, ...]],
    key: Any,
    before_id: int | None,
    limit: int,
) -> tuple[list[Any], int | None]:
    """A page of ``query`` (its first column an entity with id ``key``), newest first, and
    the id to continue before (None: the end)."""
    if before_id is not None:
        query = query.where(key < before_id)
    found = session.execute(query.order_by(key.desc()).limit(limit + 1)).all()
    next_id = int(found[limit - 1][0].id) if len(found) > limit else None
    return list(found[:limit]), next_id


def orders_page(
    session: Session, member_id: int, before_id: int | None, limit: int
) -> tuple[list[Order], int | None]:
    """A page of the member's orders, newest first, and the id to continue before."""
    customer_or_raise(session, member_id)
    query = select(Order).where(Order.customer_id == member_id)
    found, next_id = _newest_first(session, query, Order.id, before_id, limit)
    return [row[0] for row in found], next_id


def audit_page(
    session: Session, member_id: int, before_id: int | None, limit: int
) -> tuple[list[schemas.AuditEntryOut], int | None]:
    """A page of what was done to the member, newest first (ix_audit_event_subject)."""
    customer_or_raise(session, member_id)
    query = (
        select(AuditEvent, Store.code, Staff, Device.name)
        .outerjoin(Store, Store.id == AuditEvent.store_id)
        .outerjoin(Staff, Staff.id == AuditEvent.staff_id)
        .outerjoin(Device, Device.id == AuditEvent.device_id)
        .where(AuditEvent.subject_type == "customer", AuditEvent.subject_id == member_id)
    )
    found, next_id = _newest_first(session, query, AuditEvent.id, before_id, limit)
    items = [
        schemas.AuditEntryOut(
            id=event.id,
            at=event.at,
            action=event.action,
            store=store_code,
            staff=staff_out(staff) if staff is not None else None,
            device_id=event.device_id,
            device_name=device_name,
            details=dict(event.details or {}),
        )
        for event, store_code, staff, device_name in found
    ]
    return items, next_id
