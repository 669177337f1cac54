"""The member list as a CSV file, streamed: UTF-8 with a BOM (so spreadsheet programs read
Chinese), the list's filters and sort, read from the database in keyset batches so memory
stays flat however many members there are. Every cell a spreadsheet could take for a formula
is neutralised. A manager's file holds only the members their own store referred."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    cast,
    extract,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NullType

from backend_client import schemas
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.directory import query, rows
from omo_backend.models import Customer, Referral, Staff, Store, utcnow

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


# A text that itself starts with the ``'`` the export adds gets one too, so the import
# (omo_backend/imports/csv_file.py) can take exactly one off and read every cell back as it was.
NEUTRALISED_STARTS = (*FORMULA_STARTS, "'")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading ``'`` where needed."""
    return "'" + text if text.startswith(NEUTRALISED_STARTS) else text


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


def _seconds(column: Any, dialect: str) -> ColumnElement[Any]:
    """A time column as whole seconds since the epoch (UTC), computed by the database:
    ``LocalStamps`` turns those into local text faster than datetimes would be made."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def _day(column: Any, dialect: str) -> ColumnElement[Any]:
    """A date column as ``YYYY-MM-DD`` text, whatever the session's date style."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return type_coerce(column, NullType())  # SQLite keeps the ISO text itself


def _columns(now: datetime, dialect: str) -> query.Extra:
    """What a batch's query adds to the page's (id, sort value): the file's columns, all on
    ``customer``. The referral's store and staff are the copies there (kept by migration
    0010's triggers), named from ``_names``; times come as seconds and days as text, so no
    value goes through a column type's layer. Points and binding times are read per batch
    (``_read``) by the batch's ids: joined here, PostgreSQL hashed the whole referral table
    for each batch of a store's export, and a subquery per row cost SQLite twice as much."""

    def extra(select_: Select[Any]) -> Select[Any]:
        return select_.add_columns(
            Customer.name,
            Customer.phone,
            Customer.email,
            _day(Customer.birthday, dialect),
            Customer.level,
            Customer.net_spend,
            Customer.orders_count,
            Customer.open_cart_at >= now - query.RECENT,
            Customer.line_user_id.is_not(None),
            _seconds(Customer.member_since, dialect),
            Customer.referral_store_id,
            Customer.referral_staff_id,
            Customer.source,
        )

    return extra


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VARIES = object()
_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))


