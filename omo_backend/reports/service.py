"""The reports' rules: which rows count, over which instants, and what a manager may see.

A report's ``from`` and ``to`` are calendar days (``to`` included) in the time zone of the
store the caller is logged in at: a manager in Taipei asking for "30 November" means midnight
to midnight in Taipei, whatever the server's zone. Every store of a merchant is in one zone
in practice; a store elsewhere reads the same instants through its own zone's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_client import schemas
from backend_client.schemas import MessageChannel, MessageStatus, ReportGrouping, Role
from omo_backend.actor import Actor
from omo_backend.errors import ValidationFailed
from omo_backend.models import Customer, Message, Referral, Staff, Store
from omo_backend.reports import pricing

FIRST_DAY = date.fromisoformat(schemas.REPORT_FIRST_DAY)
LAST_DAY = date.fromisoformat(schemas.REPORT_LAST_DAY)


@dataclass(frozen=True)
class Window:
    """The instants ``start`` (included) to ``end`` (excluded) the days of a report cover."""

    start: datetime
    end: datetime


def window_or_raise(*, session: Session, actor: Actor, first: date, last: date) -> Window:
    if not FIRST_DAY <= first <= LAST_DAY or not FIRST_DAY <= last <= LAST_DAY:
        raise ValidationFailed(
            f"Report days are from {FIRST_DAY} to {LAST_DAY}.", code="invalid_date_range"
        )
    if last < first:
        raise ValidationFailed("`to` is before `from`.", code="invalid_date_range")
    zone = ZoneInfo(session.get_one(Store, actor.store_id).timezone)
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return Window(start=start, end=end)


def shares(counts: list[int]) -> list[float]:
    """Each count's percent of the total to one decimal place, adding up to exactly 100.0.

    Largest remainders (Hamilton): every share is rounded down to a tenth, and the tenths
    left over go to the shares that lost the most, ties to the earlier row; rounding each share
    on its own can add up to 99.9 or 100.1, which a pie chart's legend shows.
    """
    total = sum(counts)
    if total == 0:
        return [0.0] * len(counts)
    exact = [count * 1000 for count in counts]  # tenths of a percent, times ``total``
    tenths = [value // total for value in exact]
    left = 1000 - sum(tenths)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] % total), i))
    for i in by_remainder[:left]:
        tenths[i] += 1
    return [t / 10 for t in tenths]


def registrations(
    *, session: Session, actor: Actor, window: Window, by: ReportGrouping
) -> list[schemas.RegistrationRow]:
    """Members whose referral was bound in ``window``, by referral store (and staff).

    Every store has a row when grouped by store (a store with none shows 0). Merged-away
    accounts do not count (their primary does); erased members still do (API.md). A manager
    sees another store's staff as one unnamed row per store: staff names are personal data,
    and a manager's reports name people of their own store's referrals only.
    """
    in_window = (
        select(Referral.store_id, Referral.staff_id)
        .join(Customer, Customer.id == Referral.customer_id)
        .where(
            Referral.bound_at >= window.start,
            Referral.bound_at < window.end,
            Customer.merged_into_id.is_(None),
        )
        .subquery()
    )
    stores = {s.id: s for s in session.scalars(select(Store))}
    hide_others = not actor.role.at_least(Role.ADMIN)
    if by is ReportGrouping.STORE:
        by_store = select(in_window.c.store_id, func.count()).group_by(in_window.c.store_id)
        counted: dict[int, int] = {k: v for k, v in session.execute(by_store)}
        rows = [
            schemas.RegistrationRow(
                store=store.code, store_name=store.name, members=counted.get(store.id, 0), percent=0
            )
            for store in stores.values()
        ]
    else:
        per_staff: dict[tuple[int, int | None], int] = {}
        by_staff = select(in_window.c.store_id, in_window.c.staff_id, func.count()).group_by(
            in_window.c.store_id, in_window.c.staff_id
        )
        for store_id, staff_id, count in session.execute(by_staff):
            hidden = hide_others and store_id != actor.store_id
            key = (store_id, None if hidden else staff_id)
            per_staff[key] = per_staff.get(key, 0) + count
        ids = [staff_id for _, staff_id in per_staff if staff_id is not None]
        named = select(Staff.id, Staff.name).where(Staff.id.in_(ids))
        names = {id_: name for id_, name in session.execute(named)}
        rows = []
        for (store_id, staff_id), count in per_staff.items():
            store = stores[store_id]
            hidden = hide_others and store_id != actor.store_id
            rows.append(
                schemas.RegistrationRow(
                    store=store.code,
                    store_name=store.name,
                    staff=names.get(staff_id) if staff_id is not None else None,
                    staff_id=staff_id,
                    staff_hidden=hidden,
                    members=count,
                    percent=0,
                )
            )
    rows.sort(key=lambda r: (-r.members, r.store, r.staff_hidden, r.staff or ""))
    for row, percent in zip(rows, shares([r.members for r in rows]), strict=True):
        row.percent = percent
    return rows


# What a provider bills: a message it accepted. ``failed`` ones were refused or given up
# (never accepted), ``queued`` and ``sending`` are not out yet; a sent message is billed
# whether or not the carrier later reports it delivered.
BILLED = MessageStatus.SENT.value


def sms_usage(*, session: Session, window: Window) -> list[schemas.SmsUsageRow]:
    """SMS sent in ``window`` (by their sending time), per sending store, with their cost."""
    query = (
        select(
            Message.store_id,
            func.count(),
            func.coalesce(func.sum(Message.segments), 0),
            func.coalesce(func.sum(Message.cost_units), 0),
        )
        .where(
            Message.channel == MessageChannel.SMS.value,
            Message.status == BILLED,
            Message.sent_at >= window.start,
            Message.sent_at < window.end,
        )
        .group_by(Message.store_id)
    )
    counted = {store_id: (n, seg, cost) for store_id, n, seg, cost in session.execute(query)}
    price = pricing.sms_price(session)
    rows = []
    stores = list(session.scalars(select(Store).order_by(Store.code)))
    keys: list[tuple[int | None, str | None, str | None]] = [(s.id, s.code, s.name) for s in stores]
    if None in counted:
        keys.append((None, None, None))
    for store_id, code, name in keys:
        messages, segments, cost_units = counted.get(store_id, (0, 0, 0))
        rows.append(
            schemas.SmsUsageRow(
                store=code,
                store_name=name,
                messages=int(messages),
                segments=int(segments),
                cost_units=int(cost_units),
                price_per_segment=price.price_per_segment if price else None,
                currency=price.currency if price else None,
                cost=int(cost_units) * price.price_per_segment if price else None,
            )
        )
    return rows
