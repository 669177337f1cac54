"""``Idempotency-Key`` on a write: absent, malformed, replayed, expired.

A key is 1 to 255 characters; without one the write is simply done; with one it is done once
and its answer replayed for the key's lifetime (48 hours), after which the key is new again.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import func, select

from omo_backend.housekeeping import purge_expired
from omo_backend.models import IdempotencyRecord, Message
from tests.support.backend import Counter, LiveBackend
from tests.support.clock import StoppedClock, stopped_clock

__all__ = ["stopped_clock"]

TTL = 48 * 3600
WEEK = 7 * 24 * 3600


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store()
    backend.add_staff()
    backend.set_idle_timeout(WEEK)
    return backend.counter()


def invite(counter: Counter, phone: str, headers: dict[str, str]) -> requests.Response:
    return counter.post("/api/v1/invitations", json={"phone": phone}, headers=headers)


def counts(backend: LiveBackend) -> tuple[int, int]:
    """SMS queued, idempotency records kept."""
    with backend.db.transaction(write=False) as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        records = session.scalar(select(func.count()).select_from(IdempotencyRecord))
    return messages or 0, records or 0


def test_a_write_without_a_key_is_done_each_time(backend: LiveBackend, counter: Counter):
    first = invite(counter, "0912345678", {})
    assert counter.post(f"/api/v1/invitations/{first.json()['id']}/cancel").ok
    second = invite(counter, "0912345678", {})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second.headers
    assert counts(backend) == (2, 0)


@pytest.mark.parametrize("key", ["", "k" * 256], ids=["empty", "256-characters"])
def test_an_empty_or_too_long_key_is_refused_and_nothing_is_sent(
    backend: LiveBackend, counter: Counter, key: str
):
    refused = invite(counter, "0912345678", {"Idempotency-Key": key})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_idempotency_key"
    assert refused.json()["error"]["message"] == "Idempotency-Key must be 1 to 255 characters."
    assert counts(backend) == (0, 0)


@pytest.mark.parametrize("key", ["k", "k" * 255], ids=["1-character", "255-characters"])
def test_a_key_of_1_to_255_characters_is_replayed(backend: LiveBackend, counter: Counter, key: str):
    first = invite(counter, "0912345678", {"Idempotency-Key": key})
    again = invite(counter, "0912345678", {"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts(backend) == (1, 1)


@pytest.mark.settings(staff_session_ttl_seconds=WEEK)
def test_a_key_is_replayed_until_it_expires_then_it_is_new(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    tap = {"Idempotency-Key": uuid.uuid4().hex}
    first = invite(counter, "0912345678", tap)
    assert first.status_code == 201
    stopped_clock.advance(seconds=TTL - 1)
    replayed = invite(counter, "0912345678", tap)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    assert counts(backend) == (1, 1)

    stopped_clock.advance(seconds=1)  # the very instant the key expires
    fresh = invite(counter, "0912345678", tap)
    assert fresh.status_code == 201
    assert "Idempotent-Replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    assert counts(backend) == (2, 1), "the expired record made way for the new one"
    # The new record lives its own 48 hours.
    stopped_clock.advance(seconds=TTL - 1)
    assert invite(counter, "0912345678", tap).json() == fresh.json()


@pytest.mark.settings(staff_session_ttl_seconds=WEEK)
def test_a_key_reused_for_another_request_is_refused_until_it_expires(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    tap = {"Idempotency-Key": "tap-1"}
    assert invite(counter, "0912345678", tap).status_code == 201
    other = invite(counter, "0922333444", tap)
    assert other.status_code == 422
    assert other.json()["error"] == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was used for a different request.",
        "details": {},
    }
    stopped_clock.advance(seconds=TTL)
    assert invite(counter, "0922333444", tap).status_code == 201


def test_housekeeping_removes_the_keys_that_expired_by_now(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    assert invite(counter, "0912345678", {"Idempotency-Key": "old"}).status_code == 201
    stopped_clock.advance(hours=1)
    assert invite(counter, "0922333444", {"Idempotency-Key": "new"}).status_code == 201
    stopped_clock.advance(seconds=TTL - 3600 - 1)
    assert purge_expired(backend.db) == 0
    stopped_clock.advance(seconds=1)
    assert purge_expired(backend.db) == 1
    with backend.db.transaction(write=False) as session:
        assert list(session.scalars(select(IdempotencyRecord.key))) == ["new"]


def test_a_write_without_a_body_is_replayed_by_its_key(backend: LiveBackend, counter: Counter):
    """ "Can't scan? Try SMS": the path alone is the request."""
    first_binding, second_binding = (
        counter.post("/api/v1/bindings", json={"customer_id": backend.add_member(phone)}).json()
        for phone in ("+886912345678", "+886922333444")
    )
    path = f"/api/v1/bindings/{first_binding['id']}/sms"
    first = counter.post(path, headers={"Idempotency-Key": "tap-9"})
    again = counter.post(path, headers={"Idempotency-Key": "tap-9"})
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts(backend) == (1, 1)
    # The same key for another binding is another request, though neither has a body.
    elsewhere = counter.post(
        f"/api/v1/bindings/{second_binding['id']}/sms", headers={"Idempotency-Key": "tap-9"}
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["error"]["code"] == "idempotency_key_reused"
