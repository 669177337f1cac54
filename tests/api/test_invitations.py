"""Sign-up SMS: idempotent, rate limited, only to allowed countries, and followed live."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from omo_backend.models import IdempotencyRecord, Invitation, Message, utcnow
from tests.support.backend import Counter, LiveBackend, Phone, latest_link


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store()
    backend.add_staff()
    return backend.counter()


def message_count(backend: LiveBackend) -> int:
    with backend.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def test_fifty_simultaneous_taps_with_one_key_send_one_sms(backend: LiveBackend, counter: Counter):
    start = threading.Barrier(50)

    def tap(_: int) -> requests.Response:
        start.wait()
        return counter.invite("0912345678", key="same-tap")

    with ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(tap, range(50)))

    # The twins wait for the first to commit, then replay its answer: nobody is told to retry.
    assert all(r.status_code == 201 for r in replies), [r.text for r in replies]
    assert len({r.json()["id"] for r in replies}) == 1
    fresh = [r for r in replies if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(fresh) == 1
    assert message_count(backend) == 1
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_a_key_reused_for_another_number_is_refused(backend: LiveBackend, counter: Counter):
    assert counter.invite("0912345678", key="k1").status_code == 201
    other = counter.invite("0922333444", key="k1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert message_count(backend) == 1


def test_keys_are_per_device_and_kept_at_least_a_day(backend: LiveBackend, counter: Counter):
    second_device = backend.counter()
    assert counter.invite("0912345678", key="k1").status_code == 201
    # Another device may pick the same key for its own request.
    assert second_device.invite("0922333444", key="k1").status_code == 201
    with backend.db.transaction(write=False) as session:
        expiries = list(session.scalars(select(IdempotencyRecord.expires_at)))
    assert len(expiries) == 2
    assert all(e - utcnow() >= timedelta(hours=24) for e in expiries)


def test_three_sms_in_ten_minutes_then_a_clear_429(backend: LiveBackend, counter: Counter):
    for _ in range(3):
        invitation = counter.invite("0912345678").json()
        assert counter.post(f"/api/v1/invitations/{invitation['id']}/cancel").ok
    fourth = counter.invite("0912 345 678")
    assert fourth.status_code == 429
    error = fourth.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"]["scope"] == "phone"
    assert error["details"]["limit"] == 3
    retry_after = int(fourth.headers["Retry-After"])
    assert 0 < retry_after <= 600
    assert error["message"].startswith(
        "This number was sent 3 messages in 10 minutes; try again in"
    )
    assert message_count(backend) == 3
    # Another number is not affected.
    assert counter.invite("0922333444").status_code == 201


@pytest.mark.settings(rate_device_per_hour=2)
def test_a_device_has_its_own_hourly_limit(backend: LiveBackend, counter: Counter):
    assert counter.invite("0912345678").status_code == 201
    assert counter.invite("0922333444").status_code == 201
    third = counter.invite("0933111222")
    assert third.status_code == 429
    assert third.json()["error"]["details"]["scope"] == "device"


@pytest.mark.settings(rate_store_per_hour=2)
def test_a_store_has_its_own_hourly_limit(backend: LiveBackend, counter: Counter):
    other_device = backend.counter()
    assert counter.invite("0912345678").status_code == 201
    assert other_device.invite("0922333444").status_code == 201
    third = backend.counter().invite("0933111222")
    assert third.status_code == 429
    assert third.json()["error"]["details"]["scope"] == "store"


def test_sms_only_to_allowed_countries_and_mobiles(backend: LiveBackend, counter: Counter):
    us = counter.invite("+1 415 555 0123")
    assert us.status_code == 422
    assert us.json()["error"]["code"] == "country_not_allowed"
    landline = counter.invite("02 2345 6789")
    assert landline.status_code == 422
    assert landline.json()["error"]["code"] == "not_mobile"
    nonsense = counter.invite("12")
    assert nonsense.status_code == 422
    assert message_count(backend) == 0


def test_a_member_is_not_invited_again(backend: LiveBackend, counter: Counter):
    invitation = counter.invite("0912345678").json()
    assert invitation["customer_name"] is None, "nobody registered yet"
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886912345678"))
    phone.submit("/r", name="Amy", password="password1", password_confirm="password1", terms="1")
    member = counter.invite("+886 912 345 678")
    assert member.status_code == 409
    assert member.json()["error"]["code"] == "already_member"
    assert member.json()["error"]["details"]["customer_id"] is not None
    registered = counter.get(f"/api/v1/invitations/{invitation['id']}").json()
    assert registered["status"] == "registered"
    assert registered["customer_name"] == "Amy", "the counter greets the new member by name"


def test_check_again_cancels_and_the_link_stops_working(backend: LiveBackend, counter: Counter):
    invitation = counter.invite("0912345678").json()
    cancelled = counter.post(f"/api/v1/invitations/{invitation['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    page = Phone(backend).open(latest_link(backend, "+886912345678"))
    assert page.status_code == 410


def test_an_unused_link_expires_after_its_time(backend: LiveBackend, counter: Counter):
    invitation = counter.invite("0912345678").json()
    created = invitation["created_at"][:19]
    expires = invitation["expires_at"][:19]
    span = datetime.fromisoformat(expires) - datetime.fromisoformat(created)
    assert span == timedelta(hours=2)
    with backend.db.transaction() as session:
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert counter.get(f"/api/v1/invitations/{invitation['id']}").json()["status"] == "expired"
    assert Phone(backend).open(latest_link(backend, "+886912345678")).status_code == 410


def test_a_long_poll_returns_as_soon_as_the_status_changes(backend: LiveBackend, counter: Counter):
    invitation = counter.invite("0912345678").json()
    path = f"/api/v1/invitations/{invitation['id']}"
    deadline = time.monotonic() + 10
    while counter.get(path).json()["status"] != "sent":
        assert time.monotonic() < deadline

    result: dict[str, object] = {}

    def wait() -> None:
        started = time.monotonic()
        result["body"] = counter.get(path, params={"wait": 25}).json()
        result["waited"] = time.monotonic() - started

    waiter = threading.Thread(target=wait)
    waiter.start()
    backend.wait_until_waiting(1)
    Phone(backend).open(latest_link(backend, "+886912345678"))
    waiter.join(timeout=30)
    assert result["body"]["status"] == "opened"  # type: ignore[index]
    assert result["waited"] < 20, "returned on the change, not at the end of the wait"

    # A caller whose known status is stale gets the current one at once.
    stale = counter.get(path, params={"wait": 25, "known_status": "sent"}, timeout=5)
    assert stale.json()["status"] == "opened"


def test_staff_of_another_store_cannot_follow_an_invitation(backend: LiveBackend, counter: Counter):
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "3001", pin="444444")
    other = backend.counter("TXG01", "3001", "444444")
    invitation = counter.invite("0912345678").json()
    assert other.get(f"/api/v1/invitations/{invitation['id']}").status_code == 404


@pytest.mark.settings(run_dispatcher=False)
def test_check_again_before_the_sms_left_sends_nothing(backend: LiveBackend, counter: Counter):
    from omo_backend.messaging.dispatcher import Dispatcher
    from omo_backend.messaging.providers.outbox import OutboxProvider

    invitation = counter.invite("0912345678").json()
    assert counter.post(f"/api/v1/invitations/{invitation['id']}/cancel").ok

    class Recording(OutboxProvider):
        def __init__(self) -> None:
            self.sent: list[str] = []

        def send_sms(self, *, to: str, body: str):  # type: ignore[no-untyped-def]
            self.sent.append(to)
            return super().send_sms(to=to, body=body)

    provider = Recording()
    Dispatcher(backend.db, backend.settings, provider).run_once()
    assert provider.sent == []
    [message] = backend.messages_to("+886912345678")
    assert message["status"] == "failed"
    assert message["cost_units"] == 0


def test_housekeeping_removes_expired_keys_only(backend: LiveBackend, counter: Counter):
    from omo_backend.housekeeping import purge_expired

    assert counter.invite("0912345678", key="old").status_code == 201
    assert counter.invite("0922333444", key="new").status_code == 201
    with backend.db.transaction() as session:
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "old")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert purge_expired(backend.db) == 1
    with backend.db.transaction(write=False) as session:
        assert list(session.scalars(select(IdempotencyRecord.key))) == ["new"]
