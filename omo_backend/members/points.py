"""Member points: a ledger of grants and deductions, and the rules that keep the balance right.

- A grant (``delta`` > 0) may expire; a deduction (``delta`` < 0) spends grants, the
  earliest-expiring first and those without an expiry last (oldest first among equals).
- Expired grants cannot be spent; whatever of them was left simply stops counting.
- The balance is the sum of what is left of the unexpired grants, so it is never negative: a
  deduction larger than the balance is refused (422 ``insufficient_points``), nothing written.

The rules are the pure functions at the top (property-tested in tests/unit); the database
functions below apply them to ``points_entry`` rows in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.errors import NotFound, ValidationFailed
from omo_backend.models import Customer, PointsEntry, utcnow
from omo_backend.models.base import find_by_id


class InsufficientPoints(ValidationFailed):
    code = "insufficient_points"


class GrantLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def remaining(self) -> int | None: ...
    @property
    def expires_at(self) -> datetime | None: ...


G = TypeVar("G", bound=GrantLike)


@dataclass
class Grant:
    id: int
    remaining: int
    expires_at: datetime | None


def is_live(grant: GrantLike, now: datetime) -> bool:
    return grant.expires_at is None or grant.expires_at > now


def balance(grants: Iterable[GrantLike], now: datetime) -> int:
    """What can be spent at ``now``: the sum of what is left of the unexpired grants."""
    return sum(g.remaining or 0 for g in grants if is_live(g, now))


def spending_order(grants: Iterable[G], now: datetime) -> list[G]:
    """The grants a deduction spends, in the order it spends them."""
    live = [g for g in grants if is_live(g, now) and (g.remaining or 0) > 0]
    return sorted(live, key=lambda g: (g.expires_at is None, g.expires_at or now, g.id))


def allocate(grants: Sequence[GrantLike], amount: int, now: datetime) -> list[tuple[int, int]]:
    """``[(grant id, points taken)]`` for a deduction of ``amount`` (> 0) at ``now``.

    Raises :class:`InsufficientPoints` when the balance is smaller, taking nothing.
    """
    available = balance(grants, now)
    if amount > available:
        raise InsufficientPoints(
            "The member does not have that many points.",
            details={"balance": available, "requested": amount},
        )
    taken: list[tuple[int, int]] = []
    owed = amount
    for grant in spending_order(grants, now):
        if owed == 0:
            break
        take = min(owed, grant.remaining or 0)
        taken.append((grant.id, take))
        owed -= take
    return taken


# --- the database ----------------------------------------------------------------------------


def member_or_raise(session: Session, member_id: int, *, lock: bool = False) -> Customer:
    """The member, locked against a concurrent points change when ``lock`` (PostgreSQL)."""
    member = find_by_id(session, Customer, member_id)
    if member is None or not member.is_member:
        raise NotFound("No such member.", code="member_not_found")
    if lock:
        session.refresh(member, with_for_update=True)
    return member


def _live_grants(session: Session, customer_id: int, now: datetime) -> list[PointsEntry]:
    return list(
        session.scalars(
            select(PointsEntry).where(
                PointsEntry.customer_id == customer_id,
                PointsEntry.delta > 0,
                PointsEntry.remaining > 0,
                or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > now),
            )
        )
    )


def live_grants_of(
    session: Session, customer_ids: Sequence[int], now: datetime
) -> dict[int, list[PointsEntry]]:
    """``_live_grants`` of many members in one query."""
    found: dict[int, list[PointsEntry]] = {cid: [] for cid in customer_ids}
    rows = session.scalars(
        select(PointsEntry).where(
            PointsEntry.customer_id.in_(customer_ids),
            PointsEntry.delta > 0,
            PointsEntry.remaining > 0,
            or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > now),
        )
    )
    for grant in rows:
        found[grant.customer_id].append(grant)
    return found


def balance_of(session: Session, customer_id: int, now: datetime | None = None) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.remaining), 0)).where(
            PointsEntry.customer_id == customer_id,
            PointsEntry.delta > 0,
            or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > (now or utcnow())),
        )
    )
    return int(total or 0)


def change(
    *,
    session: Session,
    actor: Actor,
    member_id: int,
    delta: int,
    reason: str,
    expires_at: datetime | None,
) -> tuple[PointsEntry, int]:
    """Grant or deduct points; the entry and the new balance. Audited."""
    now = utcnow()
    if delta == 0:
        raise ValidationFailed(
            "A points change cannot be zero.", code="zero_points", details={"field": "delta"}
        )
    if expires_at is not None and delta < 0:
        raise ValidationFailed(
            "Only a grant can expire.", code="expiry_on_deduction", details={"field": "expires_at"}
        )
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            "The expiry must be in the future.",
            code="expiry_in_past",
            details={"field": "expires_at"},
        )
    member_or_raise(session, member_id, lock=True)
    before = balance_of(session, member_id, now)
    entry = write_entry(
        session=session,
        member_id=member_id,
        delta=delta,
        reason=reason,
        expires_at=expires_at,
        staff_id=actor.staff_id,
        device_id=actor.device_id,
        now=now,
    )
    after = balance_of(session, member_id, now)
    audit.by_actor(
        session=session,
        actor=actor,
        action="member.points_changed",
        subject_type="customer",
        subject_id=member_id,
        details={
            "entry_id": entry.id,
            "delta": delta,
            "reason": reason,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "balance_before": before,
            "balance_after": after,
        },
    )
    return entry, after


def write_entry(
    *,
    session: Session,
    member_id: int,
    delta: int,
    reason: str,
    expires_at: datetime | None,
    staff_id: int | None,
    device_id: int | None,
    now: datetime,
    flush: bool = True,
    live_grants: list[PointsEntry] | None = None,
) -> PointsEntry:
    """One ledger entry; a deduction spends grants by the rules above. The caller checks,
    locks and audits (``change``; the CSV import, which brings balances to the file's and
    flushes many entries at once: ``flush=False``, with each member's ``live_grants`` read
    beforehand for all of them, see ``live_grants_of``)."""
    entry = PointsEntry(
        customer_id=member_id,
        delta=delta,
        reason=reason,
        expires_at=expires_at,
        remaining=delta if delta > 0 else None,
        staff_id=staff_id,
        device_id=device_id,
        created_at=now,
    )
    if delta < 0:
        grants = live_grants if live_grants is not None else _live_grants(session, member_id, now)
        by_id = {g.id: g for g in grants}
        for grant_id, take in allocate(grants, -delta, now):
            by_id[grant_id].remaining = (by_id[grant_id].remaining or 0) - take
    session.add(entry)
    if flush:
        session.flush()
    return entry


def ledger(
    *, session: Session, member_id: int, before_id: int | None, limit: int
) -> tuple[list[PointsEntry], int | None]:
    """A page of the ledger, newest first, and the id to continue before (None: the end)."""
    query = select(PointsEntry).where(PointsEntry.customer_id == member_id)
    if before_id is not None:
        query = query.where(PointsEntry.id < before_id)
    rows = list(session.scalars(query.order_by(PointsEntry.id.desc()).limit(limit + 1)))
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None
