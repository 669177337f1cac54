"""Merging one member's duplicate accounts into a primary one (API.md "Merge:"), irreversibly.

The preview and the merge read the accounts the same way (:func:`_read`); the preview's id is
a fingerprint of everything the preview shows and the merge moves (profiles, totals, orders,
points, carts, referrals), so a merge whose accounts changed since its preview is refused
(409 ``preview_stale``). The merge locks the accounts' rows in id order first (``FOR UPDATE``
on PostgreSQL; SQLite's write transactions are serial anyway): of two overlapping merges one
waits for the other, then finds an account already merged (409 ``member_merged``) or its
preview stale, and writes nothing.

What moves: paid, refunded and cancelled orders go to the primary with their totals (summed
from the moved rows); unpaid orders stay on their account and follow once paid or cancelled
(omo_backend/orders/service.py ``update_order``); every points entry moves as it is, so
expiries and what is left of each grant stay exact; carts move. The primary keeps its own
phone, e-mail and LINE account, its referral (else the earliest of the others') and the
highest level of them all. The others' phones, e-mails and LINE ids are retired for ever.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from backend_client import schemas
from backend_client.masking import mask_email, mask_phone
from backend_client.schemas import WebhookEvent
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.directory import service as directory
from omo_backend.errors import Conflict, NotFound, ValidationFailed
from omo_backend.members import levels, points
from omo_backend.models import (
    Cart,
    Customer,
    Level,
    Order,
    PointsEntry,
    Referral,
    RetiredIdentifier,
    utcnow,
)
from omo_backend.models.base import find_by_id
from omo_backend.orders import service as orders
from omo_backend.settings import Settings
from omo_backend.webhooks import events as webhook_events
from omo_backend.wire import referral_out

UNPAID = schemas.OrderStatus.UNPAID.value


@dataclass
class _Account:
    customer: Customer
    referral: Referral | None
    points: int
    # Orders by status group: those that move now, and the unpaid ones that follow later.
    moving_orders: int
    moving_spend: int
    unpaid_orders: int
    # The rest of the fingerprint: what any change to the orders, ledger or carts touches.
    orders_print: tuple[Any, ...]
    points_print: tuple[Any, ...]
    carts_print: tuple[Any, ...]


@dataclass
class _Read:
    primary: _Account
    merged: list[_Account]
    now: datetime

    @property
    def all(self) -> list[_Account]:
        return [self.primary, *self.merged]


def _ids_or_raise(request: schemas.MergeRequest) -> list[int]:
    ids = [request.primary_id, *request.member_ids]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            "Name each account once, and the primary account not among those merged into it.",
            code="duplicate_member_ids",
            details={"field": "member_ids"},
        )
    return ids


def _customers_or_raise(session: Session, ids: list[int], *, lock: bool) -> dict[int, Customer]:
    found: dict[int, Customer] = {}
    for member_id in ids:
        customer = find_by_id(session, Customer, member_id)
        if customer is None:
            raise NotFound(
                "No such member.", code="member_not_found", details={"member_id": member_id}
            )
        found[member_id] = customer
    if lock:
        # In id order, so two merges sharing accounts never hold one each and wait forever.
        locked = session.scalars(
            select(Customer)
            .where(Customer.id.in_(sorted(found)))
            .order_by(Customer.id)
            .with_for_update(of=Customer)
            .execution_options(populate_existing=True)
        ).all()
        found = {c.id: c for c in locked}
    return found


def _check_mergeable(customer: Customer, *, primary: bool) -> None:
    directory.live_or_raise(customer)
    if primary and not customer.is_member:
        raise Conflict(
            "The primary account must be a member's: its login becomes the only one.",
            code="primary_not_member",
            details={"member_id": customer.id},
        )


def _read(session: Session, request: schemas.MergeRequest, *, lock: bool) -> _Read:
    ids = _ids_or_raise(request)
    customers = _customers_or_raise(session, ids, lock=lock)
    for member_id in ids:
        _check_mergeable(customers[member_id], primary=member_id == request.primary_id)
    now = utcnow()
    balances: dict[int, int] = {
        int(cid): int(total or 0)
        for cid, total in session.execute(
            select(PointsEntry.customer_id, func.sum(PointsEntry.remaining))
            .where(
                PointsEntry.customer_id.in_(ids),
                PointsEntry.delta > 0,
                (PointsEntry.expires_at.is_(None)) | (PointsEntry.expires_at > now),
            )
            .group_by(PointsEntry.customer_id)
        )
    }
    is_unpaid = Order.status == UNPAID
    order_rows = {
        int(r.customer_id): r
        for r in session.execute(
            select(
                Order.customer_id,
                func.count().label("n"),
                func.max(Order.id).label("max_id"),
                func.sum(Order.amount).label("amounts"),
                func.sum(Order.refunded_amount).label("refunds"),
                func.max(Order.updated_at).label("changed"),
                func.sum(case((is_unpaid, 1), else_=0)).label("unpaid"),
                func.sum(
                    case(
                        (Order.status == schemas.OrderStatus.PAID.value, Order.amount),
                        else_=0,
                    )
                    - case(
                        (Order.status == schemas.OrderStatus.PAID.value, Order.refunded_amount),
                        else_=0,
                    )
                ).label("spend"),
            )
            .where(Order.customer_id.in_(ids))
            .group_by(Order.customer_id)
        )
    }
    point_rows = {
        int(r.customer_id): r
        for r in session.execute(
            select(
                PointsEntry.customer_id,
                func.count().label("n"),
                func.max(PointsEntry.id).label("max_id"),
                func.sum(PointsEntry.remaining).label("left"),
            )
            .where(PointsEntry.customer_id.in_(ids))
            .group_by(PointsEntry.customer_id)
        )
    }
    cart_rows = {
        int(r.customer_id): r
        for r in session.execute(
            select(
                Cart.customer_id,
                func.count().label("n"),
                func.max(Cart.updated_at).label("changed"),
            )
            .where(Cart.customer_id.in_(ids))
            .group_by(Cart.customer_id)
        )
    }
    referrals = {
        r.customer_id: r
        for r in session.scalars(select(Referral).where(Referral.customer_id.in_(ids)))
    }

    def account(member_id: int) -> _Account:
        o = order_rows.get(member_id)
        p = point_rows.get(member_id)
        c = cart_rows.get(member_id)
        n = int(o.n) if o is not None else 0
        unpaid = int(o.unpaid or 0) if o is not None else 0
        return _Account(
            customer=customers[member_id],
            referral=referrals.get(member_id),
            points=balances.get(member_id, 0),
            moving_orders=n - unpaid,
            moving_spend=int(o.spend or 0) if o is not None else 0,
            unpaid_orders=unpaid,
            orders_print=(
                (n, o.max_id, o.amounts, o.refunds, _iso(o.changed)) if o is not None else ()
            ),
            points_print=(p.n, p.max_id, p.left) if p is not None else (),
            carts_print=(c.n, _iso(c.changed)) if c is not None else (),
        )

    return _Read(
        primary=account(request.primary_id),
        merged=[account(member_id) for member_id in request.member_ids],
        now=now,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _fingerprint(read: _Read, request: schemas.MergeRequest) -> str:
    """What the preview showed and the merge would write, as one hash: any change, another."""
    state: list[Any] = [
        request.primary_id,
        request.member_ids,
        request.points_delta or 0,
        _iso(request.points_expires_at),
        request.description,
        read.primary.points + sum(a.points for a in read.merged),
    ]
    for a in read.all:
        c = a.customer
        state.append(
            [
                c.id,
                c.name,
                c.phone,
                c.email,
                c.line_user_id,
                c.is_member,
                c.level,
                c.net_spend,
                c.orders_count,
                _iso(c.updated_at),
                _iso(c.open_cart_at),
                a.points,
                list(a.orders_print),
                list(a.points_print),
                list(a.carts_print),
                _iso(a.referral.bound_at) if a.referral is not None else None,
            ]
        )
    text = json.dumps(state, default=str, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _identifiers(customer: Customer) -> list[tuple[schemas.IdentifierKind, str]]:
    found: list[tuple[schemas.IdentifierKind, str]] = []
    if customer.phone:
        found.append((schemas.IdentifierKind.PHONE, customer.phone))
    if customer.email:
        found.append((schemas.IdentifierKind.EMAIL, customer.email))
    if customer.line_user_id:
        found.append((schemas.IdentifierKind.LINE, customer.line_user_id))
    return found


def _masked(kind: schemas.IdentifierKind, value: str) -> str:
    if kind is schemas.IdentifierKind.PHONE:
        return mask_phone(value) or ""
    if kind is schemas.IdentifierKind.EMAIL:
        return mask_email(value) or ""
    return "LINE"


def _identifiers_out(accounts: list[_Account]) -> list[schemas.MergeIdentifier]:
    return [
        schemas.MergeIdentifier(
            kind=kind, value_masked=_masked(kind, value), member_id=a.customer.id
        )
        for a in accounts
        for kind, value in _identifiers(a.customer)
    ]


def _referral_kept(read: _Read) -> Referral | None:
    """The primary's referral; when it has none, the earliest of the merged accounts'."""
    if read.primary.referral is not None:
        return read.primary.referral
    theirs = [a.referral for a in read.merged if a.referral is not None]
    return min(theirs, key=lambda r: (r.bound_at, r.customer_id)) if theirs else None


def _level_kept(session: Session, read: _Read) -> str | None:
    """The highest level among the accounts' (a level since removed ranks lowest)."""
    codes = {c.level for c in (a.customer for a in read.all) if c.is_member and c.level is not None}
    if not codes:
        return read.primary.customer.level
    ranks = dict(
        session.execute(select(Level.code, Level.rank).where(Level.code.in_(codes))).tuples().all()
    )
    primary_level = read.primary.customer.level
    return max(codes, key=lambda code: (ranks.get(code, -1), code == primary_level, code))


