"""The member list as a CSV file, streamed: UTF-8 with a BOM (so spreadsheet programs read
Chinese), the list's filters and sort, read from the database in keyset batches so memory
stays flat however many members there are. Every cell a spreadsheet could take for a formula
is neutralised. A manager's file holds only the members their own store referred."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement

from backend_client import schemas
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.directory import query, rows
from omo_backend.models import utcnow

BOM = "\ufeff"
BATCH = 1000
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
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
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


def stream(
    *,
    db: Database,
    where: Sequence[ColumnElement[bool]],
    sort: schemas.MemberSort,
    kind: schemas.MemberKind,
    zone: str,
) -> Iterator[bytes]:
    """The file, a batch of rows at a time, each batch read in a short transaction of its own
    and continued after the last row's sort key (as the list's cursor does)."""
    tz = ZoneInfo(zone)
    yield (BOM + csv_lines([HEADER], tz)).encode()
    key = query.sort_key(sort, kind)
    after: query.Cursor | None = None
    while True:
        now = utcnow()
        with db.transaction(write=False) as session:
            ids, after = query.page(session, where, sort, key, after, BATCH)
            found = rows.fetch(session, ids)
            points = rows.balances(session, ids, now)
        records = [
            (
                r.id,
                r.name,
                r.phone,
                r.email,
                r.birthday,
                r.level,
                points.get(r.id, 0),
                r.net_spend,
                r.orders_count,
                rows.is_open_cart(r.open_cart_at, now),
                r.line_user_id is not None,
                r.member_since,
                r.ref_store_code,
                r.ref_store_name,
                r.ref_staff_code,
                r.ref_staff_name,
                r.ref_bound_at,
                r.source,
            )
            for r in found
        ]
        if records:
            yield csv_lines(records, tz).encode()
        if after is None:
            return
