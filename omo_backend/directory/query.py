"""The member list's filters, sort and keyset pages over ``customer`` (never OFFSET).

Every filter is a condition on ``customer`` itself or an indexed ``referral`` lookup, and every
sort is a column with an index ending in the id (migrations 0009 and 0010), so a first page is
an index range scan whatever the filter. Pages continue from an opaque cursor: the last row's
sort value and id. A sort column that may be empty (a name, a past buyer's member-since) is
read in two runs, the rows with a value first and then those without, so neither database's
idea of where NULL sorts matters and both runs stay index scans.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    Row,
    Select,
    Text,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.selectable import TextualSelect
from sqlalchemy.sql.sqltypes import NullType

from backend_client.schemas import (
    MEMBER_TOTAL_CAP,
    MemberKind,
    MemberSort,
    MemberStatusFilter,
)
from omo_backend.directory.search_text import (
    TRIGRAM,
    is_short_word,
    needle_grams,
    query_text,
)
from omo_backend.errors import ValidationFailed
from omo_backend.models import Customer, Staff, Store

RECENT = timedelta(days=7)
# What a caller adds to a page's SELECT of (id, sort value): more columns, outer joins.
Extra = Callable[[Select[Any]], Select[Any]]


@dataclass(frozen=True)
class Filters:
    """The list's query, as API.md names it (and the export takes the same)."""

    q: str | None = None
    level: str | None = None
    status: MemberStatusFilter | None = None
    spend_min: int | None = None
    spend_max: int | None = None
    store: str | None = None
    staff: str | None = None
    line: bool | None = None
    joined_from: date | None = None
    joined_to: date | None = None
    kind: MemberKind = MemberKind.MEMBER

    def described(self) -> dict[str, object]:
        """The filters given, for the audit trail."""
        return {
            key: (value.isoformat() if isinstance(value, date) else str(value))
            if not isinstance(value, bool | int)
            else value
            for key, value in vars(self).items()
            if value is not None
        }


def _since(kind: MemberKind) -> InstrumentedAttribute[Any]:
    """When a row joined: members by member-since, past buyers by when first recorded."""
    return Customer.member_since if kind is MemberKind.MEMBER else Customer.created_at


# Join-date filters outside these days are clamped to them (no datetime overflows).
_FIRST_DAY = date(1900, 1, 1)
_LAST_DAY = date(9000, 1, 1)


def _day_start(day: date, zone: str) -> datetime:
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


def _store_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Store.id).where(Store.code == code))


def _q_condition(session: Session, q: str) -> ColumnElement[bool] | None:
    needle = query_text(q)
    if not needle:
        return None
    dialect = session.get_bind().dialect.name
    if is_short_word(needle):
        # One or two characters: a word of the name's pieces (search_text.name_grams).
        if dialect == "sqlite":
            return Customer.id.in_(_fts_match("customer_grams", needle))
        return _has_grams([needle])
    if dialect == "sqlite" and len(needle) >= TRIGRAM:
        return Customer.id.in_(_fts_match("customer_search", needle))
    # PostgreSQL: the pg_trgm GIN index serves LIKE '%…%' (of three characters or more; a
    # shorter needle that is not a word, "%" say, is a plain LIKE on either database).
    escaped = re.sub(r"([\\%_])", r"\\\1", needle)
    like = Customer.search_text.like(f"%{escaped}%", escape="\\")
    if dialect == "postgresql" and not needle.isascii():
        # pg_trgm makes no trigrams of Chinese in a database whose locale is C; only names
        # hold such text (phones and e-mails are ASCII), so the name's pieces narrow it.
        return and_(_has_grams(needle_grams(needle)), like)
    return like


def _has_grams(grams: list[str]) -> ColumnElement[bool]:
    """PostgreSQL: names holding all ``grams``, by the GIN index's own expression (its
    separator a literal, so the plan can match it)."""
    pieces = func.string_to_array(Customer.search_grams, literal_column("' '"))
    wanted = cast(postgresql.array(grams), ARRAY(Text))
    return pieces.op("@>", return_type=Boolean)(wanted)


