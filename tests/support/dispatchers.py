"""Two dispatchers racing for one outbox, as two processes would."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from backend_client.schemas import MessageStatus
from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.messaging.providers import SmsProvider
from omo_backend.models import Message
from omo_backend.settings import Settings
from tests.fakes.twilio_server import FakeTwilio

TWILIO_FROM = "+15005550006"
_WAITING = (MessageStatus.QUEUED.value, MessageStatus.SENDING.value)


def waiting_messages(database: Database) -> int:
    """Rows the dispatchers still owe an outcome (queued, or claimed and not yet recorded)."""
    with database.transaction(write=False) as session:
        count = session.scalar(
            select(func.count()).select_from(Message).where(Message.status.in_(_WAITING))
        )
    return int(count or 0)


def race_two_dispatchers(url: str, settings: Settings, *, timeout: float = 60.0) -> list[int]:
    """Run two dispatchers at once until every message has its outcome; how many rows each
    handled.

    Each keeps polling while the other works, as ``run_forever`` does: a dispatcher that
    found nothing to claim may find a row whose lease ran out a moment later.
    """
    start = threading.Barrier(2)
    settled = threading.Event()
    handled = [0, 0]
    errors: list[BaseException] = []

    def dispatch(slot: int) -> None:
        # Like two processes: each has its own engine and provider connections.
        db = Database(url)
        try:
            dispatcher = Dispatcher(db, settings)
            start.wait()
            while not settled.is_set():
                count = dispatcher.run_once()
                handled[slot] += count
                if count == 0:
                    settled.wait(0.01)
        except BaseException as exc:
            errors.append(exc)
            settled.set()
        finally:
            db.dispose()

    threads = [threading.Thread(target=dispatch, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    watcher = Database(url)
    try:
        deadline = time.monotonic() + timeout
        while not settled.is_set() and waiting_messages(watcher) > 0:
            if time.monotonic() > deadline:
                break
            settled.wait(0.02)
    finally:
        settled.set()
        watcher.dispose()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a dispatcher did not stop"
    return handled


_HISTORY_BODY = "OMO: finish joining at https://omo.example/r/…"
_HISTORY_COLUMNS = (
    "channel, purpose, to_address, body, status, provider, attempts, next_attempt_at, "
    "segments, cost_units, created_at, sent_at"
)


def fill_sent_history(database: Database, count: int, *, analyze: bool = True) -> None:
    """Add ``count`` sent SMS rows in one statement inside the database: years of a busy
    store's history in seconds (a generated series, not a million round trips). ``analyze``
    then refreshes the planner's statistics, as PostgreSQL's autovacuum would."""
    if database.is_postgresql:
        sql = (
            f"INSERT INTO message ({_HISTORY_COLUMNS}) "
            "SELECT 'sms', 'invitation', '+8869' || lpad(i::text, 8, '0'), :body, 'sent', "
            "'twilio', 1, :at, 1, 1, :at, :at FROM generate_series(1, :count) AS i"
        )
        at: object = "2026-01-01 00:00:00+00"
    else:
        sql = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            f"INSERT INTO message ({_HISTORY_COLUMNS}) "
            "SELECT 'sms', 'invitation', printf('+8869%08d', i), :body, 'sent', "
            "'twilio', 1, :at, 1, 1, :at, :at FROM n"
        )
        at = "2026-01-01 00:00:00.000000"
    with database.transaction() as session:
        session.execute(text(sql), {"count": count, "body": _HISTORY_BODY, "at": at})
    if analyze:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE message")


def message_selects(database: Database, run: Callable[[], object]) -> dict[str, Any]:
    """Each distinct SELECT on the message table that ``run`` makes, with the parameters of its
    first run: to EXPLAIN it (the tests) or measure its work (the bench) afterwards."""
    captured: dict[str, Any] = {}

    def capture(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM message" in statement:
            captured.setdefault(statement, parameters)

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return captured


@contextmanager
def dispatching(
    url: str, settings: Settings, providers: Sequence[SmsProvider | None]
) -> Iterator[None]:
    """One ``run_forever`` dispatcher per provider (None: the settings' own), each with its
    own engine as a process would have; stopped, their sends in flight finished, on exit."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def dispatch(provider: SmsProvider | None) -> None:
        db = Database(url)
        try:
            Dispatcher(db, settings, provider).run_forever(stop)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=dispatch, args=(p,)) for p in providers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a dispatcher did not stop"


def twilio_dispatch_env(
    database_url: str, twilio: FakeTwilio, data_dir: Path, **settings: str
) -> dict[str, str]:
    """The environment of an ``omo-backend dispatch`` child sending to the fake Twilio: this
    process's, without its OMO_ settings, plus ``settings`` (``OMO_…`` names)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OMO_")}
    env.update(
        OMO_DATA_DIR=str(data_dir),
        OMO_DATABASE_URL=database_url,
        OMO_SMS_PROVIDER="twilio",
        OMO_TWILIO_API_BASE=twilio.base_url,
        OMO_TWILIO_ACCOUNT_SID=twilio.account_sid,
        OMO_TWILIO_AUTH_TOKEN=twilio.auth_token,
        OMO_TWILIO_FROM=TWILIO_FROM,
        **settings,
    )
    return env
