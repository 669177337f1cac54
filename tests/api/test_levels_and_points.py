"""Levels (any staff reads, an admin replaces) and the points ledger (managers and admins),
over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from backend_client.schemas import Role
from omo_backend.models import AuditEvent, Customer, utcnow
from tests.support.backend import Counter, LiveBackend
from tests.support.clock import StoppedClock, stopped_clock

__all__ = ["stopped_clock"]

LEVELS = [
    {"code": "regular", "name_en": "Regular", "name_zh_TW": "一般會員", "min_net_spend": None},
    {"code": "silver", "name_en": "Silver", "name_zh_TW": "銀卡", "min_net_spend": 500000},
    {"code": "gold", "name_en": "Gold", "name_zh_TW": "金卡", "min_net_spend": 2000000},
]


@pytest.fixture
def staff(backend: LiveBackend) -> Counter:
    backend.add_store()
    backend.add_staff()
    return backend.counter()


@pytest.fixture
def manager(backend: LiveBackend, staff: Counter) -> Counter:
    backend.add_staff(code="2001", role=Role.MANAGER)
    return backend.counter(staff_code="2001")


@pytest.fixture
def admin(backend: LiveBackend, staff: Counter) -> Counter:
    backend.add_staff(code="9001", role=Role.ADMIN)
    return backend.counter(staff_code="9001")


def put_levels(counter: Counter, body: Any) -> requests.Response:
    return counter.http.put(counter.backend.url("/api/v1/levels"), json=body, timeout=40)


def change(
    counter: Counter, member_id: int, body: dict[str, Any], key: str | None = None
) -> requests.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return counter.post(f"/api/v1/members/{member_id}/points", json=body, headers=headers)


def audits(backend: LiveBackend, action: str) -> list[AuditEvent]:
    with backend.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_levels_none_until_an_admin_sets_them(backend: LiveBackend, staff: Counter, admin: Counter):
    assert staff.get("/api/v1/levels").json() == []
    reply = put_levels(admin, LEVELS)
    assert reply.status_code == 200, reply.text
    assert reply.json() == LEVELS
    assert staff.get("/api/v1/levels").json() == LEVELS
    # The whole list is replaced, in the order given (lowest rank first).
    assert put_levels(admin, LEVELS[1:][::-1][::-1]).json() == LEVELS[1:]
    assert staff.get("/api/v1/levels").json() == LEVELS[1:]
    (first, second) = audits(backend, "levels.replaced")
    assert first.details == {"before": [], "after": LEVELS}
    assert second.details == {"before": LEVELS, "after": LEVELS[1:]}
    assert second.staff_id is not None
    assert second.device_id is not None


def test_only_an_admin_replaces_levels(staff: Counter, manager: Counter):
    for who in (staff, manager):
        reply = put_levels(who, LEVELS)
        assert reply.status_code == 403
        assert reply.json()["error"]["code"] == "forbidden"
    assert staff.get("/api/v1/levels").json() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([LEVELS[0], LEVELS[0]], "duplicate_level_code"),
        ([LEVELS[0], LEVELS[2], LEVELS[1]], "thresholds_not_increasing"),
        ([LEVELS[1], {**LEVELS[2], "min_net_spend": 500000}], "thresholds_not_increasing"),
        ([{**LEVELS[0], "name_en": ""}], "validation_error"),
        ([{**LEVELS[0], "name_zh_TW": "金\n卡"}], "validation_error"),
        ([{**LEVELS[0], "code": "Gold Card"}], "validation_error"),
        ([{**LEVELS[0], "min_net_spend": -1}], "validation_error"),
        ([{**LEVELS[0], "code": f"l{i}"} for i in range(51)], "validation_error"),
    ],
)
def test_levels_are_checked(admin: Counter, body: Any, code: str):
    reply = put_levels(admin, body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == code
    assert admin.get("/api/v1/levels").json() == []


def test_grants_and_deductions_keep_the_balance(
    backend: LiveBackend, staff: Counter, manager: Counter, stopped_clock: StoppedClock
):
    member = backend.add_member()
    soon = (utcnow() + timedelta(days=1)).isoformat()
    later = (utcnow() + timedelta(days=30)).isoformat()
    assert change(manager, member, {"delta": 100, "reason": "welcome"}).json()["balance"] == 100
    assert change(manager, member, {"delta": 50, "reason": "promo", "expires_at": later}).ok
    reply = change(manager, member, {"delta": 30, "reason": "event", "expires_at": soon})
    assert reply.status_code == 200, reply.text
    assert reply.json()["balance"] == 180
    entry = reply.json()["entry"]
    assert (entry["delta"], entry["reason"], entry["remaining"]) == (30, "event", 30)

    # Spent earliest-expiring first: the 30 expiring soon, then 10 of the 50.
    reply = change(manager, member, {"delta": -40, "reason": "gift"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["balance"] == 140
    assert reply.json()["entry"]["remaining"] is None
    ledger = manager.get(f"/api/v1/members/{member}/points").json()
    assert [(e["delta"], e["remaining"]) for e in ledger["items"]] == [
        (-40, None),
        (30, 0),
        (50, 40),
        (100, 100),
    ]
    assert ledger["balance"] == 140
    assert ledger["next_cursor"] is None

    # More than the balance: refused, nothing written.
    refused = change(manager, member, {"delta": -141, "reason": "too much"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "insufficient_points"
    assert refused.json()["error"]["details"] == {"balance": 140, "requested": 141}
    assert len(manager.get(f"/api/v1/members/{member}/points").json()["items"]) == 4

    # The counter's Member Search shows the same balance.
    assert staff.search(phone="0912345678")["items"][0]["points"] == 140

    # Thirty-one days on, the 40 left of the promo has expired and cannot be spent.
    stopped_clock.advance(days=31)
    # Staff sessions time out meanwhile: the counters log in again.
    staff, manager = backend.counter(), backend.counter(staff_code="2001")
    assert manager.get(f"/api/v1/members/{member}/points").json()["balance"] == 100
    assert staff.search(phone="0912345678")["items"][0]["points"] == 100
    refused = change(manager, member, {"delta": -101, "reason": "too much"})
    assert refused.json()["error"]["details"] == {"balance": 100, "requested": 101}
    assert change(manager, member, {"delta": -100, "reason": "all"}).json()["balance"] == 0

    changed = audits(backend, "member.points_changed")
    assert len(changed) == 5
    assert changed[3].subject_id == member
    assert changed[3].details["balance_before"] == 180
    assert changed[3].details["balance_after"] == 140


def test_a_replayed_key_changes_the_points_once(backend: LiveBackend, manager: Counter):
    member = backend.add_member()
    first = change(manager, member, {"delta": 10, "reason": "welcome"}, key="tap-1")
    again = change(manager, member, {"delta": 10, "reason": "welcome"}, key="tap-1")
    assert again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert manager.get(f"/api/v1/members/{member}/points").json()["balance"] == 10
    other = change(manager, member, {"delta": 20, "reason": "welcome"}, key="tap-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_points_need_a_manager_or_an_admin_even_for_an_unknown_member(
    backend: LiveBackend, staff: Counter, manager: Counter, admin: Counter
):
    member = backend.add_member()
    for target in (member, 424242):
        assert change(staff, target, {"delta": 5, "reason": "x"}).status_code == 403
        assert staff.get(f"/api/v1/members/{target}/points").status_code == 403
    assert change(admin, member, {"delta": 5, "reason": "x"}).json()["balance"] == 5
    for who in (manager, admin):
        missing = change(who, 424242, {"delta": 5, "reason": "x"})
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "member_not_found"
        assert who.get("/api/v1/members/424242/points").status_code == 404


def test_a_past_buyer_is_not_a_member(backend: LiveBackend, manager: Counter):
    with backend.db.transaction() as session:
        buyer = Customer(name="Buyer", phone="+886922333444", is_member=False)
        session.add(buyer)
        session.flush()
        buyer_id = buyer.id
    assert change(manager, buyer_id, {"delta": 5, "reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"delta": 0, "reason": "x"}, "zero_points"),
        ({"delta": -1, "reason": "x", "expires_at": "2099-01-01T00:00:00Z"}, "expiry_on_deduction"),
        ({"delta": 1, "reason": "x", "expires_at": "2020-01-01T00:00:00Z"}, "expiry_in_past"),
        ({"delta": 1, "reason": ""}, "validation_error"),
        ({"delta": 2**31, "reason": "x"}, "validation_error"),
    ],
)
def test_points_changes_are_checked(backend: LiveBackend, manager: Counter, body: Any, code: str):
    member = backend.add_member()
    reply = change(manager, member, body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == code


def test_the_ledger_pages_newest_first(backend: LiveBackend, manager: Counter):
    member = backend.add_member()
    for n in range(1, 6):
        assert change(manager, member, {"delta": n, "reason": f"r{n}"}).ok
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = manager.get(f"/api/v1/members/{member}/points", params=params).json()
        seen += [e["delta"] for e in page["items"]]
        assert page["balance"] == 15
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]
    assert (
        manager.get(f"/api/v1/members/{member}/points", params={"cursor": "x"}).status_code == 422
    )
