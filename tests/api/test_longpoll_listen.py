"""The long-poll watcher wakes on PostgreSQL notifications, not on its tick (migration 0015).

The watcher's tick is an hour here, so a waiter can only return early through a notification.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import update

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.longpoll import ChangeWatcher
from omo_backend.models import Invitation, Store, utcnow
from omo_backend.pg_listen import conninfo
from tests.support.backend import DatabaseFactory
from tests.support.postgres import PostgresCluster

AN_HOUR = 3600.0
# Only a bound for a broken build: a working one answers in milliseconds.
DEADLINE = 30.0


def add_invitation(db: Database) -> int:
    with db.transaction() as session:
        store = Store(code="TPE01", name="台北總店")
        session.add(store)
        session.flush()
        invitation = Invitation(
            phone="+886912345678",
            token_hash="a" * 64,
            store_id=store.id,
            expires_at=utcnow() + timedelta(hours=1),
        )
        session.add(invitation)
        session.flush()
        return invitation.id


def bump(url: str, invitation_id: int) -> None:
    """A change written by another process: its own engine and connection."""
    other = Database(url)
    try:
        with other.transaction() as session:
            session.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id)
                .values(status="cancelled", version=Invitation.version + 1)
            )
    finally:
        other.dispose()


def listen_pids(url: str) -> set[int]:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'omo_backend_listen' "
            "AND datname = current_database()"
        ).fetchall()
    return {int(pid) for (pid,) in rows}


async def wait_listening(watcher: ChangeWatcher, url: str, not_pids: set[int]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not (watcher.listening and listen_pids(url) - not_pids):
        assert time.monotonic() < deadline, "the watcher never LISTENed"
        await asyncio.sleep(0.02)


Scenario = Callable[[ChangeWatcher, str, int], Awaitable[None]]


def run_with_watcher(url: str, scenario: Scenario, *, bumps: int = 0) -> None:
    """A fresh migrated database with one invitation (changed ``bumps`` times), and a watcher
    whose only quick way to wake is a notification."""
    db = Database(url)
    invitation_id = add_invitation(db)
    for _ in range(bumps):
        bump(url, invitation_id)

    async def main() -> None:
        watcher = ChangeWatcher(db, check_seconds=AN_HOUR)
        watcher.start()
        try:
            await wait_listening(watcher, url, set())
            await scenario(watcher, url, invitation_id)
        finally:
            await watcher.stop()

    try:
        run_apart(main)
    finally:
        db.dispose()


def run_apart(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``asyncio.run`` on a thread of its own: a test that ran before in this worker (the
    browser tests' Playwright sync API) can leave an event loop marked running on this one."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="watcher-scenario")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


async def woken_by(
    watcher: ChangeWatcher, invitation_id: int, version: int, change: Callable[[], None]
) -> None:
    """A waiter on ``version`` is held until ``change`` runs (on another thread), then returns
    well before its hour-long timeout (the deadline fails the test otherwise)."""
    waiting = asyncio.ensure_future(
        watcher.wait(Invitation, invitation_id, version=version, timeout=AN_HOUR, wake_at=None)
    )
    await asyncio.sleep(0.2)  # registered, and the check its registration triggers is done
    assert not waiting.done(), "returned before any change"
    await asyncio.get_running_loop().run_in_executor(None, change)
    await asyncio.wait_for(waiting, DEADLINE)


def test_a_change_written_elsewhere_wakes_the_waiter_through_notify(
    postgresql_factory: DatabaseFactory,
):
    async def scenario(watcher: ChangeWatcher, url: str, invitation_id: int) -> None:
        await woken_by(watcher, invitation_id, 1, lambda: bump(url, invitation_id))

    run_with_watcher(postgresql_factory.new_url(), scenario)


def test_the_listener_reconnects_after_its_connection_is_killed(
    postgresql_factory: DatabaseFactory,
):
    async def scenario(watcher: ChangeWatcher, url: str, invitation_id: int) -> None:
        killed = listen_pids(url)
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            for pid in killed:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await wait_listening(watcher, url, killed)
        await woken_by(watcher, invitation_id, 1, lambda: bump(url, invitation_id))

    run_with_watcher(postgresql_factory.new_url(), scenario)


def test_an_older_notification_does_not_wake_a_newer_waiter_and_a_delete_does(
    postgresql_factory: DatabaseFactory,
):
    async def scenario(watcher: ChangeWatcher, url: str, invitation_id: int) -> None:
        waiting = asyncio.ensure_future(
            watcher.wait(Invitation, invitation_id, version=2, timeout=AN_HOUR, wake_at=None)
        )
        await asyncio.sleep(0.2)
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute("SELECT pg_notify('omo_change', %s)", (f"invitation:{invitation_id}:2",))
        await asyncio.sleep(0.3)
        assert not waiting.done(), "woken by a version it already had"
        await asyncio.get_running_loop().run_in_executor(None, erase, url, invitation_id)
        await asyncio.wait_for(waiting, DEADLINE)

    run_with_watcher(postgresql_factory.new_url(), scenario, bumps=1)


def erase(url: str, invitation_id: int) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("DELETE FROM invitation WHERE id = %s", (invitation_id,))


@pytest.mark.slow
def test_the_listener_comes_back_after_postgresql_restarts() -> None:
    cluster = PostgresCluster().start()
    try:
        url = cluster.create_database("omo")
        migrated = Database(url)
        migrate.upgrade(migrated.engine)
        migrated.dispose()

        async def scenario(watcher: ChangeWatcher, url: str, invitation_id: int) -> None:
            before = listen_pids(url)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, cluster.pause)
            await loop.run_in_executor(None, cluster.resume)
            await wait_listening(watcher, url, before)
            await woken_by(watcher, invitation_id, 1, lambda: bump(url, invitation_id))

        run_with_watcher(url, scenario)
    finally:
        cluster.stop()
