"""Two dispatchers racing for one outbox, as two processes would."""

from __future__ import annotations

import threading

from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.settings import Settings


def race_two_dispatchers(url: str, settings: Settings) -> list[int]:
    """Run two dispatchers at once until the outbox is empty; how many rows each handled."""
    start = threading.Barrier(2)
    handled = [0, 0]
    errors: list[BaseException] = []

    def dispatch(slot: int) -> None:
        # Like two processes: each has its own engine and provider connections.
        db = Database(url)
        try:
            dispatcher = Dispatcher(db, settings)
            start.wait()
            while (count := dispatcher.run_once()) > 0:
                handled[slot] += count
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=dispatch, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return handled
