"""A large member base for the member-management bench: customers with referrals, levels,
orders, carts, points and LINE links, reproducible and written in bulk.

Rows come from one seeded ``random.Random`` in chunks of customers; each chunk's rows go to
every table at once (executemany on SQLite, ``COPY`` on PostgreSQL), with explicit customer
ids so the child rows need no lookups. Each customer's running totals (``net_spend``,
``orders_count``, ``open_cart_at``) are computed from the very orders and carts written with
them by ``omo_backend.demo_crowd.totals``, as the demo's are.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from backend_client.schemas import Role
from bench.data import (
    _DOMAINS,
    _GIVEN,
    _PASSWORD_HASH,
    _ROMAN_GIVEN,
    _ROMAN_SURNAMES,
    _SURNAMES,
    Population,
    e164,
)
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.demo_crowd import LEVELS, CartFacts, OrderFacts, level_for, totals
from omo_backend.directory import counts
from omo_backend.directory.search_text import SEPARATOR, name_grams
from omo_backend.models import Customer, Level
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as store_service

STORES = [
    ("TPE01", "台北總店 Taipei Main"),
    ("TPE02", "信義店 Xinyi"),
    ("TPE03", "南港店 Nangang"),
    ("NTP01", "板橋店 Banqiao"),
    ("TYN01", "桃園店 Taoyuan"),
    ("HSZ01", "新竹店 Hsinchu"),
    ("TXG01", "台中店 Taichung"),
    ("TNN01", "台南店 Tainan"),
    ("KHH01", "高雄店 Kaohsiung"),
    ("HUN01", "花蓮店 Hualien"),
]
STAFF_PER_STORE = 5
# Who logs in to measure: a manager of the first store, and head office's admin (exports).
MANAGER = ("TPE01", "0101", "123456")
ADMIN = ("TPE01", "9001", "999999")
_CHUNK = 50_000


@dataclass(frozen=True)
class Refs:
    """The stores' and staff's ids, and which staff work where."""

    store_ids: list[int]
    staff_by_store: dict[int, list[int]]


@dataclass
class Chunk:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    referrals: list[tuple[Any, ...]] = field(default_factory=list)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    carts: list[tuple[Any, ...]] = field(default_factory=list)
    points: list[tuple[Any, ...]] = field(default_factory=list)

    def rows(self) -> int:
        return sum(len(t) for t in self.tables().values())

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            "customer": self.customers,
            "referral": self.referrals,
            "orders": self.orders,
            "cart": self.carts,
            "points_entry": self.points,
        }


COLUMNS = {
    "customer": (
        "id", "name", "name_search", "search_text", "search_grams", "phone", "email", "birthday",
        "is_member", "member_since", "password_hash", "level", "source", "source_store_id",
        "line_user_id", "line_friend", "line_linked_at", "net_spend", "orders_count",
        "open_cart_at", "created_at", "updated_at",
    ),
    "referral": ("customer_id", "store_id", "staff_id", "bound_at", "via"),
    "orders": (
        "customer_id", "store_id", "staff_id", "amount", "external_ref", "status",
        "refunded_amount", "currency", "email", "placed_at", "resend_count", "created_at",
        "updated_at",
    ),
    "cart": (
        "external_ref", "customer_id", "store_id", "amount", "items_count", "checked_out",
        "created_at", "updated_at",
    ),
    "points_entry": ("customer_id", "delta", "reason", "expires_at", "remaining", "created_at"),
}  # fmt: skip
_ORDER_COUNTS = [0, 0, 1, 1, 1, 2, 2, 3, 5]
_YEAR = 365 * 86400


def seed_people(database: Database) -> Refs:
    """Migrate; the stores, their staff (a manager each), head office's admin and the levels."""
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        store_ids: list[int] = []
        staff_by_store: dict[int, list[int]] = {}
        for number, (code, name) in enumerate(STORES, start=1):
            store = store_service.create(session=session, code=code, name=name)
            store_ids.append(store.id)
            staff_by_store[store.id] = [
                staff_service.create(
                    session=session,
                    store=store,
                    code=f"{number:02d}{n:02d}",
                    name=f"Staff {code}-{n}",
                    role=Role.MANAGER if n == 1 else Role.STAFF,
                    pin=MANAGER[2] if n == 1 else "222222",
                ).id
                for n in range(1, STAFF_PER_STORE + 1)
            ]
        first = store_service.get_by_code_or_raise(session=session, code=ADMIN[0])
        staff_service.create(
            session=session, store=first, code=ADMIN[1], name="Head Office", role=Role.ADMIN,
            pin=ADMIN[2],
        )  # fmt: skip
        for rank, (code, name_en, name_zh_tw, floor) in enumerate(LEVELS):
            session.add(
                Level(code=code, name_en=name_en, name_zh_TW=name_zh_tw, min_net_spend=floor,
                      rank=rank)
            )  # fmt: skip
    return Refs(store_ids, staff_by_store)