def _check_points(read: _Read, request: schemas.MergeRequest) -> int:
    """The stated points change, checked as ``points.change`` will (nothing written)."""
    delta = request.points_delta or 0
    expires_at = request.points_expires_at
    if expires_at is not None and delta <= 0:
        raise ValidationFailed(
            "Only an award can expire.",
            code="expiry_on_deduction",
            details={"field": "points_expires_at"},
        )
    if expires_at is not None and expires_at <= read.now:
        raise ValidationFailed(
            "The expiry must be in the future.",
            code="expiry_in_past",
            details={"field": "points_expires_at"},
        )
    total = sum(a.points for a in read.all)
    if delta < 0 and -delta > total:
        raise points.InsufficientPoints(
            "The accounts together do not have that many points.",
            details={"balance": total, "requested": -delta},
        )
    return delta


def _preview(
    session: Session, read: _Read, request: schemas.MergeRequest, settings: Settings
) -> schemas.MergePreview:
    delta = _check_points(read, request)
    primary = read.primary.customer
    return schemas.MergePreview(
        preview_id=_fingerprint(read, request),
        primary_id=primary.id,
        merged_ids=[a.customer.id for a in read.merged],
        orders_count=primary.orders_count + sum(a.moving_orders for a in read.merged),
        net_spend=primary.net_spend + sum(a.moving_spend for a in read.merged),
        points_balance=sum(a.points for a in read.all) + delta,
        identifiers_kept=_identifiers_out([read.primary]),
        identifiers_retired=_identifiers_out(read.merged),
        referral=referral_out(_referral_kept(read), settings),
        accounts=[_account_out(a, settings) for a in read.all],
        level=_level_kept(session, read),
        orders_moved=sum(a.moving_orders for a in read.merged),
        unpaid_orders_pending=sum(a.unpaid_orders for a in read.merged),
        points_moved=sum(a.points for a in read.merged),
        points_delta=delta,
    )


