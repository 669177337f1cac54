"""Two admins merging overlapping accounts at the same moment, on the real PostgreSQL: one wins,
the other gets 409 and nothing of theirs is written; the loser waits on the winner's row
locks rather than reading around them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from backend_client import schemas
from backend_client.schemas import Role
from omo_backend.actor import Actor
from omo_backend.merges import service
from omo_backend.models import Device, RetiredIdentifier, Staff
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.directory import Shop, add_customer


@pytest.fixture
def pg_shop(postgresql_factory: DatabaseFactory) -> Iterator[Shop]:
    with live_backend(postgresql_factory) as backend:
        backend.add_store("TPE01", "台北總店")
        backend.add_store("KHH01", "高雄店")
        backend.add_staff("TPE01", code="1001", name="Amy")
        backend.add_staff("TPE01", code="2001", name="Mgr", role=Role.MANAGER)
        backend.add_staff("KHH01", code="2002", name="Mgr2", role=Role.MANAGER)
        backend.add_staff("TPE01", code="9001", name="Boss", role=Role.ADMIN)
        backend.add_staff("TPE01", code="9002", name="Head", role=Role.ADMIN)
        yield Shop(
            backend=backend,
            staff=backend.counter("TPE01", "1001"),
            manager=backend.counter("TPE01", "2001"),
            manager2=backend.counter("KHH01", "2002"),
            admin=backend.counter("TPE01", "9001"),
        )


def previewed(shop: Shop, admin: Any, primary: int, merged: list[int]) -> dict[str, Any]:
    body: dict[str, Any] = {"primary_id": primary, "member_ids": merged}
    reply = admin.post("/api/v1/members/merge/preview", json=body)
    assert reply.status_code == 200, reply.text
    return body | {"preview_id": reply.json()["preview_id"]}


def waiting_on_locks(backend: LiveBackend) -> int:
    with backend.db.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
        )


def admin_actor(backend: LiveBackend) -> Actor:
    with backend.db.transaction(write=False) as session:
        staff = session.scalars(select(Staff).where(Staff.code == "9002")).one()
        device = session.scalars(select(Device).where(Device.store_id == staff.store_id)).first()
        assert device is not None
        return Actor(
            session_id=0,
            staff_id=staff.id,
            staff_name=staff.name,
            role=Role.ADMIN,
            store_id=staff.store_id,
            device_id=device.id,
        )


def while_a_merge_holds_its_locks(
    backend: LiveBackend, body: dict[str, Any], send: Callable[[], requests.Response]
) -> requests.Response:
    """Merge ``body`` and hold its transaction open; ``send`` another request meanwhile, see it
    wait on the merge's row locks, then commit the merge: that request's reply."""
    actor = admin_actor(backend)
    holding, release = threading.Event(), threading.Event()

    def merge_and_hold() -> None:
        with backend.db.transaction() as session:
            service.merge(
                session=session,
                settings=backend.settings,
                actor=actor,
                request=schemas.MergeConfirm(**body),
            )
            holding.set()
            assert release.wait(30)

    with ThreadPoolExecutor(2) as pool:
        merging = pool.submit(merge_and_hold)
        assert holding.wait(30)
        waiting = pool.submit(send)
        deadline = time.monotonic() + 10
        while waiting_on_locks(backend) == 0:
            assert time.monotonic() < deadline, "the request never waited for the merge"
            assert not waiting.done(), waiting.result().text
            time.sleep(0.02)
        release.set()
        merging.result(30)
        return waiting.result(30)


def test_the_second_of_two_overlapping_merges_waits_for_the_first_then_gets_409(
    pg_shop: Shop,
) -> None:
    backend = pg_shop.backend
    a, b, c = (
        add_customer(backend, name=n, phone=f"+88691200000{i}", points=10)
        for i, n in enumerate(("A", "B", "C"))
    )
    first = previewed(pg_shop, pg_shop.admin, a, [b])
    second = previewed(pg_shop, pg_shop.admin, c, [b])  # b in both
    reply = while_a_merge_holds_its_locks(
        backend, first, lambda: pg_shop.admin.post("/api/v1/members/merge", json=second)
    )

    assert reply.status_code == 409, reply.text
    assert reply.json()["error"]["code"] == "member_merged"
    assert reply.json()["error"]["details"]["merged_into_id"] == a
    assert pg_shop.manager.get(f"/api/v1/members/{a}").json()["points"] == 20
    assert pg_shop.manager.get(f"/api/v1/members/{c}").json()["points"] == 10
    with backend.db.transaction(write=False) as session:
        retired = session.scalars(select(RetiredIdentifier.customer_id)).all()
    assert retired == [b]


def test_of_overlapping_merges_sent_at_once_exactly_one_wins(pg_shop: Shop) -> None:
    backend = pg_shop.backend
    second_admin = backend.counter("TPE01", "9002")
    for round_ in range(6):
        a, b, c = (
            add_customer(backend, name=n, phone=f"+8869130{round_:02d}0{i}", points=3)
            for i, n in enumerate(("A", "B", "C"))
        )
        # Each takes the other's primary: locks in id order keep this from deadlocking.
        bodies = [
            previewed(pg_shop, pg_shop.admin, a, [b, c]),
            previewed(pg_shop, second_admin, c, [a, b]),
        ]
        start = threading.Barrier(2)

        def send(
            admin: Any, body: dict[str, Any], start: threading.Barrier = start
        ) -> requests.Response:
            start.wait(10)
            reply: requests.Response = admin.post("/api/v1/members/merge", json=body)
            return reply

        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(send, (pg_shop.admin, second_admin), bodies))
        statuses = sorted(r.status_code for r in replies)
        assert statuses == [200, 409], [r.text for r in replies]
        lost = next(r for r in replies if r.status_code == 409)
        assert lost.json()["error"]["code"] in {"member_merged", "preview_stale"}
        won = next(r for r in replies if r.status_code == 200).json()
        assert won["points"] == 9
        with backend.db.transaction(write=False) as session:
            retired = session.scalar(
                select(func.count()).where(RetiredIdentifier.customer_id.in_([a, b, c]))
            )
        assert retired == 2


def test_a_sale_to_an_account_being_merged_waits_and_goes_to_the_primary(pg_shop: Shop) -> None:
    backend = pg_shop.backend
    a = add_customer(backend, name="A", phone="+886914000001")
    b = add_customer(backend, name="B", phone="+886914000002")
    body = previewed(pg_shop, pg_shop.admin, a, [b])
    reply = while_a_merge_holds_its_locks(
        backend,
        body,
        lambda: pg_shop.manager.post(
            "/api/v1/orders",
            json={"phone": "0914000002", "amount": 700},
            headers={"Idempotency-Key": "sale-during-merge"},
        ),
    )

    assert reply.status_code == 201, reply.text
    assert reply.json()["customer_id"] == a
    primary = pg_shop.manager.get(f"/api/v1/members/{a}").json()
    assert (primary["orders_count"], primary["net_spend"]) == (1, 700)
    merged = pg_shop.manager.get(f"/api/v1/members/{b}").json()
    assert (merged["orders_count"], merged["net_spend"]) == (0, 0)
