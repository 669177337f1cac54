"""SMS limits wait out to the second: the server's clock is stopped and moved by the test.

Each limit counts only SMS (not e-mails) inside its own window and for its own number, device or
store; the reply says how long to wait, exactly, in words and in ``Retry-After``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from omo_backend import ratelimit
from omo_backend.messaging import outbox
from omo_backend.messaging.providers import email_provider_name
from omo_backend.models import Device, Message
from tests.api.test_bind_sign_in import E164, add_member, bind_now
from tests.api.test_password_reset import ask_for_reset
from tests.support.backend import Counter, LiveBackend, Phone
from tests.support.clock import StoppedClock, stopped_clock
from tests.support.page_text import visible

__all__ = ["stopped_clock"]

PHONE = "0912345678"
WEEK = 7 * 24 * 3600
# A day passes in these tests: staff stay logged in through it.
LONG_SESSIONS: dict[str, Any] = {"staff_session_ttl_seconds": WEEK}


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store()
    backend.add_staff()
    backend.set_idle_timeout(WEEK)
    return backend.counter()


def send(counter: Counter, phone: str = PHONE) -> requests.Response:
    """One sign-up SMS; the invitation is cancelled at once so the number may be asked again."""
    reply = counter.invite(phone)
    if reply.status_code == 201:
        assert counter.post(f"/api/v1/invitations/{reply.json()['id']}/cancel").ok
    return reply


def refusal(reply: requests.Response) -> tuple[int, str, dict[str, Any]]:
    """The wait, the sentence and the details of a 429."""
    assert reply.status_code == 429, reply.text
    error = reply.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"]["retry_after"] == int(reply.headers["Retry-After"])
    details = {k: v for k, v in error["details"].items() if k != "retry_after"}
    return int(reply.headers["Retry-After"]), error["message"], details


def test_a_number_waits_ten_minutes_to_the_second(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    for _ in range(3):
        assert send(counter).status_code == 201
    assert refusal(send(counter)) == (
        600,
        "This number was sent 3 messages in 10 minutes; try again in 10 minutes.",
        {"scope": "phone", "limit": 3, "window_seconds": 600, "sent": 3},
    )
    stopped_clock.advance(seconds=539)
    wait, sentence, _ = refusal(send(counter))
    assert (wait, sentence.endswith("try again in 2 minutes.")) == (61, True)  # rounded up
    stopped_clock.advance(seconds=1)
    wait, sentence, _ = refusal(send(counter))
    assert (wait, sentence.endswith("try again in 1 minute.")) == (60, True)
    stopped_clock.advance(seconds=1)
    assert refusal(send(counter))[:2] == (
        59,
        "This number was sent 3 messages in 10 minutes; try again in 59 seconds.",
    )
    stopped_clock.advance(seconds=58)
    assert refusal(send(counter))[1].endswith("try again in 1 second.")
    # The very instant the first three are ten minutes old, they no longer count.
    stopped_clock.advance(seconds=1)
    assert send(counter).status_code == 201
    assert send(counter, "0922333444").status_code == 201


@pytest.mark.settings(**LONG_SESSIONS)
def test_ten_a_day_per_number_then_wait_for_the_oldest_to_be_a_day_old(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    for _ in range(3):
        for _ in range(3):
            assert send(counter).status_code == 201
        stopped_clock.advance(minutes=10)
    assert send(counter).status_code == 201  # the tenth, at 30 minutes
    stopped_clock.advance(minutes=10)
    assert refusal(send(counter)) == (
        24 * 3600 - 40 * 60,
        "This number was sent 10 messages in a day; try again in 24 hours.",
        {"scope": "phone", "limit": 10, "window_seconds": 86400, "sent": 10},
    )
    stopped_clock.advance(hours=23, minutes=19)
    assert refusal(send(counter))[:2] == (
        60,
        "This number was sent 10 messages in a day; try again in 1 minute.",
    )
    stopped_clock.advance(minutes=1)
    assert send(counter).status_code == 201  # the first three are a day old


@pytest.mark.settings(rate_phone_per_10min=20, **LONG_SESSIONS)
def test_a_full_day_at_once_waits_a_day_and_the_hours_are_rounded_up(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    for _ in range(10):
        assert send(counter).status_code == 201
    assert refusal(send(counter))[:2] == (
        86400,
        "This number was sent 10 messages in a day; try again in a day.",
    )
    stopped_clock.advance(seconds=1)
    assert refusal(send(counter))[1].endswith("try again in 24 hours.")
    stopped_clock.advance(hours=22, seconds=3598)
    assert refusal(send(counter))[:2][0] == 3601
    assert refusal(send(counter))[1].endswith("try again in 2 hours.")
    stopped_clock.advance(seconds=1)
    assert refusal(send(counter))[1].endswith("try again in an hour.")
    stopped_clock.advance(seconds=3600)
    assert send(counter).status_code == 201


@pytest.mark.settings(rate_device_per_hour=2)
def test_a_device_waits_an_hour_and_other_devices_do_not(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    assert send(counter, "0912345678").status_code == 201
    assert send(counter, "0922333444").status_code == 201
    assert refusal(send(counter, "0933111222")) == (
        3600,
        "This device has sent 2 messages in an hour; try again in an hour.",
        {"scope": "device", "limit": 2, "window_seconds": 3600, "sent": 2},
    )
    assert send(backend.counter(), "0933111222").status_code == 201
    stopped_clock.advance(minutes=59, seconds=59)
    assert refusal(send(counter, "0944555666"))[:2][0] == 1
    stopped_clock.advance(seconds=1)
    assert send(counter, "0944555666").status_code == 201


@pytest.mark.settings(rate_store_per_hour=2)
def test_a_store_waits_an_hour_and_other_stores_do_not(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    assert send(counter, "0912345678").status_code == 201
    stopped_clock.advance(minutes=30)
    assert send(backend.counter(), "0922333444").status_code == 201
    assert refusal(send(backend.counter(), "0933111222")) == (
        1800,
        "This store has sent 2 messages in an hour; try again in 30 minutes.",
        {"scope": "store", "limit": 2, "window_seconds": 3600, "sent": 2},
    )
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "3001", pin="444444")
    assert send(backend.counter("TXG01", "3001", "444444"), "0933111222").status_code == 201
    stopped_clock.advance(minutes=30)
    assert send(counter, "0933111222").status_code == 201


def enqueue_reset_sms(session: Session, to: str) -> None:
    """A password-reset SMS the member asked for on their phone: the store's, no device's."""
    outbox.enqueue_sms(
        session=session,
        to=to,
        body="reset",
        purpose="password_reset",
        provider="outbox",
        store_id=1,
        device_id=None,
        staff_id=None,
    )


@pytest.mark.settings(rate_device_per_hour=2, rate_store_per_hour=5)
def test_e_mails_and_sends_without_a_device_count_against_no_counter(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    with backend.db.transaction() as session:
        # The first device enrolled in a fresh database: the one a "no device" slip would hit.
        assert list(session.scalars(select(Device.id))) == [1]
        for n in range(4):
            outbox.enqueue_email(
                session=session,
                to=f"member{n}@example.com",
                subject="Your points",
                body="…",
                purpose="registration",
                provider=email_provider_name(backend.settings),
                store_id=1,
                device_id=1,
            )
        for n in range(2):
            enqueue_reset_sms(session, f"+88693300000{n}")
    assert send(counter, "0912345678").status_code == 201
    assert send(counter, "0922333444").status_code == 201
    assert refusal(send(counter, "0933111222"))[2]["scope"] == "device"
    # The two device-less SMS do count for the store: 2 + 2 + 1 of 5.
    other_device = backend.counter()
    assert send(other_device, "0933111222").status_code == 201
    assert refusal(send(other_device, "0944555666"))[2] == {
        "scope": "store",
        "limit": 5,
        "window_seconds": 3600,
        "sent": 5,
    }


@pytest.mark.settings(rate_store_per_hour=1)
def test_the_wait_counts_from_the_newest_sends_that_fill_the_limit(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    # Three password-reset SMS, ten minutes apart, reached the store past its limit (they are
    # not the counter's to refuse); the store has room again when the newest of them is an
    # hour old, not the oldest.
    for n in range(3):
        with backend.db.transaction() as session:
            enqueue_reset_sms(session, f"+88693300000{n}")
        stopped_clock.advance(minutes=10)
    assert refusal(send(counter)) == (
        50 * 60,
        "This store has sent 1 message in an hour; try again in 50 minutes.",
        {"scope": "store", "limit": 1, "window_seconds": 3600, "sent": 1},
    )


@pytest.mark.settings(rate_device_per_hour=2)
def test_a_reset_sms_asked_for_on_a_phone_counts_against_no_device(
    backend: LiveBackend, counter: Counter
):
    assert send(counter, "0922333444").status_code == 201
    assert send(counter, "0933111222").status_code == 201
    assert refusal(send(counter, "0944555666"))[2]["scope"] == "device"
    # The member asks for a reset link on their own phone: no counter device sends it.
    phone = Phone(backend)
    assert phone.open(bind_now(counter, add_member(backend, E164, "Mei"))["qr_url"]).ok
    assert "We sent a reset link to +886 9" in visible(ask_for_reset(phone))
    with backend.db.transaction(write=False) as session:
        sent = session.scalars(select(Message.device_id).where(Message.to_address == E164))
        assert list(sent) == [None]


@pytest.mark.settings(rate_device_per_hour=0)
def test_a_limit_of_zero_sends_nothing_and_says_wait_the_window(
    backend: LiveBackend, counter: Counter, stopped_clock: StoppedClock
):
    assert refusal(send(counter)) == (
        3600,
        "This device has sent 0 messages in an hour; try again in an hour.",
        {"scope": "device", "limit": 0, "window_seconds": 3600, "sent": 0},
    )


def test_a_send_waits_for_the_number_and_the_store_another_send_holds(
    backend: LiveBackend, counter: Counter
):
    """Two sends at once could both count below a limit: each waits for the other's commit."""
    if backend.kind != "postgresql":
        pytest.skip("SQLite write transactions are exclusive already")
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "3001", pin="444444")
    other_store = backend.counter("TXG01", "3001", "444444")
    with ThreadPoolExecutor(2) as pool:
        with backend.db.transaction() as session:
            # What a send to PHONE from store 1 holds until it commits.
            ratelimit.lock_for_send(session=session, phone="+886912345678", store_id=1)
            same_number = pool.submit(send, other_store, PHONE)
            same_store = pool.submit(send, counter, "0922333444")
            waiting_for_locks(backend, 2)
            assert not same_number.done()
            assert not same_store.done()
        assert same_number.result(timeout=30).status_code == 201
        assert same_store.result(timeout=30).status_code == 201


def waiting_for_locks(backend: LiveBackend, count: int) -> None:
    deadline = time.monotonic() + 10
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    while True:
        with backend.db.transaction(write=False) as session:
            if session.scalar(query) == count:
                return
        assert time.monotonic() < deadline, "the sends never waited for the locks"
        time.sleep(0.01)
