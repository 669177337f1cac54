"""Two dispatchers racing for one outbox, as two processes would."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from backend_client.schemas import MessageStatus
from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.models import Message
from omo_backend.settings import Settings

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
