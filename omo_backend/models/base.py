"""Declarative base and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, TypeVar

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, MetaData, SmallInteger, inspect
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from omo_backend.clock import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC on the Python side on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


Row = TypeVar("Row", bound=Base)

# The largest value each integer column type holds on PostgreSQL (SQLite's hold more).
_INTEGER_MAX = ((SmallInteger, 2**15 - 1), (BigInteger, 2**63 - 1), (Integer, 2**31 - 1))


@cache
def _key_range(model: type[Base]) -> tuple[int, int]:
    [column] = inspect(model).primary_key
    top = next(top for kind, top in _INTEGER_MAX if isinstance(column.type, kind))
    return -top - 1, top


def find_by_id(session: Session, model: type[Row], row_id: int) -> Row | None:
    """``session.get`` for an id that came from outside: one the key column cannot hold is none.

    The wire takes any 64-bit id, but a key declared ``Integer`` is int4 on PostgreSQL, which
    answers a larger one with an error ("integer out of range"), not with no row.
    """
    low, high = _key_range(model)
    if not low <= row_id <= high:
        return None
    return session.get(model, row_id)
