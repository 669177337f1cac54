"""A page's rows as the wire has them: one query for the customers with their referral, one for
their points balances; masked here (backend_client/masking.py), never in a screen."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, ColumnElement, Row, any_, bindparam, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend_client import schemas
from backend_client.masking import mask_email, mask_phone
from omo_backend.directory.query import RECENT
from omo_backend.models import Customer, PointsEntry
from omo_backend.settings import Settings
from omo_backend.wire import REFERRAL_COLUMNS, referral_from_row, with_referral

AnyRow = Row[*tuple[Any, ...]]
ROWS = with_referral(
    select(
        Customer.id,
        Customer.name,
        Customer.phone,
        Customer.email,
        Customer.birthday,
        Customer.is_member,
        Customer.level,
        Customer.net_spend,
        Customer.orders_count,
        Customer.open_cart_at,
        Customer.line_user_id,
        Customer.member_since,
        Customer.created_at,
        Customer.source,
        *REFERRAL_COLUMNS,
    )
)


def one_of(
    column: InstrumentedAttribute[int], ids: Sequence[int], dialect: str
) -> ColumnElement[bool]:
    """``column`` among ``ids``, sent as one value (a JSON list SQLite reads with
    ``json_each``, an array on PostgreSQL): an IN of the export's 5,000 ids would be 5,000
    parameters, whose rendering cost as much as the query."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger)))
    listed = func.json_each(bindparam("ids", json.dumps(list(ids)))).table_valued("value")
    return column.in_(select(listed.c.value))


def balances(session: Session, ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Points balances of ``ids`` at once, by the ledger's rule (omo_backend/members/points.py
    ``balance_of``): what is left of the unexpired grants."""
    if not ids:
        return {}
    found = session.execute(
        select(PointsEntry.customer_id, func.coalesce(func.sum(PointsEntry.remaining), 0))
        .where(
            one_of(PointsEntry.customer_id, ids, session.get_bind().dialect.name),
            PointsEntry.delta > 0,
            or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > now),
        )
        .group_by(PointsEntry.customer_id)
    )
    return {int(cid): int(total or 0) for cid, total in found}


def fetch(session: Session, ids: Sequence[int]) -> list[AnyRow]:
    """The rows of ``ids``, in the order given."""
    if not ids:
        return []
    by_id: dict[int, AnyRow] = {r.id: r for r in session.execute(ROWS.where(Customer.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def is_open_cart(open_cart_at: datetime | None, now: datetime) -> bool:
    return open_cart_at is not None and open_cart_at >= now - RECENT


def member_row(r: AnyRow, points: int, settings: Settings, now: datetime) -> schemas.MemberRow:
    return schemas.MemberRow(
        id=r.id,
        name=r.name,
        phone_masked=mask_phone(r.phone),
        email_masked=mask_email(r.email),
        level=r.level,
        points=points,
        net_spend=r.net_spend,
        orders_count=r.orders_count,
        open_cart=is_open_cart(r.open_cart_at, now),
        referral=referral_from_row(r, settings),
        line_bound=r.line_user_id is not None,
        member_since=r.member_since,
        is_member=r.is_member,
        created_at=r.created_at,
    )


def member_rows(
    session: Session, ids: Sequence[int], settings: Settings, now: datetime
) -> list[schemas.MemberRow]:
    rows = fetch(session, ids)
    points = balances(session, [r.id for r in rows], now)
    return [member_row(r, points.get(r.id, 0), settings, now) for r in rows]
