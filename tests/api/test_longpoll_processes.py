"""Long-poll across API processes sharing one PostgreSQL, without a connection per waiter."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from omo_backend import migrate
from omo_backend.db import Database
from tests.support.backend import DatabaseFactory
from tests.support.postgres import PostgresCluster
from tests.support.processes import log_in, serve_process

pytestmark = pytest.mark.slow


def seed(url: str) -> str:
    """A store, a staff member and an enrollment code, as the operator CLI makes them."""
    from backend_client.schemas import Role
    from omo_backend.devices import service as devices
    from omo_backend.staff import service as staff
    from omo_backend.stores import service as stores

    db = Database(url)
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        store = stores.create(session=session, code="TPE01", name="台北總店")
        staff.create(
            session=session, store=store, code="1001", name="Amy", role=Role.STAFF, pin="123456"
        )
        code = devices.create_enrollment_code(session=session, store=store, ttl_seconds=600)
    db.dispose()
    return code


def app_connections(cluster: PostgresCluster, dbname: str) -> int:
    with psycopg.connect(
        host="127.0.0.1", port=cluster.port, user=cluster.user, dbname="postgres"
    ) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND application_name = 'omo_backend'",
            (dbname,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_change_made_through_another_process_wakes_the_waiting_counter(
    postgresql_factory: DatabaseFactory, pg_cluster: PostgresCluster, tmp_path: Path
):
    url = postgresql_factory.new_url()
    dbname = url.rsplit("/", 1)[1]
    code = seed(url)
    with (
        serve_process(url, log_path=tmp_path / "a.log") as (base_a, _),
        serve_process(url, log_path=tmp_path / "b.log", args=("--no-dispatcher",)) as (base_b, _),
    ):
        counter, _ = log_in(base_a, code)
        invitations = [
            counter.post(
                base_a + "/api/v1/invitations", json={"phone": f"09123456{i:02d}"}, timeout=10
            ).json()
            for i in range(60)
        ]
        for inv in invitations:
            assert inv["status"] == "queued", inv

        def follow(inv: dict[str, object]) -> tuple[str, float]:
            started = time.monotonic()
            reply = counter.get(
                f"{base_a}/api/v1/invitations/{inv['id']}",
                params={"wait": 25, "known_status": "sent"},
                timeout=40,
            )
            body = reply.json()
            return body.get("status", body), time.monotonic() - started

        # Wait until all are "sent" so the waits below are for the next change only.
        deadline = time.monotonic() + 20
        while any(
            counter.get(f"{base_a}/api/v1/invitations/{i['id']}", timeout=10).json()["status"]
            != "sent"
            for i in invitations
        ):
            assert time.monotonic() < deadline

        with ThreadPoolExecutor(60) as pool:
            waiting = [pool.submit(follow, inv) for inv in invitations]
            time.sleep(2)  # give all 60 requests time to be held by process A
            early = [f.result() for f in waiting if f.done()]
            assert not early, f"long-polls returned before any change: {early}"
            # 60 counters waiting; the process holds its pool's few connections, not 60.
            assert app_connections(pg_cluster, dbname) <= 12

            # "Check again" at another process of the same deployment.
            other, _ = log_in(base_b, seed_code_again(url))
            for inv in invitations[:5]:
                reply = other.post(f"{base_b}/api/v1/invitations/{inv['id']}/cancel", timeout=10)
                assert reply.status_code in (200, 404), reply.text
            results = [f.result(timeout=40) for f in waiting[:5]]

        assert all(status == "cancelled" for status, _ in results), results
        assert all(waited < 15 for _, waited in results), results


def seed_code_again(url: str) -> str:
    from omo_backend.devices import service as devices
    from omo_backend.stores import service as stores

    db = Database(url)
    with db.transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code="TPE01")
        code = devices.create_enrollment_code(session=session, store=store, ttl_seconds=600)
    db.dispose()
    return code


def test_a_change_in_one_process_wakes_a_waiter_in_the_other_without_the_tick(
    postgresql_factory: DatabaseFactory, tmp_path: Path
):
    """The watchers' tick is an hour: only the NOTIFY from process B can wake A's waiter
    within its 25 s wait, so an answer with the new status proves the notification path."""
    url = postgresql_factory.new_url()
    code = seed(url)
    hour = {"OMO_LONGPOLL_CHECK_SECONDS": "3600"}
    with (
        serve_process(url, log_path=tmp_path / "a.log", extra_env=hour) as (base_a, _),
        serve_process(
            url, log_path=tmp_path / "b.log", extra_env=hour, args=("--no-dispatcher",)
        ) as (base_b, _),
    ):
        counter, _ = log_in(base_a, code)
        inv = counter.post(
            base_a + "/api/v1/invitations", json={"phone": "0912345600"}, timeout=10
        ).json()
        # Process A's dispatcher sends it (A notifies itself); wait for "sent" first.
        deadline = time.monotonic() + 20
        while (
            counter.get(f"{base_a}/api/v1/invitations/{inv['id']}", timeout=10).json()["status"]
            != "sent"
        ):
            assert time.monotonic() < deadline

        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(
                counter.get,
                f"{base_a}/api/v1/invitations/{inv['id']}",
                params={"wait": 25, "known_status": "sent"},
                timeout=40,
            )
            time.sleep(1)  # held by A
            assert not waiting.done(), waiting.result().text
            other, _ = log_in(base_b, seed_code_again(url))
            reply = other.post(f"{base_b}/api/v1/invitations/{inv['id']}/cancel", timeout=10)
            assert reply.status_code == 200, reply.text
            answer = waiting.result(timeout=40)
        assert answer.json()["status"] == "cancelled", answer.text
