"""Long-poll without a thread or a database connection per waiting device.

Each waiting request is an asyncio future. One task per process reads the ``version`` of every
watched row in one query per tick and wakes the waiters whose row changed. Because it reads the
database, a change written by another API process (several processes on one PostgreSQL) wakes
them as well; a change made in this process also ``notify()``s, so it is seen without waiting
for the tick.

On PostgreSQL the tick is only the fallback: a trigger (migration 0015) NOTIFYs
``omo_change`` with the row and its new version when a followed row changes, in the writing
transaction, whichever process writes it (another API process, the dispatcher). Each process
LISTENs on one connection of its own (``omo_backend.pg_listen``) and wakes the waiters of that
row whose version is older, without a query. While that connection is down the tick carries
on alone, and after each reconnection one check looks for what was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Protocol, TypeVar

from anyio import to_thread
from fastapi import Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from omo_backend.db import Database
from omo_backend.models import BindingSession, Invitation, utcnow
from omo_backend.pg_listen import CHANGE_CHANNEL, Listener

log = logging.getLogger(__name__)

Watched = type[Invitation] | type[BindingSession]
# The table names migration 0015's trigger puts in its notifications.
_BY_TABLE: dict[str, Watched] = {
    Invitation.__tablename__: Invitation,
    BindingSession.__tablename__: BindingSession,
}
# The wire's range; the server waits at most ``longpoll_max_wait_seconds`` of it.
WaitQuery = Annotated[
    float,
    Query(ge=0, le=300, allow_inf_nan=False, description="seconds to wait for a change"),
]


class _Status(Protocol):
    @property
    def is_final(self) -> bool: ...


class _Followable(Protocol):
    @property
    def status(self) -> _Status: ...

    @property
    def expires_at(self) -> datetime: ...


F = TypeVar("F", bound=_Followable)
Row = TypeVar("Row", Invitation, BindingSession)
Out = TypeVar("Out")


def read_expiring(
    db: Database,
    *,
    get: Callable[[Session], Row],
    needs_expiry: Callable[[Row], bool],
    expire: Callable[[Row], None],
    out: Callable[[Session, Row], Out],
) -> tuple[Out, int]:
    """The row as a counter should see it, and its version.

    Expiry is written lazily, by the first reader after the deadline; reads stay read-only
    otherwise, so a long-poll's reads never queue behind writers on SQLite.
    """
    with db.transaction(write=False) as session:
        row = get(session)
        if not needs_expiry(row):
            return out(session, row), row.version
    with db.transaction() as session:
        row = get(session)
        if needs_expiry(row):
            expire(row)
            session.flush()
        return out(session, row), row.version


@dataclass(eq=False)
class _Waiter:
    version: int
    wake_at: datetime | None
    future: asyncio.Future[None] = field(repr=False)


class ChangeWatcher:
    def __init__(self, db: Database, check_seconds: float, *, listen: bool = True) -> None:
        """``listen``: on PostgreSQL, also wake on ``omo_change`` notifications."""
        self._db = db
        self._check_seconds = check_seconds
        self._listener: Listener | None = None
        if listen and db.is_postgresql:
            self._listener = Listener(
                db.url,
                [CHANGE_CHANNEL],
                self._on_notification,
                on_connect=self.notify,
                name="longpoll-listen",
            )
        self._waiters: dict[tuple[Watched, int], list[_Waiter]] = defaultdict(list)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def waiting(self) -> int:
        return sum(len(w) for w in self._waiters.values())

    @property
    def listening(self) -> bool:
        """Whether notifications arrive now (False on SQLite, or while reconnecting)."""
        return self._listener is not None and self._listener.connected

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="longpoll-watcher")
        if self._listener is not None:
            self._listener.start()

    async def stop(self) -> None:
        if self._listener is not None:
            await to_thread.run_sync(self._listener.stop)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.future.done():
                    waiter.future.set_result(None)

    def notify(self) -> None:
        """Something changed here: check now rather than at the next tick (any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    def _on_notification(self, channel: str, payload: str) -> None:
        # On the listener's thread: the waiters belong to the event loop.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._changed, payload)

    def _changed(self, payload: str) -> None:
        """``<table>:<id>:<version>`` (version -1: deleted): wake that row's older waiters."""
        table, _, rest = payload.partition(":")
        row_id, _, version = rest.partition(":")
        model = _BY_TABLE.get(table)
        if model is None or not row_id.isdigit() or not version.lstrip("-").isdigit():
            log.warning("unexpected change notification; checking every waiter instead")
            self._wakeup.set()
            return
        current = int(version)
        for waiter in self._waiters.get((model, int(row_id)), ()):
            if (current < 0 or current > waiter.version) and not waiter.future.done():
                waiter.future.set_result(None)

    async def wait(
        self, model: Watched, row_id: int, version: int, timeout: float, wake_at: datetime | None
    ) -> None:
        """Return when the row's version differs from ``version``, at ``wake_at``, or on timeout."""
        waiter = _Waiter(version, wake_at, asyncio.get_running_loop().create_future())
        key = (model, row_id)
        self._waiters[key].append(waiter)
        self._wakeup.set()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        finally:
            waiters = self._waiters.get(key)
            if waiters is not None:
                waiters.remove(waiter)
                if not waiters:
                    del self._waiters[key]

    async def _run(self) -> None:
        while True:
            if not self._waiters:
                self._wakeup.clear()
                await self._wakeup.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._check_seconds)
            self._wakeup.clear()
            try:
                await self._check()
            except Exception:
                log.exception("long-poll check failed; retrying at the next tick")

    async def _check(self) -> None:
        keys = list(self._waiters)
        if not keys:
            return
        ids: dict[Watched, list[int]] = defaultdict(list)
        for model, row_id in keys:
            ids[model].append(row_id)
        versions = await to_thread.run_sync(self._read_versions, dict(ids))
        now = utcnow()
        # Only the keys this read covered: waiters that arrived during it wait for the next.
        for key in keys:
            waiters = self._waiters.get(key, [])
            current = versions.get(key)
            for waiter in waiters:
                changed = current is None or current > waiter.version
                due = waiter.wake_at is not None and waiter.wake_at <= now
                if (changed or due) and not waiter.future.done():
                    waiter.future.set_result(None)

    def _read_versions(self, ids: dict[Watched, list[int]]) -> dict[tuple[Watched, int], int]:
        found: dict[tuple[Watched, int], int] = {}
        with self._db.transaction(write=False) as session:
            for model, row_ids in ids.items():
                for start in range(0, len(row_ids), 500):
                    chunk = row_ids[start : start + 500]
                    rows = session.execute(
                        select(model.id, model.version).where(model.id.in_(chunk))
                    )
                    for row_id, version in rows:
                        found[(model, row_id)] = version
        return found


async def follow(
    *,
    watcher: ChangeWatcher,
    model: Watched,
    row_id: int,
    read: Callable[[], tuple[F, int]],
    wait: float,
    known_status: str | None,
    also_same: Callable[[F], bool] | None = None,
) -> F:
    """``GET …?wait=N``: the current state, or the next one if it comes within ``wait``.

    ``read`` runs on a worker thread and returns the wire model and the row's version. A caller
    whose ``known_status`` is already stale gets the current state at once.
    """
    current, version = await to_thread.run_sync(read)
    unchanged = known_status is None or known_status == str(current.status)
    # A change the status does not show (the binding's LINE outcome) the caller already has?
    unchanged = unchanged and (also_same is None or also_same(current))
    if wait > 0 and unchanged and not current.status.is_final:
        await watcher.wait(model, row_id, version, timeout=wait, wake_at=current.expires_at)
        current, _ = await to_thread.run_sync(read)
    return current
