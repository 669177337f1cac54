"""Engine and session factories for SQLite (WAL) and PostgreSQL.

SQLite note: a deferred transaction that reads first and writes later cannot wait for another
writer (SQLite returns SQLITE_BUSY at once to avoid a deadlock), so write transactions start
with ``BEGIN IMMEDIATE`` and queue on ``busy_timeout`` instead. Reads keep a plain ``BEGIN``
so WAL lets them run beside a writer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "omo_write"


# Requests run on up to 40 worker threads (anyio's default), plus the dispatcher and the
# long-poll watcher: the pool may grow that far, so no request waits for a connection.
_MAX_OVERFLOW = 35


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = _MAX_OVERFLOW) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=max_overflow,
            hide_parameters=True,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pre-ping round trip per request: after a database restart one request gets the
        # 503 envelope and SQLAlchemy drops the whole pool, so the next ones reconnect.
        pool_recycle=1800,
        # Error texts end up in logs; bound values can be phone numbers.
        hide_parameters=True,
        connect_args={"application_name": "omo_backend"},
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transaction start (pysqlite's own is wrong).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One engine and the two kinds of session the service uses."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = _MAX_OVERFLOW) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self.is_postgresql = self.engine.dialect.name == "postgresql"
        self._sqlite_writers = threading.RLock()
        # PostgreSQL reads run in autocommit: no BEGIN and ROLLBACK round trips around a
        # one-statement read. (SQLite's BEGIN costs nothing and keeps WAL snapshots whole.)
        read_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.is_postgresql
            else self.engine
        )
        self._read = sessionmaker(read_engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, write: bool) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        # SQLite's busy handler lets waiting writers sleep and retry, so under load some wait
        # far longer than others; queueing this process's writers on a lock keeps it fair.
        queue = self._sqlite_writers if write and not self.is_postgresql else nullcontext()
        with queue:
            session = self.session(write=write)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()
