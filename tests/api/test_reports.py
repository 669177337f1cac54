"""Reports for managers (API.md "Member management"): registrations by referral store and staff,
SMS usage with its cost, over real HTTP on SQLite and PostgreSQL; the SMS price and the
counter-only device setting as an operator sets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select

from backend_client.schemas import Role
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import AuditEvent, Customer, Message, Referral, Staff, Store
from omo_backend.reports.service import shares
from tests.api.test_cli import omo
from tests.support.backend import Counter, DatabaseFactory, LiveBackend

# 30 November 2026 begins at 16:00 UTC the day before in Taipei (UTC+8).
NOV30_TAIPEI = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def shop(backend: LiveBackend) -> LiveBackend:
    """Two stores in Taipei's time zone; TPE01 has Amy (staff), Ben (staff), Mia (manager) and
    Ada (admin), KHH01 has Kai (staff)."""
    backend.add_store("TPE01", "台北總店")
    backend.add_store("KHH01", "高雄店")
    backend.add_store("TCH01", "台中店")
    backend.add_staff("TPE01", "1001", "Amy")
    backend.add_staff("TPE01", "1002", "Ben")
    backend.add_staff("TPE01", "2001", "Mia", role=Role.MANAGER)
    backend.add_staff("TPE01", "9001", "Ada", role=Role.ADMIN)
    backend.add_staff("KHH01", "1001", "Kai")
    return backend


def staff_id(backend: LiveBackend, store: str, name: str) -> int:
    with backend.db.transaction(write=False) as session:
        found = session.scalars(select(Staff).where(Staff.name == name)).all()
        return next(s.id for s in found if s.store.code == store)


def store_id(backend: LiveBackend, code: str) -> int:
    with backend.db.transaction(write=False) as session:
        return session.scalars(select(Store.id).where(Store.code == code)).one()


def bind(
    backend: LiveBackend,
    store: str,
    staff: str | None,
    at: datetime,
    *,
    merged_into: int | None = None,
) -> int:
    """A member whose referral the counter of ``store`` bound at ``at``."""
    sid = store_id(backend, store)
    who = staff_id(backend, store, staff) if staff else None
    with backend.db.transaction() as session:
        member = Customer(is_member=True, name="m", merged_into_id=merged_into)
        session.add(member)
        session.flush()
        session.add(
            Referral(customer_id=member.id, store_id=sid, staff_id=who, bound_at=at, via="qr")
        )
        return member.id


def sms(
    backend: LiveBackend,
    store: str | None,
    *,
    status: str = "sent",
    segments: int = 1,
    sent_at: datetime = NOV30_TAIPEI + timedelta(hours=3),
    channel: str = "sms",
) -> None:
    sid = store_id(backend, store) if store else None
    with backend.db.transaction() as session:
        session.add(
            Message(
                channel=channel,
                purpose="invitation",
                to_address="+886912345678",
                body="x",
                status=status,
                provider="outbox",
                segments=segments,
                cost_units=segments,
                store_id=sid,
                sent_at=sent_at if status == "sent" else None,
                created_at=sent_at - SECOND,
                # Never due: the live backend's dispatcher would send a queued one.
                next_attempt_at=datetime(2999, 1, 1, tzinfo=UTC),
            )
        )


def report(who: Counter, path: str, **query: str) -> Any:
    reply = who.get(f"/api/v1/reports/{path}", params=query)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_shares_add_up_to_exactly_100_by_largest_remainders():
    assert shares([1, 1, 1]) == [33.4, 33.3, 33.3]
    assert shares([2, 1]) == [66.7, 33.3]
    assert shares([0, 0]) == [0.0, 0.0]
    assert shares([]) == []
    assert shares([1, 0, 5, 7]) == [7.7, 0.0, 38.5, 53.8]
    for counts in ([3, 3, 1], [1] * 7, [999, 1, 1]):
        assert round(sum(shares(counts)), 1) == 100.0


def test_registrations_by_store_count_the_days_of_the_range_in_the_stores_time_zone(
    shop: LiveBackend,
):
    manager = shop.counter("TPE01", "2001")
    bind(shop, "TPE01", "Amy", NOV30_TAIPEI)  # 00:00 on the 30th in Taipei: counts
    bind(shop, "TPE01", "Ben", NOV30_TAIPEI - SECOND)  # 23:59:59 on the 29th: does not
    bind(shop, "TPE01", None, NOV30_TAIPEI + timedelta(hours=20))
    primary = bind(shop, "KHH01", "Kai", NOV30_TAIPEI + timedelta(hours=23, minutes=59))
    # An account merged into another counts once, as its primary.
    bind(shop, "KHH01", "Kai", NOV30_TAIPEI + timedelta(hours=1), merged_into=primary)
    bind(shop, "KHH01", "Kai", NOV30_TAIPEI + timedelta(days=1))  # 1 December: not in range

    rows = report(manager, "registrations", **{"from": "2026-11-30", "to": "2026-11-30"})
    assert [(r["store"], r["store_name"], r["members"], r["percent"]) for r in rows] == [
        ("TPE01", "台北總店", 2, 66.7),
        ("KHH01", "高雄店", 1, 33.3),
        ("TCH01", "台中店", 0, 0.0),  # every store has a row
    ]
    assert all(r["staff"] is None for r in rows)
    # `to` is included: the 29th to the 1st takes in all five unmerged members.
    wide = report(manager, "registrations", **{"from": "2026-11-29", "to": "2026-12-01"})
    assert {r["store"]: r["members"] for r in wide} == {"TPE01": 3, "KHH01": 2, "TCH01": 0}
    assert sum(r["percent"] for r in wide) == pytest.approx(100.0)
    # By default a report groups by store.
    assert report(manager, "registrations", **{"from": "2026-11-30", "to": "2026-11-30"}) == rows
    empty = report(manager, "registrations", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert [r["percent"] for r in empty] == [0.0, 0.0, 0.0]


def test_by_staff_a_manager_sees_their_own_stores_staff_and_other_stores_as_one_row(
    shop: LiveBackend,
):
    for name in ("Amy", "Amy", "Ben", None):
        bind(shop, "TPE01", name, NOV30_TAIPEI + timedelta(hours=2))
    for _ in range(3):
        bind(shop, "KHH01", "Kai", NOV30_TAIPEI + timedelta(hours=2))
    day = {"from": "2026-11-30", "to": "2026-11-30", "by": "staff"}

    manager = shop.counter("TPE01", "2001")
    rows = report(manager, "registrations", **day)
    seen = [(r["store"], r["staff"], r["staff_hidden"], r["members"], r["percent"]) for r in rows]
    assert seen == [
        ("KHH01", None, True, 3, 42.8),  # Kai is a person of another store: not named
        ("TPE01", "Amy", False, 2, 28.6),
        ("TPE01", None, False, 1, 14.3),  # bound with no staff recorded
        ("TPE01", "Ben", False, 1, 14.3),
    ]
    assert next(r for r in rows if r["store"] == "KHH01")["staff_id"] is None

    admin = shop.counter("TPE01", "9001")
    named = report(admin, "registrations", **day)
    assert next((r["store"], r["staff"], r["staff_hidden"]) for r in named) == (
        "KHH01",
        "Kai",
        False,
    )
    assert named[0]["staff_id"] == staff_id(shop, "KHH01", "Kai")
    # A manager of KHH01 sees Kai by name, and TPE01's staff as one row.
    shop.add_staff("KHH01", "2002", "Kim", role=Role.MANAGER)
    khh = report(shop.counter("KHH01", "2002"), "registrations", **day)
    assert [(r["store"], r["staff"], r["members"]) for r in khh] == [
        ("TPE01", None, 4),
        ("KHH01", "Kai", 3),
    ]


def test_counter_staff_see_no_report_and_a_range_must_be_days_in_order(shop: LiveBackend):
    staff = shop.counter("TPE01", "1001")
    for path in ("registrations", "sms-usage"):
        reply = staff.get(
            f"/api/v1/reports/{path}", params={"from": "2026-11-01", "to": "2026-11-30"}
        )
        assert reply.status_code == 403
        assert reply.json()["error"]["code"] == "forbidden"
    manager = shop.counter("TPE01", "2001")
    for query, code in (
        ({"from": "2026-11-30", "to": "2026-11-01"}, "invalid_date_range"),
        ({"from": "1999-12-31", "to": "2026-11-01"}, "invalid_date_range"),
        ({"from": "2026-11-30", "to": "9999-12-31"}, "invalid_date_range"),
        ({"to": "2026-11-01"}, "validation_error"),
        ({"from": "2026-11-30", "to": "yesterday"}, "validation_error"),
        ({"from": "2026-11-01", "to": "2026-11-30", "by": "device"}, "validation_error"),
    ):
        reply = manager.get("/api/v1/reports/registrations", params=query)
        assert reply.status_code == 422, (query, reply.text)
        assert reply.json()["error"]["code"] == code


def test_sms_usage_counts_sent_sms_per_store_and_prices_them_once_a_price_is_set(
    shop: LiveBackend,
):
    sms(shop, "TPE01", segments=1)
    sms(shop, "TPE01", segments=3)
    sms(shop, "KHH01", segments=2)
    sms(shop, None, segments=1)  # an integration's first-login SMS: no store sent it
    sms(shop, "TPE01", status="failed", segments=5)  # never accepted: not billed
    sms(shop, "TPE01", status="queued", segments=5)  # not out yet
    sms(shop, "TPE01", channel="email")  # e-mail is not SMS
    sms(shop, "KHH01", sent_at=NOV30_TAIPEI - SECOND)  # the 29th in Taipei
    day = {"from": "2026-11-30", "to": "2026-11-30"}
    manager = shop.counter("TPE01", "2001")

    rows = report(manager, "sms-usage", **day)
    assert [(r["store"], r["messages"], r["segments"], r["cost_units"]) for r in rows] == [
        ("KHH01", 1, 2, 2),
        ("TCH01", 0, 0, 0),
        ("TPE01", 2, 4, 4),
        (None, 1, 1, 1),
    ]
    assert {(r["price_per_segment"], r["currency"], r["cost"]) for r in rows} == {
        (None, None, None)
    }

    url = shop.settings.database_url
    done = omo(url, "settings", "set", "sms-segment-price", "150", "--currency", "TWD")
    assert done.returncode == 0, done.stderr
    assert "150 TWD" in omo(url, "settings", "show").stdout
    rows = report(manager, "sms-usage", **day)
    assert [(r["store"], r["cost"], r["price_per_segment"], r["currency"]) for r in rows] == [
        ("KHH01", 300, 150, "TWD"),
        ("TCH01", 0, 150, "TWD"),
        ("TPE01", 600, 150, "TWD"),
        (None, 150, 150, "TWD"),
    ]
    bad = omo(url, "settings", "set", "sms-segment-price", "150", "--currency", "twd")
    assert bad.returncode == 2
    assert "currency" in bad.stderr
    assert omo(url, "settings", "set", "sms-segment-price", "-1").returncode == 2
    with shop.db.transaction(write=False) as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.sms_segment_price")
        )
        assert event.details == {
            "by": "operator",
            "before": None,
            "after": {"price_per_segment": 150, "currency": "TWD"},
        }


def log_in(backend: LiveBackend, device: str) -> Any:
    """Mia's log-in reply on ``device``."""
    reply = backend.http.post(
        backend.url("/api/v1/staff/login"),
        json={"staff_code": "2001", "pin": "123456"},
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_counter_only_device_says_so_at_every_log_in(shop: LiveBackend):
    device = shop.enroll("TPE01")
    first = log_in(shop, device)
    assert first["counter_only"] is False
    manager = Counter(shop, first["session_token"])
    (listed,) = manager.get("/api/v1/devices").json()["items"]
    url = shop.settings.database_url
    done = omo(url, "device", "set", str(listed["id"]), "--counter-only")
    assert done.returncode == 0, done.stderr
    assert log_in(shop, device)["counter_only"] is True
    assert manager.get("/api/v1/devices").json()["items"][0]["counter_only"] is True
    assert omo(url, "device", "set", str(listed["id"]), "--no-counter-only").returncode == 0
    with shop.db.transaction(write=False) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "device.counter_only")
        ).all()
        assert [(e.details["before"], e.details["after"]) for e in events] == [
            (False, True),
            (True, False),
        ]


def test_migration_0011_goes_up_and_back_down(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    try:
        migrate.upgrade(db.engine, "0009")
        migrate.upgrade(db.engine)
        schema = inspect(db.engine)
        assert "merchant_setting" in schema.get_table_names()
        assert "counter_only" in {c["name"] for c in schema.get_columns("device")}
        assert "ix_referral_bound_at" in {i["name"] for i in schema.get_indexes("referral")}
        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009")
        schema = inspect(db.engine)
        assert "merchant_setting" not in schema.get_table_names()
        assert "counter_only" not in {c["name"] for c in schema.get_columns("device")}
        assert "ix_referral_bound_at" not in {i["name"] for i in schema.get_indexes("referral")}
    finally:
        db.dispose()
