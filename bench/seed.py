"""A database for a bench run: migrated, a store with staff, and a large customer table."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from backend_client.schemas import Role
from bench.data import COLUMNS, Population, customer_rows
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.devices import service as devices
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as stores
from tests.support.postgres import PostgresCluster

STORE_CODE = "TPE01"
STAFF_CODE = "1001"
STAFF_PIN = "123456"
_BATCH = 50_000


@dataclass
class BenchDatabase:
    """Where the bench's data lives; ``close()`` removes it (the PostgreSQL cluster too)."""

    kind: str
    url: str
    db: Database
    folder: Path | None = None
    cluster: PostgresCluster | None = None

    @classmethod
    def create(cls, kind: str) -> BenchDatabase:
        if kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="omo-bench-"))
            url = f"sqlite:///{folder / 'omo.db'}"
            return cls(kind, url, Database(url), folder=folder)
        # The tests' throwaway cluster: initdb on a free loopback port, fsync off.
        cluster = PostgresCluster().start()
        try:
            url = cluster.create_database("omo_bench")
        except BaseException:
            cluster.stop()
            raise
        return cls(kind, url, Database(url), cluster=cluster)

    def close(self) -> None:
        self.db.dispose()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.cluster is not None:
            self.cluster.stop()


@dataclass(frozen=True)
class SeedTimes:
    customers: int
    seconds: float
    generate_seconds: float
    analyze_seconds: float


def seed_counter(database: Database) -> None:
    """The store and staff member an operator would add with the CLI, through its services."""
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        store = stores.create(session=session, code=STORE_CODE, name="台北總店 Taipei Main")
        staff_service.create(
            session=session,
            store=store,
            code=STAFF_CODE,
            name="Amy Lin 林怡君",
            role=Role.MANAGER,
            pin=STAFF_PIN,
        )


def enrollment_code(database: Database) -> str:
    with database.transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=STORE_CODE)
        return devices.create_enrollment_code(session=session, store=store, ttl_seconds=3600)


def store_id(database: Database) -> int:
    with database.transaction(write=False) as session:
        return stores.get_by_code_or_raise(session=session, code=STORE_CODE).id


def seed_customers(database: Database, population: Population) -> SeedTimes:
    """Bulk-load the customers: executemany on SQLite, COPY on PostgreSQL, one transaction."""
    sid = store_id(database)
    started = time.perf_counter()
    suffix = "+00" if database.is_postgresql else ""
    rows = _TimedBatches(customer_rows(population, sid, batch=_BATCH, utc_suffix=suffix))
    if database.is_postgresql:
        _copy_postgresql(database.engine, rows)
    else:
        _insert_sqlite(database.engine, rows)
    loaded = time.perf_counter()
    _analyze(database.engine)
    done = time.perf_counter()
    return SeedTimes(
        customers=len(population.customer_numbers),
        seconds=done - started,
        generate_seconds=rows.seconds,
        analyze_seconds=done - loaded,
    )


class _TimedBatches:
    """The batches, and how long making them took (Python's share of the seed time)."""

    def __init__(self, batches: Iterator[list[tuple[object, ...]]]) -> None:
        self._batches = batches
        self.seconds = 0.0

    def __iter__(self) -> Iterator[list[tuple[object, ...]]]:
        while True:
            mark = time.perf_counter()
            batch = next(self._batches, None)
            self.seconds += time.perf_counter() - mark
            if batch is None:
                return
            yield batch


def _insert_sqlite(engine: Engine, batches: _TimedBatches) -> None:
    sql = f"INSERT INTO customer ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    with engine.begin() as conn:
        # Random phone, name and date keys land all over five indexes: a large page cache
        # keeps them in memory for the load instead of re-reading them from the WAL.
        conn.exec_driver_sql("PRAGMA cache_size=-1000000")
        for batch in batches:
            conn.exec_driver_sql(sql, batch)  # executemany: a list of parameter tuples
        conn.exec_driver_sql("PRAGMA cache_size=-2000")


def _copy_postgresql(engine: Engine, batches: _TimedBatches) -> None:
    raw = engine.raw_connection()
    try:
        pg: Any = raw.driver_connection
        with (
            pg.cursor() as cursor,
            cursor.copy(f"COPY customer ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
        pg.commit()
    finally:
        raw.close()


def _analyze(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "sqlite":
        # Hand the server a short WAL: the load was one big transaction. Outside any
        # transaction (the driver connection is in autocommit), or it cannot truncate.
        raw = engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