def _fts_match(table: str, needle: str) -> TextualSelect:
    """The rowids of an FTS5 table (migration 0010) that hold ``needle`` as a phrase: with
    the trigram tokenizer, as a substring."""
    phrase = '"' + needle.replace('"', '""') + '"'
    statements = {
        "customer_search": "SELECT rowid FROM customer_search WHERE customer_search MATCH :p",
        "customer_grams": "SELECT rowid FROM customer_grams WHERE customer_grams MATCH :p",
    }
    return text(statements[table]).bindparams(p=phrase).columns(rowid=Integer)


def conditions(
    session: Session,
    filters: Filters,
    *,
    now: datetime,
    zone: str,
    referral_store_id: int | None = None,
    sort_column: Any = None,
) -> list[ColumnElement[bool]]:
    """The WHERE of the list: merged and erased accounts never appear.

    ``referral_store_id`` limits the rows to one referral store whatever the filters say (a
    manager's export); ``sort_column`` is the column the rows are sorted on.
    """
    since = _since(filters.kind)
    where: list[ColumnElement[bool]] = [
        Customer.merged_into_id.is_(None),
        Customer.erased_at.is_(None),
    ]
    if filters.kind is MemberKind.MEMBER:
        where.append(Customer.is_member == true())
    else:
        where += [Customer.is_member == false(), Customer.orders_count > 0]
    if filters.q:
        found = _q_condition(session, filters.q)
        if found is not None:
            where.append(found)
    if filters.level is not None:
        where.append(Customer.level == filters.level)
    if filters.status is MemberStatusFilter.NEW_7D:
        where.append(since >= now - RECENT)
    elif filters.status is MemberStatusFilter.OPEN_CART:
        where.append(Customer.open_cart_at >= now - RECENT)
    spend: ColumnElement[int] | InstrumentedAttribute[int] = Customer.net_spend
    if session.get_bind().dialect.name == "sqlite" and sort_column is not Customer.net_spend:
        # SQLite knows no spread of the values and takes a spend range for a narrow one: it
        # would read the whole range and sort it. "+ 0" keeps it off that index, so the
        # list's order index is read and the range checked row by row (PostgreSQL chooses
        # well from its statistics).
        spend = Customer.net_spend + 0
    if filters.spend_min is not None:
        where.append(spend >= filters.spend_min)
    if filters.spend_max is not None:
        where.append(spend <= filters.spend_max)
    if filters.line is not None:
        # "Not bound" is most rows: written so that no plan reads it through the unique
        # index of LINE ids (SQLite's statistics would pick it, then sort half the table).
        unbound = func.coalesce(Customer.line_user_id, "") == ""
        where.append(Customer.line_user_id.is_not(None) if filters.line else unbound)
    if filters.joined_from is not None:
        where.append(since >= _day_start(filters.joined_from, zone))
    if filters.joined_to is not None:
        where.append(
            since < _day_start(min(filters.joined_to, _LAST_DAY) + timedelta(days=1), zone)
        )
    # The referral's copy on ``customer`` (migration 0010): index range scans, no join.
    if referral_store_id is not None:
        where.append(Customer.referral_store_id == referral_store_id)
    store_id = None
    if filters.store is not None:
        store_id = _store_id(session, filters.store)
        if store_id is None:
            return [false()]
        where.append(Customer.referral_store_id == store_id)
    if filters.staff is not None:
        staff = select(Staff.id).where(Staff.code == filters.staff)
        if store_id is not None:
            staff = staff.where(Staff.store_id == store_id)
        staff_ids = list(session.scalars(staff))
        if not staff_ids:
            return [false()]
        where.append(Customer.referral_staff_id.in_(staff_ids))
    return where


# --- sorting and cursors ----------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    column: InstrumentedAttribute[Any]
    descending: bool
    nullable: bool