class LocalStamps:
    """``YYYY-MM-DD HH:MM:SS`` in ``zone`` from whole seconds since the epoch.

    A zone's offset is read once per UTC hour and each local hour's ``YYYY-MM-DD HH:`` made
    once, so a stamp is two look-ups and a join: a file's rows fall in far fewer hours than
    there are rows. An hour in which the offset changes (a DST switch) is done the long way.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._offsets: dict[int, object] = {}
        self._hours: dict[int, str] = {}

    def slow(self, seconds: int) -> str:
        return (_EPOCH + timedelta(seconds=seconds)).astimezone(self.zone).strftime(STAMP)

    def _offset(self, hour: int) -> object:
        start = _EPOCH + timedelta(hours=hour)
        first = start.astimezone(self.zone).utcoffset()
        last = (start + timedelta(seconds=3599)).astimezone(self.zone).utcoffset()
        found: object = _VARIES if first != last or first is None else int(first.total_seconds())
        self._offsets[hour] = found
        return found

    def __call__(self, seconds: int) -> str:
        hour = seconds // 3600
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offset(hour)
        if offset is _VARIES:
            return self.slow(seconds)
        local_hour, rest = divmod(seconds + offset, 3600)  # type: ignore[operator]
        prefix = self._hours.get(local_hour)
        if prefix is None:
            prefix = (_EPOCH + timedelta(hours=local_hour)).strftime("%Y-%m-%d %H:")
            self._hours[local_hour] = prefix
        return prefix + _MINUTES_SECONDS[rest]


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


class _InPlace(Executor):
    """Runs what it is given at once, in the caller's thread. SQLite's reads hand the GIL
    back and forth row by row, so a reading thread beside the writing one is slower there
    (two runs each at 200,000 customers, nearly idle machine: 34k and 40k rows/s with a
    thread, 37k and 50k without)."""

    def submit(  # type: ignore[override]
        self, fn: Callable[..., _Batch], /, *args: Any, **kwargs: Any
    ) -> Future[_Batch]:
        done: Future[_Batch] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:
            done.set_exception(error)
        return done


class _Batch(NamedTuple):
    found: list[Any]
    after: query.Cursor | None
    stores: dict[Any, tuple[str, str]]
    staff: dict[Any, tuple[str, str]]
    points_of: dict[int, int]
    bound_at: dict[int, int]  # the referral's binding time, epoch seconds


def _read(
    db: Database,
    where: Sequence[ColumnElement[bool]],
    sort: schemas.MemberSort,
    key: query.SortKey,
    after: query.Cursor | None,
) -> _Batch:
    """One batch in one short transaction of its own: its rows in one query (plain tuples,
    no ORM objects), continued after ``after`` (as the list's cursor does)."""
    with db.transaction(write=False) as session:
        dialect = session.get_bind().dialect.name
        now = utcnow()
        found, following = query.page_rows(
            session, where, sort, key, after, BATCH, _columns(now, dialect)
        )
        ids = [row[0] for row in found]
        bound = select(Referral.customer_id, _seconds(Referral.bound_at, dialect)).where(
            rows.one_of(Referral.customer_id, ids, dialect)
        )
        return _Batch(
            found,
            following,
            _names(session, Store),
            _names(session, Staff),
            rows.balances(session, ids, now),
            {int(i): int(at) for i, at in session.execute(bound)} if ids else {},
        )


def stream(
    *,
    db: Database,
    where: Sequence[ColumnElement[bool]],
    sort: schemas.MemberSort,
    kind: schemas.MemberKind,
    zone: str,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The file, a batch of rows at a time (``_read``); ``on_rows`` hears how many rows each
    batch wrote (the CLI's progress).

    On PostgreSQL the next batch is read on a thread while this one is written: the server
    process's part then runs beside the Python that writes the cells, instead of each waiting
    for the other (at most two batches are held, so memory stays flat). SQLite reads in place
    (``_InPlace``).
    """
    tz = ZoneInfo(zone)
    stamp = LocalStamps(tz)
    yield (BOM + csv_lines([HEADER], tz)).encode()
    key = query.sort_key(sort, kind)
    out = io.StringIO()
    writer = csv.writer(out)
    starts = NEUTRALISED_STARTS
    unknown = ("", "")
    ahead = db.is_postgresql
    with ThreadPoolExecutor(1, "export-read") if ahead else _InPlace() as reader:
        coming = reader.submit(_read, db, where, sort, key, None)
        while True:
            found, after, stores, staff, points_of, bound_at = coming.result()
            if after is not None:
                coming = reader.submit(_read, db, where, sort, key, after)
            # The cells inline, not through _cell: a function call a cell is most of the
            # cost. Text a person typed may start a formula; numbers only when negative;
            # dates never.
            for row in found:
                (ident, _, name, phone, email, birthday, level, net, orders, cart, line) = row[:11]
                since, store_id, staff_id, source = row[11:]
                points = points_of.get(ident, 0)
                bound = bound_at.get(ident)
                store = stores.get(store_id, unknown)
                person = staff.get(staff_id, unknown)
                writer.writerow(
                    (
                        ident,
                        name if name is None or not name.startswith(starts) else "'" + name,
                        phone if phone is None or not phone.startswith(starts) else "'" + phone,
                        email if email is None or not email.startswith(starts) else "'" + email,
                        birthday,
                        level if level is None or not level.startswith(starts) else "'" + level,
                        points if points >= 0 else _number(points),
                        net if net >= 0 else _number(net),
                        orders if orders >= 0 else _number(orders),
                        "Y" if cart else "N",
                        "Y" if line else "N",
                        None if since is None else stamp(since),
                        store[0],
                        store[1],
                        person[0],
                        person[1],
                        None if bound is None else stamp(bound),
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