def _account_out(a: _Account, settings: Settings) -> schemas.MergeAccount:
    c = a.customer
    return schemas.MergeAccount(
        id=c.id,
        name=c.name,
        phone_masked=mask_phone(c.phone),
        email_masked=mask_email(c.email),
        line_bound=c.line_user_id is not None,
        is_member=c.is_member,
        level=c.level,
        orders_count=c.orders_count,
        net_spend=c.net_spend,
        points=a.points,
        unpaid_orders=a.unpaid_orders,
        referral=referral_out(a.referral, settings),
        member_since=c.member_since,
        created_at=c.created_at,
    )


def preview(
    *, session: Session, settings: Settings, request: schemas.MergeRequest
) -> schemas.MergePreview:
    """What merging would do, written nowhere; its ``preview_id`` confirms exactly this."""
    return _preview(session, _read(session, request, lock=False), request, settings)


def merge(
    *, session: Session, settings: Settings, actor: Actor, request: schemas.MergeConfirm
) -> schemas.MergePreview:
    """Merge as previewed, or refuse (409 ``preview_stale``) if anything changed; audited."""
    read = _read(session, request, lock=True)
    shown = _preview(session, read, request, settings)
    if shown.preview_id != request.preview_id:
        raise Conflict(
            "These accounts changed since the preview: preview the merge again.",
            code="preview_stale",
        )
    primary = read.primary.customer
    merged_ids = [a.customer.id for a in read.merged]
    # Orders: all but the unpaid ones, with exactly what they add to the totals.
    session.execute(
        update(Order)
        .where(Order.customer_id.in_(merged_ids), Order.status != UNPAID)
        .values(customer_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    for a in read.merged:
        if a.moving_orders:
            orders.add_to_totals(
                session=session,
                customer_id=a.customer.id,
                spend=-a.moving_spend,
                orders=-a.moving_orders,
            )
    orders.add_to_totals(
        session=session,
        customer_id=primary.id,
        spend=sum(a.moving_spend for a in read.merged),
        orders=shown.orders_moved,
    )
    # Points: every entry as it is (grants keep their expiry and what is left of them).
    session.execute(
        update(PointsEntry)
        .where(PointsEntry.customer_id.in_(merged_ids))
        .values(customer_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Cart)
        .where(Cart.customer_id.in_(merged_ids))
        .values(customer_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    for member_id in (primary.id, *merged_ids):
        orders.refresh_open_cart(session=session, customer_id=member_id)
    referral = _referral_kept(read)
    if referral is not None and read.primary.referral is None:
        session.add(
            Referral(
                customer_id=primary.id,
                store_id=referral.store_id,
                staff_id=referral.staff_id,
                device_id=referral.device_id,
                bound_at=referral.bound_at,
                via=referral.via,
            )
        )
    # Accounts merged into these earlier now point at the primary directly.
    session.execute(
        update(Customer)
        .where(Customer.merged_into_id.in_(merged_ids))
        .values(merged_into_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    for a in read.merged:
        for kind, value in _identifiers(a.customer):
            session.add(
                RetiredIdentifier(
                    kind=kind.value, value=value, customer_id=a.customer.id, retired_at=now
                )
            )
        # The row keeps its phone, e-mail and LINE id (unique): found by them, it names the
        # primary; no password, so nobody signs in to it.
        a.customer.merged_into_id = primary.id
        a.customer.password_hash = None
    if shown.level != primary.level:
        primary.level = shown.level
    primary.updated_at = now
    session.flush()
    session.refresh(primary)
    levels.upgrade_by_spend(session=session, caller=actor, store_id=actor.store_id, member=primary)
    if shown.points_delta:
        points.change(
            session=session,
            actor=actor,
            member_id=primary.id,
            delta=shown.points_delta,
            reason=request.description or f"Merge of accounts {', '.join(map(str, merged_ids))}",
            expires_at=request.points_expires_at,
        )
    details: dict[str, object] = {
        "merged_ids": merged_ids,
        "orders_moved": shown.orders_moved,
        "net_spend_moved": sum(a.moving_spend for a in read.merged),
        "unpaid_orders_pending": shown.unpaid_orders_pending,
        "points_moved": shown.points_moved,
        "points_delta": shown.points_delta,
        "description": request.description,
        "identifiers_retired": [
            {"kind": i.kind.value, "value": i.value_masked, "member_id": i.member_id}
            for i in shown.identifiers_retired
        ],
        "referral_from": referral.customer_id if referral is not None else None,
    }
    audit.by_actor(
        session=session,
        actor=actor,
        action="member.merged",
        subject_type="customer",
        subject_id=primary.id,
        details=details,
    )
    webhook_events.emit(
        session=session,
        event=WebhookEvent.MEMBER_MERGED,
        data={"member_id": primary.id, "merged_ids": merged_ids},
    )
    for member_id in merged_ids:
        audit.by_actor(
            session=session,
            actor=actor,
            action="member.merged_away",
            subject_type="customer",
            subject_id=member_id,
            details={"merged_into_id": primary.id},
        )
    session.flush()
    return shown