def sort_key(sort: MemberSort, kind: MemberKind) -> SortKey:
    name = sort.value.lstrip("-")
    descending = sort.value.startswith("-")
    if name == "member_since":
        return SortKey(_since(kind), descending, nullable=kind is MemberKind.MEMBER)
    if name == "name":
        return SortKey(Customer.name_search, descending, nullable=True)
    if name == "net_spend":
        return SortKey(Customer.net_spend, descending, nullable=False)
    return SortKey(Customer.orders_count, descending, nullable=False)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after (``value``, ``id``) in run ``empty`` (the rows
    without a sort value)."""

    sort: MemberSort
    empty: bool
    value: Any
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = json.dumps([self.sort.value, int(self.empty), value, self.id], ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        "That cursor is not one of this list's: start again from the first page.",
        code="invalid_cursor",
        details={"field": "cursor"},
    )


def decode_cursor(raw: str, sort: MemberSort, key: SortKey) -> Cursor:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        sort_name, empty, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if sort_name != sort.value or empty not in (0, 1) or not isinstance(row_id, int):
            raise invalid_cursor()
        if not 1 <= row_id < 2**63:
            raise invalid_cursor()
        if empty:
            value = None
        elif key.column is Customer.name_search:
            if not isinstance(value, str):
                raise invalid_cursor()
        elif key.column in (Customer.net_spend, Customer.orders_count):
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
                raise invalid_cursor()
        else:
            if not isinstance(value, str):
                raise invalid_cursor()
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise invalid_cursor()
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor() from exc
    return Cursor(sort=sort, empty=bool(empty), value=value, id=row_id)


def _run(
    where: Sequence[ColumnElement[bool]],
    key: SortKey,
    *,
    empty: bool,
    after: Cursor | None,
    limit: int,
    extra: Extra | None = None,
) -> Select[Any]:
    col = key.column
    # The sort value as the driver gives it: only the last row's becomes a cursor, so only it
    # goes through the column type's result processing (page_rows), not a whole batch's.
    raw: ColumnElement[Any] = type_coerce(col, NullType())
    query: Select[Any] = select(Customer.id, raw)
    if extra is not None:
        query = extra(query)
    query = query.where(*where)
    if key.nullable:
        query = query.where(col.is_(None) if empty else col.is_not(None))
    if after is not None:
        if empty:
            query = query.where(
                Customer.id < after.id if key.descending else Customer.id > after.id
            )
        else:
            mark = tuple_(literal(after.value, col.type), literal(after.id))
            pair = tuple_(col, Customer.id)
            query = query.where(pair < mark if key.descending else pair > mark)
    if empty:
        order = [Customer.id.desc() if key.descending else Customer.id]
    else:
        order = [col.desc(), Customer.id.desc()] if key.descending else [col, Customer.id]
    return query.order_by(*order).limit(limit)


def page_rows(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    sort: MemberSort,
    key: SortKey,
    after: Cursor | None,
    limit: int,
    extra: Extra | None = None,
) -> tuple[list[Row[*tuple[Any, ...]]], Cursor | None]:
    """One page's rows as plain tuples, in order: the id, the sort value (as the driver gives
    it), then what
    ``extra`` adds to the SELECT (columns, joins) in the same query; and the cursor after it
    (None: no more rows). The list reads the ids alone; the export its whole file's rows."""
    # Core, not the ORM: rows come as plain tuples.
    connection = session.connection()
    found: list[Row[*tuple[Any, ...]]] = []
    if after is None or not after.empty:
        found = list(
            connection.execute(
                _run(where, key, empty=False, after=after, limit=limit + 1, extra=extra)
            ).all()
        )
    empty_from = len(found)
    if key.nullable and len(found) <= limit:
        resume = after if after is not None and after.empty else None
        found += connection.execute(
            _run(where, key, empty=True, after=resume, limit=limit + 1 - len(found), extra=extra)
        ).all()
    if len(found) <= limit:
        return found, None
    last_index = limit - 1
    last = found[last_index]
    value = last[1]
    dialect = connection.dialect
    processor = key.column.type.dialect_impl(dialect).result_processor(dialect, None)
    return found[:limit], Cursor(
        sort=sort,
        empty=last_index >= empty_from,
        value=value if processor is None or value is None else processor(value),
        id=last[0],
    )


def count(session: Session, where: Sequence[ColumnElement[bool]]) -> tuple[int, bool]:
    """How many rows match, exactly up to ``MEMBER_TOTAL_CAP``; and whether that is exact."""
    capped = select(Customer.id).where(*where).limit(MEMBER_TOTAL_CAP + 1).subquery()
    found = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    return min(found, MEMBER_TOTAL_CAP), found <= MEMBER_TOTAL_CAP