class _Clock:
    """Timestamps as text in the database's own input form (much faster than the types)."""

    def __init__(self, now: datetime, suffix: str) -> None:
        self.now = now
        self.suffix = suffix

    def ago(self, seconds: int) -> tuple[datetime, str]:
        when = self.now - timedelta(seconds=seconds)
        return when, self.text(when)

    def text(self, when: datetime) -> str:
        return f"{when.isoformat(' ')}.000000{self.suffix}"


def member_chunks(
    population: Population, refs: Refs, *, suffix: str, seed: int = 12, now: datetime | None = None
) -> Iterator[Chunk]:
    """The customers in ``_CHUNK``-sized chunks, ids from 1: 60 % members, 40 % past buyers."""
    rng = random.Random(seed)
    clock = _Clock(now or datetime.now(UTC).replace(microsecond=0, tzinfo=None), suffix)
    password = _PASSWORD_HASH  # bench.data.MEMBER_PASSWORD's
    chunk = Chunk()
    order_number = 0
    for index, national in enumerate(population.customer_numbers):
        customer_id = index + 1
        if rng.random() < 0.85:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        else:
            name = f"{rng.choice(_ROMAN_GIVEN)} {rng.choice(_ROMAN_SURNAMES)}"
        member = rng.random() < 0.6
        email = None
        if rng.random() < (0.6 if member else 0.15):
            email = f"{'m' if member else 'b'}{index:07d}@{rng.choice(_DOMAINS)}"
        first_seen, first_text = clock.ago(rng.randrange(3 * _YEAR))
        store_id = rng.choice(refs.store_ids)
        staff_id = rng.choice(refs.staff_by_store[store_id])
        since_text = None
        if member and rng.random() < 0.8:
            bound, since_text = clock.ago(rng.randrange(2 * _YEAR))
            if bound < first_seen:
                first_seen, first_text = bound, since_text
            chunk.referrals.append((customer_id, store_id, staff_id, since_text, "registration"))
        elif member:
            since_text = first_text
        # Orders, from first seen until now.
        facts: list[OrderFacts] = []
        span = max(int((clock.now - first_seen).total_seconds()), 1)
        for _ in range(rng.choice(_ORDER_COUNTS)):
            order_number += 1
            placed = clock.text(first_seen + timedelta(seconds=rng.randrange(span)))
            amount = rng.randrange(15, 600) * 1000
            roll = rng.random()
            status, refunded = "paid", 0
            if roll < 0.05:
                refunded = amount // 2
            elif roll < 0.09:
                status, refunded = "refunded", amount
            elif roll < 0.15:
                status = "unpaid"
            elif roll < 0.17:
                status = "cancelled"
            facts.append(OrderFacts(amount, refunded, status))
            chunk.orders.append(
                (customer_id, store_id, staff_id, amount, f"POS-{order_number:09d}", status,
                 refunded, "TWD", None, placed, 0, placed, None)
            )  # fmt: skip
        carts: list[CartFacts] = []
        if rng.random() < 0.15:
            updated, updated_text = clock.ago(rng.randrange(30 * 86400))
            checked_out = rng.random() < 0.4
            carts.append(CartFacts(checked_out, updated))
            chunk.carts.append(
                (f"cart-{customer_id}", customer_id, store_id, 50_000, 2, checked_out,
                 updated_text, updated_text)
            )  # fmt: skip
        sums = totals(facts, carts)
        line = member and rng.random() < 0.3
        if member and rng.random() < 0.5:
            points = rng.randrange(10, 2000)
            expires = clock.text(clock.now + timedelta(days=rng.randrange(-60, 365)))
            chunk.points.append(
                (customer_id, points, "Opening balance", expires, points, first_text)
            )
        birthday = None
        if member:
            birthday = (date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))).isoformat()
        chunk.customers.append(
            (
                customer_id, name, name.lower(), search_text(name, email, national),
                name_grams(name), e164(national), email, birthday, member,
                since_text, password if member else None,
                level_for(sums.net_spend) if member else None,
                "counter" if member else "pos", store_id,
                f"U{customer_id:032x}" if line else None, (customer_id % 5 != 0) if line else None,
                since_text if line else None, sums.net_spend, sums.orders_count,
                clock.text(sums.open_cart_at) if sums.open_cart_at else None,
                first_text, first_text,
            )
        )  # fmt: skip
        if len(chunk.customers) == _CHUNK:
            yield chunk
            chunk = Chunk()
    if chunk.customers:
        yield chunk


