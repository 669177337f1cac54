"""The member list as a CSV file, streamed: UTF-8 with a BOM (so spreadsheet programs read
Chinese), the list's filters and sort, read from the database in keyset batches so memory
stays flat however many members there are. Every cell a spreadsheet could take for a formula
is neutralised. A manager's file holds only the members their own store referred."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, DateTime, Select, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.directory import query
from omo_backend.models import Customer, PointsEntry, Referral, Staff, Store, utcnow

BOM = "\ufeff"
BATCH = 5000
STAMP = "%Y-%m-%d %H:%M:%S"
HEADER = (
    "Member ID",
    "Name",
    "Mobile",
    "Email",
    "Birthday",
    "Level",
    "Member Points",
    "Net Spend",
    "Orders",
    "Open Cart",
    "LINE Bound",
    "Member Since",
    "Referral Store Code",
    "Referral Branch",
    "Referral Staff Code",
    "Referral Staff",
    "Referral Bound At",
    "Source",
)
# What a spreadsheet reads as the start of a formula (or, for tab and CR, a cell it would
# shift): OWASP's "CSV injection" list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading ``'`` where needed."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime(STAMP)
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(str(value))


def csv_lines(records: Sequence[Sequence[Any]], zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([_cell(value, zone) for value in record] for record in records)
    return out.getvalue()


def scope_store_id(actor: Actor) -> int | None:
    """A manager exports their own store's referrals; an admin every member (API.md Roles)."""
    return None if actor.role.at_least(schemas.Role.ADMIN) else actor.store_id


def record_export(
    *, db: Database, actor: Actor, filters: query.Filters, sort: schemas.MemberSort
) -> None:
    with db.transaction() as session:
        audit.by_actor(
            session=session,
            actor=actor,
            action="members.exported",
            details={
                "filters": filters.described(),
                "sort": sort.value,
                "referral_store_id": scope_store_id(actor),
            },
        )


def _columns(now: datetime) -> query.Extra:
    """What a batch's one query adds to the page's (id, sort value): the file's columns, the
    referral's binding time, and the points balance by the ledger's rule (rows.balances) read
    per row through the ledger's customer index. The referral's store and staff are the
    copies on ``customer`` (kept by migration 0010's triggers), named from ``_names``; times
    come as the driver gives them, without the UTC column type's per-value layer."""
    points = (
        select(func.coalesce(func.sum(PointsEntry.remaining), 0))
        .where(
            PointsEntry.customer_id == Customer.id,
            PointsEntry.delta > 0,
            or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > now),
        )
        .scalar_subquery()
    )

    def extra(select_: Select[Any]) -> Select[Any]:
        return select_.add_columns(
            Customer.name,
            Customer.phone,
            Customer.email,
            Customer.birthday,
            Customer.level,
            points,
            Customer.net_spend,
            Customer.orders_count,
            Customer.open_cart_at >= now - query.RECENT,
            Customer.line_user_id.is_not(None),
            type_coerce(Customer.member_since, DateTime()),
            Customer.referral_store_id,
            Customer.referral_staff_id,
            type_coerce(Referral.bound_at, DateTime()),
            Customer.source,
        ).outerjoin(Referral, Referral.customer_id == Customer.id)

    return extra


def _names(session: Session, model: type[Store] | type[Staff]) -> dict[Any, tuple[str, str]]:
    """Every store's (or staff member's) code and name as cells, by id: few rows, read once a
    batch instead of joined to every row."""
    found = session.execute(select(model.id, model.code, model.name))
    names: dict[Any, tuple[str, str]] = {
        ident: (safe_cell(code), safe_cell(name)) for ident, code, name in found
    }
    names[None] = ("", "")
    return names


def _number(value: int) -> int | str:
    return value if value >= 0 else safe_cell(str(value))


def stream(
    *,
    db: Database,
    where: Sequence[ColumnElement[bool]],
    sort: schemas.MemberSort,
    kind: schemas.MemberKind,
    zone: str,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The file, a batch of rows at a time, each batch read in one query (plain tuples, no
    ORM objects) in a short transaction of its own and continued after the last row's sort
    key (as the list's cursor does); ``on_rows`` hears how many rows each batch wrote (the
    CLI's progress)."""
    tz = ZoneInfo(zone)
    yield (BOM + csv_lines([HEADER], tz)).encode()
    key = query.sort_key(sort, kind)
    after: query.Cursor | None = None
    out = io.StringIO()
    writer = csv.writer(out)
    starts = FORMULA_STARTS
    unknown = ("", "")
    while True:
        with db.transaction(write=False) as session:
            # SQLite gives naive UTC times; PostgreSQL aware ones.
            naive = session.get_bind().dialect.name == "sqlite"
            stores = _names(session, Store)
            staff = _names(session, Staff)
            found, after = query.page_rows(
                session, where, sort, key, after, BATCH, _columns(utcnow())
            )
        # The cells inline, not through _cell: a function call a cell is most of the cost.
        # Text a person typed may start a formula; numbers only when negative; dates never.
        for row in found:
            (_, _, name, phone, email, birthday, level, points, net, orders, cart, line) = row[:12]
            since, store_id, staff_id, bound, source = row[12:]
            if since is not None:
                since = (since.replace(tzinfo=UTC) if naive else since).astimezone(tz)
            if bound is not None:
                bound = (bound.replace(tzinfo=UTC) if naive else bound).astimezone(tz)
            store = stores.get(store_id, unknown)
            person = staff.get(staff_id, unknown)
            writer.writerow(
                (
                    row[0],
                    name if name is None or not name.startswith(starts) else "'" + name,
                    phone if phone is None or not phone.startswith(starts) else "'" + phone,
                    email if email is None or not email.startswith(starts) else "'" + email,
                    None if birthday is None else birthday.isoformat(),
                    level if level is None or not level.startswith(starts) else "'" + level,
                    points if points >= 0 else _number(points),
                    net if net >= 0 else _number(net),
                    orders if orders >= 0 else _number(orders),
                    "Y" if cart else "N",
                    "Y" if line else "N",
                    None if since is None else since.isoformat(" ", "seconds")[:19],
                    store[0],
                    store[1],
                    person[0],
                    person[1],
                    None if bound is None else bound.isoformat(" ", "seconds")[:19],
                    source if source is None or not source.startswith(starts) else "'" + source,
                )
            )
        if found:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
            if on_rows is not None:
                on_rows(len(found))
        if after is None:
            return