def search_text(name: str, email: str | None, national: int) -> str:
    """``search_text_of(name, email, e164(national))`` without parsing the phone number (a
    million parses would be a third of the seed): +886 9xxxxxxxx is 0 9xxxxxxxx at home."""
    digits = f"9{national:08d}"
    parts = [name.lower(), email] if email else [name.lower()]
    return SEPARATOR.join([*parts, f"886{digits}", f"0{digits}"])


@dataclass(frozen=True)
class SeedReport:
    customers: int
    rows: int
    seconds: float
    generate_seconds: float
    analyze_seconds: float
    members: int
    orders: int


def seed_members(database: Database, population: Population, refs: Refs) -> SeedReport:
    """Bulk-load the member base in one transaction, fold the member counts, then ANALYZE."""
    suffix = "+00" if database.is_postgresql else ""
    chunks = member_chunks(population, refs, suffix=suffix)
    started = time.perf_counter()
    generating = 0.0
    rows = 0
    raw = database.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if not database.is_postgresql:
            # Random keys land all over the indexes: keep them in memory for the load.
            driver.execute("PRAGMA cache_size=-1000000")
            driver.execute("BEGIN")  # the backend's connections are in autocommit
        while True:
            mark = time.perf_counter()
            chunk = next(chunks, None)
            generating += time.perf_counter() - mark
            if chunk is None:
                break
            rows += chunk.rows()
            for table, batch in chunk.tables().items():
                if batch:
                    _write(driver, database.is_postgresql, table, batch)
        if database.is_postgresql:
            with driver.cursor() as cursor:
                cursor.execute("SELECT setval('customer_id_seq', (SELECT max(id) FROM customer))")
            driver.commit()
        else:
            driver.execute("COMMIT")
            driver.execute("PRAGMA cache_size=-2000")
    finally:
        raw.close()
    # What the backend's housekeeping does within its interval: the triggers' log of member
    # count changes (a row per load statement and per referral) folded into the counts.
    with database.transaction() as session:
        counts.fold(session)
    loaded = time.perf_counter()
    _analyze(database.engine)
    done = time.perf_counter()
    with database.transaction(write=False) as session:
        members = session.scalar(select(func.count()).where(Customer.is_member)) or 0
        orders = session.scalar(select(func.sum(Customer.orders_count))) or 0
    return SeedReport(
        customers=len(population.customer_numbers),
        rows=rows,
        seconds=done - started,
        generate_seconds=generating,
        analyze_seconds=done - loaded,
        members=members,
        orders=orders,
    )


def _write(driver: Any, postgresql: bool, table: str, batch: list[tuple[Any, ...]]) -> None:
    columns = COLUMNS[table]
    if postgresql:
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    driver.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)


def _analyze(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            driver.execute("ANALYZE")
            # Hand the server a short WAL: the load was one big transaction.
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            driver.autocommit = True
            with driver.cursor() as cursor:
                # VACUUM sets the visibility map, so index-only scans work from the start.
                cursor.execute("VACUUM ANALYZE")
            driver.autocommit = False
    finally:
        raw.close()
