"""The outbox and its dispatcher, on SQLite and on a real PostgreSQL, against a fake Twilio."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.messaging.outbox import enqueue_sms
from omo_backend.messaging.providers import (
    OutboxProvider,
    PermanentSendError,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    TwilioProvider,
    provider_from_settings,
)
from omo_backend.models import Invitation, Message, Store, utcnow
from omo_backend.settings import Settings
from tests.fakes.twilio_server import FakeTwilio
from tests.support.backend import DatabaseFactory
from tests.support.clock import StoppedClock, stopped_clock
from tests.support.dispatchers import (
    dispatching,
    fill_sent_history,
    message_selects,
    race_two_dispatchers,
    twilio_dispatch_env,
    waiting_messages,
)
from tests.support.postgres import PostgresCluster, free_port

# A fixture used by name.
__all__ = ["stopped_clock"]

REPO_ROOT = Path(__file__).resolve().parents[2]
PHONE = "+886912345678"
TWILIO_FROM = "+15005550006"
LINK_BODY = "OMO: finish joining at https://omo.example/r/Zx81kq"


# --- fixtures: one fresh, migrated database per test, on both engines ------------------------


@pytest.fixture
def database_url(db_factory: DatabaseFactory) -> str:
    """A fresh migrated database from the shared factory (SQLite and PostgreSQL)."""
    return db_factory.new_url()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def make_settings(database: Database, **overrides: Any) -> Settings:
    return Settings(_env_file=None, database_url=database.url, **overrides)  # type: ignore[call-arg]


def twilio_settings(database_url: str, twilio: FakeTwilio, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "sms_provider": "twilio",
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_from": TWILIO_FROM,
        "twilio_api_base": twilio.base_url,
        "twilio_timeout_seconds": 5.0,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


# --- helpers: what the invitation service does, and reading rows back -------------------------


@dataclass(frozen=True)
class Queued:
    message_id: int
    invitation_id: int


def queue_invitation_sms(
    database: Database,
    *,
    phone: str = PHONE,
    body: str = LINK_BODY,
    invitation_status: str = "queued",
    provider: str = "outbox",
) -> Queued:
    """A staff member signs a customer up: the invitation and its SMS commit together."""
    with database.transaction() as session:
        store = Store(code=f"S{uuid.uuid4().hex[:8]}", name="Taipei Main")
        session.add(store)
        session.flush()
        invitation = Invitation(
            phone=phone,
            token_hash=uuid.uuid4().hex,
            store_id=store.id,
            status=invitation_status,
            expires_at=utcnow() + timedelta(hours=2),
        )
        session.add(invitation)
        session.flush()
        message = enqueue_sms(
            session=session,
            to=phone,
            body=body,
            purpose="invitation",
            provider=provider,
            store_id=store.id,
            device_id=None,
            staff_id=None,
            invitation_id=invitation.id,
        )
        assert message.id is not None
        return Queued(message_id=message.id, invitation_id=invitation.id)


def load_message(database: Database, message_id: int) -> Message:
    with database.transaction(write=False) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def load_invitation(database: Database, invitation_id: int) -> Invitation:
    with database.transaction(write=False) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        return invitation


def set_message(database: Database, message_id: int, **values: Any) -> None:
    with database.transaction() as session:
        session.execute(update(Message).where(Message.id == message_id).values(**values))


def wait_until(predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.01)


def run_until_handled(dispatcher: Dispatcher, *, timeout: float = 5.0) -> float:
    """Run passes until one handles a message (e.g. once a backoff is over); returns when."""
    deadline = time.monotonic() + timeout
    while dispatcher.run_once() == 0:
        if time.monotonic() > deadline:
            raise AssertionError("no message became due")
        time.sleep(0.01)
    return time.monotonic()


class RecordingProvider:
    """Accepts everything, remembers what it was given; ``on_send`` lets a test step in."""

    def __init__(self, on_send: Callable[[int], None] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self._on_send = on_send

    def send_sms(self, *, to: str, body: str) -> SendResult:
        self.sent.append((to, body))
        if self._on_send is not None:
            self._on_send(len(self.sent))
        return SendResult(provider_message_id=f"rec-{len(self.sent)}", provider_status="sent")


# --- the outbox provider ----------------------------------------------------------------------


def test_an_invitation_sms_is_sent_through_the_outbox(database: Database) -> None:
    long_chinese = "【OMO 台北旗艦店】歡迎加入會員！" * 5 + "https://omo.example/r/Zx81kq"
    queued = queue_invitation_sms(database, body=long_chinese)

    message = load_message(database, queued.message_id)
    assert (message.status, message.channel, message.attempts) == ("queued", "sms", 0)
    assert (message.segments, message.cost_units) == (2, 2)

    dispatcher = Dispatcher(database, make_settings(database, sms_provider="outbox"))
    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert message.status == "sent"
    assert message.provider_message_id is not None
    assert message.provider_message_id.startswith("outbox-")
    assert message.provider_status == "delivered"
    assert message.sent_at is not None
    assert message.claimed_until is None
    assert message.attempts == 1
    assert (message.segments, message.cost_units) == (2, 2)
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.version) == ("sent", 2)

    assert dispatcher.run_once() == 0


# --- Twilio, against the fake -----------------------------------------------------------------


def test_twilio_gets_a_form_encoded_request_with_basic_auth(
    database: Database, twilio: FakeTwilio
) -> None:
    # 150 GSM characters and a euro sign: one part by our count, but the fake (like Twilio
    # with some senders) counts it as UCS-2; the provider's count is the one it bills.
    body = "a" * 150 + "€"
    queued = queue_invitation_sms(database, body=body, provider="twilio")
    assert load_message(database, queued.message_id).segments == 1

    dispatcher = Dispatcher(database, twilio_settings(database.url, twilio))
    assert dispatcher.run_once() == 1

    [request] = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request.auth == (twilio.account_sid, twilio.auth_token)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": PHONE,
        "Body": body,
        "From": TWILIO_FROM,
        "StatusCallback": "http://127.0.0.1:8000/api/v1/sms/twilio/status",
    }

    [created] = twilio.created
    message = load_message(database, queued.message_id)
    assert message.status == "sent"
    assert message.provider_message_id == created["sid"]
    assert message.provider_status == "queued"
    assert (message.segments, message.cost_units) == (3, 3)
    assert load_invitation(database, queued.invitation_id).status == "sent"


def test_a_sent_sms_keeps_no_working_link_at_rest(database: Database, twilio: FakeTwilio) -> None:
    body = "【台北總店】邀請您加入會員：http://127.0.0.1:8000/r/Zx8ab_cdEF-1234567890a"
    queued = queue_invitation_sms(database, body=body, provider="twilio")
    Dispatcher(database, twilio_settings(database.url, twilio)).run_once()

    [request] = twilio.requests
    assert request.form["Body"] == body, "the customer gets the whole link"
    stored = load_message(database, queued.message_id).body
    assert "Zx8ab_cdEF" not in stored
    assert stored.endswith("/r/…")


def test_a_messaging_service_replaces_the_from_number(twilio: FakeTwilio) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_messaging_service_sid="MG" + "0" * 32,
        twilio_api_base=twilio.base_url + "/",
    )
    result = TwilioProvider(settings).send_sms(to=PHONE, body="hi")

    [request] = twilio.requests
    assert request.form == {
        "To": PHONE,
        "Body": "hi",
        "MessagingServiceSid": "MG" + "0" * 32,
        "StatusCallback": "http://127.0.0.1:8000/api/v1/sms/twilio/status",
    }
    assert result.provider_status == "accepted"
    assert result.segments == 1
    assert result.provider_message_id.startswith("SM")


def test_twilio_errors_are_sorted_into_retry_later_and_never(twilio: FakeTwilio) -> None:
    def provider(**overrides: Any) -> TwilioProvider:
        values: dict[str, Any] = {
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": twilio.auth_token,
            "twilio_from": TWILIO_FROM,
            "twilio_api_base": twilio.base_url,
            "twilio_timeout_seconds": 5.0,
        }
        return TwilioProvider(Settings(_env_file=None, **{**values, **overrides}))  # type: ignore[call-arg]

    with pytest.raises(PermanentSendError) as refused:
        provider().send_sms(to="0912345678", body="hi")
    assert refused.value.code == "twilio_21211"
    assert "21211" in str(refused.value)

    with pytest.raises(PermanentSendError) as unauthorised:
        provider(twilio_auth_token="wrong").send_sms(to=PHONE, body="hi")
    assert unauthorised.value.code == "twilio_20003"

    for status in (500, 503, 429):
        twilio.fail_next(1, status=status)
        with pytest.raises(TransientSendError) as outage:
            provider().send_sms(to=PHONE, body="hi")
        assert outage.value.reason == f"twilio_http_{status}"

    with pytest.raises(TransientSendError) as unreachable:
        provider(twilio_api_base=f"http://127.0.0.1:{free_port()}").send_sms(to=PHONE, body="hi")
    assert unreachable.value.reason.startswith("twilio_unreachable_")

    twilio.hang()
    with pytest.raises(TransientSendError) as slow:
        provider(twilio_timeout_seconds=0.2).send_sms(to=PHONE, body="hi")
    assert "Timeout" in slow.value.reason
    twilio.release()

    assert provider().send_sms(to=PHONE, body="hi").provider_message_id.startswith("SM")


def test_the_provider_is_picked_from_settings_and_misconfiguration_is_refused() -> None:
    def settings(**values: Any) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    assert isinstance(provider_from_settings(settings()), OutboxProvider)
    assert isinstance(
        provider_from_settings(
            settings(
                sms_provider="Twilio",
                twilio_account_sid="AC1",
                twilio_auth_token="t",
                twilio_from=TWILIO_FROM,
            )
        ),
        TwilioProvider,
    )
    with pytest.raises(ProviderConfigError, match="OMO_TWILIO_AUTH_TOKEN"):
        provider_from_settings(
            settings(sms_provider="twilio", twilio_account_sid="AC1", twilio_from=TWILIO_FROM)
        )
    with pytest.raises(ProviderConfigError, match="OMO_TWILIO_FROM"):
        provider_from_settings(
            settings(sms_provider="twilio", twilio_account_sid="AC1", twilio_auth_token="t")
        )
    with pytest.raises(ProviderConfigError, match=r"'carrier-pigeon'.*outbox, twilio"):
        provider_from_settings(settings(sms_provider="carrier-pigeon"))


# --- retries, failures and leases -------------------------------------------------------------


def test_a_twilio_outage_is_retried_after_the_backoff(
    database: Database, twilio: FakeTwilio, stopped_clock: StoppedClock
) -> None:
    queued = queue_invitation_sms(database, provider="twilio")
    dispatcher = Dispatcher(
        database, twilio_settings(database.url, twilio, dispatch_backoff_base_seconds=0.3)
    )
    twilio.fail_next(1, status=500)

    before = utcnow()
    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error is not None
    assert "500" in message.last_error
    assert message.next_attempt_at == before + timedelta(seconds=0.3)
    assert message.claimed_until is None
    assert load_invitation(database, queued.invitation_id).status == "queued"
    # The clock stands still: only the test moves it, however slow the machine is.
    stopped_clock.advance(seconds=0.29)
    assert dispatcher.run_once() == 0, "retried before the backoff was over"

    stopped_clock.advance(seconds=0.01)
    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    assert message.provider_message_id == twilio.created[0]["sid"]
    assert twilio.bodies() == [LINK_BODY, LINK_BODY]
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.version) == ("sent", 2)


def test_the_backoff_doubles_up_to_its_cap_and_gives_up_after_max_attempts(
    database: Database, twilio: FakeTwilio
) -> None:
    queued = queue_invitation_sms(database, provider="twilio")
    dispatcher = Dispatcher(
        database,
        twilio_settings(
            database.url,
            twilio,
            dispatch_backoff_base_seconds=0.2,
            dispatch_backoff_max_seconds=0.3,
            dispatch_max_attempts=3,
        ),
    )
    twilio.fail_next(10, status=503)

    # 0.2 s after the first attempt, then 0.4 s capped to 0.3 s.
    for expected in (0.2, 0.3):
        wait_until(
            lambda: load_message(database, queued.message_id).next_attempt_at <= utcnow(),
            what="the message to be due",
        )
        before = utcnow()
        assert dispatcher.run_once() == 1
        after = utcnow()
        message = load_message(database, queued.message_id)
        assert message.status == "queued"
        delay = timedelta(seconds=expected)
        assert before + delay <= message.next_attempt_at <= after + delay
        assert load_invitation(database, queued.invitation_id).status == "queued"

    run_until_handled(dispatcher)
    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("failed", 3)
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.failure_code) == ("failed", "send_failed")
    assert len(twilio.requests) == 3
    assert dispatcher.run_once() == 0


def test_an_invalid_number_fails_at_once_with_twilios_code(
    database: Database, twilio: FakeTwilio
) -> None:
    queued = queue_invitation_sms(database, phone="0912345678", provider="twilio")
    dispatcher = Dispatcher(database, twilio_settings(database.url, twilio))

    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error is not None
    assert "21211" in message.last_error
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.failure_code, invitation.version) == (
        "failed",
        "twilio_21211",
        2,
    )
    assert dispatcher.run_once() == 0
    assert len(twilio.requests) == 1


def test_a_dead_senders_expired_lease_is_taken_over(database: Database) -> None:
    dead = queue_invitation_sms(database, body="dead sender")
    alive = queue_invitation_sms(database, body="live sender")
    worn_out = queue_invitation_sms(database, body="died on every attempt")
    now = utcnow()
    set_message(
        database,
        dead.message_id,
        status="sending",
        attempts=1,
        claimed_until=now - timedelta(seconds=1),
    )
    set_message(
        database,
        alive.message_id,
        status="sending",
        attempts=1,
        claimed_until=now + timedelta(seconds=60),
    )
    set_message(
        database,
        worn_out.message_id,
        status="sending",
        attempts=6,
        claimed_until=now - timedelta(seconds=1),
        sending_since=now - timedelta(minutes=10),
    )
    provider = RecordingProvider()
    dispatcher = Dispatcher(database, make_settings(database, dispatch_max_attempts=6), provider)

    assert dispatcher.run_once() == 2

    assert provider.sent == [(PHONE, "dead sender")]
    message = load_message(database, dead.message_id)
    assert (message.status, message.attempts) == ("sent", 2)
    assert load_invitation(database, dead.invitation_id).status == "sent"
    message = load_message(database, alive.message_id)
    assert (message.status, message.attempts) == ("sending", 1)
    message = load_message(database, worn_out.message_id)
    assert (message.status, message.attempts) == ("failed", 6)
    assert message.sending_since is None, "a final outcome leaves nothing in doubt"
    invitation = load_invitation(database, worn_out.invitation_id)
    assert (invitation.status, invitation.failure_code) == ("failed", "send_failed")


class GatedProvider:
    """Waits inside ``send_sms`` until the test opens the gate, then gives ``outcome()``."""

    def __init__(self, outcome: Callable[[], SendResult]) -> None:
        self.inside = threading.Event()
        self.gate = threading.Event()
        self._outcome = outcome

    def send_sms(self, *, to: str, body: str) -> SendResult:
        self.inside.set()
        assert self.gate.wait(10), "the test never opened the gate"
        return self._outcome()


def in_thread(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_sender_whose_lease_was_taken_over_cannot_undo_the_newer_claim(
    database: Database,
) -> None:
    queued = queue_invitation_sms(database)
    settings = make_settings(database)

    def time_out() -> SendResult:
        raise TransientSendError("read timed out", reason="timeout")

    slow = GatedProvider(time_out)
    newer = GatedProvider(lambda: SendResult(provider_message_id="p2", provider_status="sent"))

    slow_thread = in_thread(Dispatcher(database, settings, slow).run_once)
    assert slow.inside.wait(10)
    # The slow send outlives its lease; a second dispatcher takes the message over. It can:
    # no transaction is held open while sending.
    set_message(database, queued.message_id, claimed_until=utcnow() - timedelta(seconds=1))
    newer_thread = in_thread(Dispatcher(database, settings, newer).run_once)
    assert newer.inside.wait(10), "the second dispatcher could not claim the message"

    slow.gate.set()
    slow_thread.join(10)
    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts, message.last_error) == ("sending", 2, None), (
        "the first sender's late failure overwrote the newer claim"
    )

    newer.gate.set()
    newer_thread.join(10)
    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 2, "p2")
    assert load_invitation(database, queued.invitation_id).status == "sent"


@pytest.mark.parametrize("slots", [1, 2])
def test_a_claim_taken_over_while_its_batch_waited_is_not_sent(
    database: Database, slots: int
) -> None:
    """The last row of a batch waits for a free send slot; its lease runs out meanwhile and
    another dispatcher sends it. The renewal before its send is fenced: not sent twice."""
    early = [queue_invitation_sms(database, body=f"slot {i}") for i in range(slots)]
    late = queue_invitation_sms(database, body="waited too long")
    settings = make_settings(database, dispatch_batch=slots + 1, dispatch_concurrency=slots)
    other = RecordingProvider()
    taken_over = threading.Event()

    def outlive_the_lease(count: int) -> None:
        if count > 1:
            # The other slots' sends last until the takeover is done.
            assert taken_over.wait(10)
            return
        # The first send is so slow that the last message's lease runs out meanwhile,
        # and another dispatcher takes it over and sends it.
        set_message(database, late.message_id, claimed_until=utcnow() - timedelta(seconds=1))
        assert Dispatcher(database, settings, other).run_once() == 1
        taken_over.set()

    slow = RecordingProvider(on_send=outlive_the_lease)
    handled = Dispatcher(database, settings, slow).run_once()

    assert sorted(body for _to, body in slow.sent) == [f"slot {i}" for i in range(slots)]
    assert [body for _to, body in other.sent] == ["waited too long"]
    assert handled == slots
    message = load_message(database, late.message_id)
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 2, "rec-1")
    for queued in early:
        assert load_message(database, queued.message_id).status == "sent"


def test_an_invitation_never_moves_backwards(database: Database) -> None:
    opened = queue_invitation_sms(database, invitation_status="opened", body="opened")
    cancelled = queue_invitation_sms(database, invitation_status="cancelled", body="cancelled")

    class RefusesCancelled:
        def send_sms(self, *, to: str, body: str) -> SendResult:
            if body == "cancelled":
                raise PermanentSendError("twilio_21408", "region not enabled")
            return SendResult(provider_message_id="x1", provider_status="sent")

    assert Dispatcher(database, make_settings(database), RefusesCancelled()).run_once() == 2

    assert load_message(database, opened.message_id).status == "sent"
    invitation = load_invitation(database, opened.invitation_id)
    assert (invitation.status, invitation.version) == ("opened", 1)
    assert load_message(database, cancelled.message_id).status == "failed"
    invitation = load_invitation(database, cancelled.invitation_id)
    assert (invitation.status, invitation.version, invitation.failure_code) == (
        "cancelled",
        1,
        None,
    )


def test_a_stopping_dispatcher_hands_back_what_it_has_not_sent(database: Database) -> None:
    ids = [queue_invitation_sms(database, body=f"m{i}").message_id for i in range(3)]
    stop = threading.Event()
    provider = RecordingProvider(on_send=lambda _count: stop.set())
    # One slot: the other two wait for it, and are handed back when stop comes during its send.
    settings = make_settings(database, dispatch_concurrency=1)

    handled = Dispatcher(database, settings, provider).run_once(stop=stop)

    assert handled == 1
    assert [body for _to, body in provider.sent] == ["m0"]
    assert load_message(database, ids[0]).status == "sent"
    for message_id in ids[1:]:
        message = load_message(database, message_id)
        assert (message.status, message.attempts, message.claimed_until) == ("queued", 0, None)


def test_run_forever_survives_errors_and_logs_no_numbers_or_bodies(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="omo_backend.messaging")
    queued = queue_invitation_sms(database)

    class BuggyOnce:
        def __init__(self) -> None:
            self.calls = 0

        def send_sms(self, *, to: str, body: str) -> SendResult:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError(f"cannot encode {body!r} for {to}")
            return SendResult(provider_message_id="ok-1", provider_status="sent")

    dispatcher = Dispatcher(
        database,
        make_settings(database, dispatch_poll_seconds=0.01, dispatch_backoff_base_seconds=0.01),
        BuggyOnce(),
    )
    real_claim = dispatcher._claim
    claims = 0

    def database_hiccup(limit: int | None = None) -> Any:
        nonlocal claims
        claims += 1
        if claims == 1:
            # What SQLAlchemy raises quotes the statement's parameters.
            raise OperationalError(
                "UPDATE message SET ...", {"to": PHONE, "body": LINK_BODY}, Exception("locked")
            )
        return real_claim(limit)

    monkeypatch.setattr(dispatcher, "_claim", database_hiccup)
    stop = threading.Event()
    worker = threading.Thread(target=dispatcher.run_forever, args=(stop,))
    worker.start()
    try:
        wait_until(
            lambda: load_message(database, queued.message_id).status == "sent",
            what="the message to be sent",
        )
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()

    assert "dispatch pass failed (OperationalError)" in caplog.text
    assert "provider raised RuntimeError" in caplog.text
    assert "sent on attempt 2" in caplog.text
    assert PHONE not in caplog.text
    assert "912345678" not in caplog.text
    assert "finish joining" not in caplog.text


# --- concurrency and crashes ------------------------------------------------------------------


def test_two_dispatchers_at_once_never_send_one_message_twice(
    database: Database, twilio: FakeTwilio
) -> None:
    bodies = [f"OMO invitation #{i:02d}" for i in range(50)]
    for body in bodies:
        queue_invitation_sms(database, body=body, provider="twilio")
    settings = twilio_settings(database.url, twilio, dispatch_batch=5)
    # A little latency per send, so the two claim while the other is busy sending.
    twilio.latency_seconds = 0.002
    handled = race_two_dispatchers(database.url, settings)

    assert Counter(twilio.bodies()) == Counter(bodies), "some message was sent twice or never"
    assert sum(handled) == 50
    assert all(handled), f"the dispatchers did not both work: {handled}"
    with database.transaction(write=False) as session:
        statuses = dict(
            session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
        )
    assert statuses == {"sent": 50}


@pytest.mark.parametrize(("slots", "passes"), [(1, [5, 5, 2]), (2, [10, 2])])
def test_a_pass_claims_only_what_it_can_send_within_the_lease(
    database: Database, twilio: FakeTwilio, slots: int, passes: list[int]
) -> None:
    for i in range(12):
        queue_invitation_sms(database, body=f"OMO invitation #{i:02d}", provider="twilio")
    # Up to 10 s a send, 60 s a lease: with one slot the fifth row waits 40 s for its turn,
    # two sends short of the lease (with two slots, the ninth and tenth do). Not the batch of
    # 20, most of which would wait past it.
    settings = twilio_settings(
        database.url,
        twilio,
        dispatch_lease_seconds=60.0,
        twilio_timeout_seconds=10.0,
        dispatch_batch=20,
        dispatch_concurrency=slots,
    )
    dispatcher = Dispatcher(database, settings)

    assert [dispatcher.run_once() for _ in passes] == passes
    assert len(twilio.requests) == 12


def test_a_slow_provider_never_gets_one_message_twice(
    database: Database, twilio: FakeTwilio
) -> None:
    # Twilio answers within its timeout, but slowly: twelve sends one after another take
    # longer than one lease, so a claim of all twelve would run out while still being worked.
    bodies = queue_twilio_bodies(database, 12)
    twilio.latency_seconds = 0.5
    settings = twilio_settings(
        database.url,
        twilio,
        dispatch_lease_seconds=2.0,
        twilio_timeout_seconds=1.0,
        dispatch_batch=20,
    )

    race_two_dispatchers(database.url, settings)

    assert_each_sent_once(database, twilio, bodies)


def queue_twilio_bodies(database: Database, count: int) -> list[str]:
    bodies = [f"OMO invitation #{i:03d}" for i in range(count)]
    for body in bodies:
        queue_invitation_sms(database, body=body, provider="twilio")
    return bodies


def assert_each_sent_once(database: Database, twilio: FakeTwilio, bodies: list[str]) -> None:
    received = Counter(twilio.bodies())
    sent_twice = {body: count for body, count in received.items() if count > 1}
    assert sent_twice == {}, "a message was billed more than once"
    assert sorted(received) == bodies
    with database.transaction(write=False) as session:
        statuses = dict(
            session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
        )
    assert statuses == {"sent": len(bodies)}


def query_plans(database: Database, run: Callable[[], object]) -> dict[str, str]:
    """Each distinct SELECT on the message table that ``run`` makes, with its query plan
    (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL) for the parameters it used."""
    captured = message_selects(database, run)
    explain = "EXPLAIN " if database.is_postgresql else "EXPLAIN QUERY PLAN "
    plans = {}
    with database.engine.connect() as conn:
        for statement, parameters in captured.items():
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans[statement] = "\n".join(str(row[-1]) for row in rows)
    return plans


# A plan that reads the message table any other way than through the waiting rows' index:
# PostgreSQL's sequential or primary-key scan, SQLite's table scan or another index.
OTHER_READ = re.compile(r"Seq Scan|pk_message|SCAN message(?! USING INDEX ix_message_waiting)")


@pytest.mark.parametrize("statistics", ["none", "analyzed"])
def test_the_claim_reads_only_waiting_rows_whatever_the_history(
    database: Database, statistics: str
) -> None:
    # Plans are what keeps the claim's cost flat; timings are the bench's (bench/outbox.py).
    # With and without the planner's statistics: SQLite never gathers them on its own.
    fill_sent_history(database, 20_000, analyze=statistics == "analyzed")
    dispatcher = Dispatcher(database, make_settings(database, sms_provider="outbox"))
    idle = query_plans(database, dispatcher.run_once)
    for _ in range(3):
        queue_invitation_sms(database)
    busy = query_plans(database, dispatcher.run_once)

    for statement, plan in {**idle, **busy}.items():
        assert "ix_message_waiting" in plan, f"{statement}\n{plan}"
        assert not OTHER_READ.search(plan), f"{statement}\n{plan}"
    assert len(idle) == 1, "an idle poll is one read"
    assert len(busy) == 2, "a claim is the same read, then the claim's SELECT"


@pytest.mark.slow
def test_a_dispatcher_killed_with_sends_in_flight_sends_none_twice(
    database: Database, twilio: FakeTwilio, tmp_path: Path
) -> None:
    bodies = queue_twilio_bodies(database, 20)
    env = twilio_dispatch_env(
        database.url,
        twilio,
        tmp_path / "data",
        OMO_DISPATCH_LEASE_SECONDS="60",
        OMO_TWILIO_TIMEOUT_SECONDS="20",
        OMO_DISPATCH_POLL_SECONDS="0.05",
        OMO_DISPATCH_CONCURRENCY="8",
    )
    env["PYTHONPATH"] = str(REPO_ROOT)
    # The real command, as an operator runs it.
    command = [str(Path(sys.executable).with_name("omo-backend")), "dispatch"]
    children: list[subprocess.Popen[bytes]] = []

    def start_dispatcher(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        child = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=log)
        children.append(child)
        return child

    def logs() -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("*.log")))

    try:
        twilio.hang()
        first = start_dispatcher("first")
        in_flight = twilio.wait_for_requests(8, timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # What the crash left behind: claimed, eight of them at Twilio, none recorded.
        with database.transaction(write=False) as session:
            left = dict(
                session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
            )
        assert left.get("sending", 0) >= 8, (left, logs())
        assert "sent" not in left, (left, logs())
        # Twilio goes on with what it was given: the eight messages exist there.
        twilio.release()
        wait_until(lambda: len(twilio.created) == 8, what="Twilio to create the eight")
        # The leases run out (rather than wait a minute for them).
        with database.transaction() as session:
            session.execute(
                update(Message)
                .where(Message.status == "sending")
                .values(claimed_until=utcnow() - timedelta(seconds=1))
            )

        second = start_dispatcher("second")
        wait_until(
            lambda: waiting_messages(database) == 0,
            timeout=60,
            what=f"every message settled after the restart\n{logs()}",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0, logs()
    finally:
        twilio.release()
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=10)

    assert_each_sent_once(database, twilio, bodies)
    sids = {created["body"]: created["sid"] for created in twilio.created}
    with database.transaction(write=False) as session:
        rows = session.execute(
            select(Message.body, Message.provider_message_id, Message.sending_since)
        ).all()
    assert all(sids[body] == sid for body, sid, _ in rows), "each row names Twilio's message"
    assert all(since is None for _, _, since in rows), "nothing left in doubt"
    # The eight in flight were looked up, not sent again.
    assert {r.form.get("Body") for r in in_flight} <= set(sids)
    assert twilio.lookups(), "the second dispatcher asked Twilio"
    assert PHONE not in logs()
    assert "OMO invitation" not in logs()


# --- bounded concurrent sends, and NOTIFY on enqueue ------------------------------------------


class CountingTwilio(TwilioProvider):
    """Twilio (the fake), counting how many of one dispatcher's sends are in flight at once."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._lock = threading.Lock()
        self._in_flight = 0
        self.most_in_flight = 0

    def send_sms(self, *, to: str, body: str) -> SendResult:
        with self._lock:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            return super().send_sms(to=to, body=body)
        finally:
            with self._lock:
                self._in_flight -= 1


def test_two_dispatchers_with_a_pool_each_send_every_message_once(
    database: Database, twilio: FakeTwilio
) -> None:
    bodies = queue_twilio_bodies(database, 120)
    twilio.latency_seconds = 0.05
    settings = twilio_settings(database.url, twilio, dispatch_concurrency=8, dispatch_batch=5)
    providers = [CountingTwilio(settings), CountingTwilio(settings)]

    with dispatching(database.url, settings, providers):
        wait_until(lambda: waiting_messages(database) == 0, timeout=60, what="every outcome")

    assert_each_sent_once(database, twilio, bodies)
    # Each dispatcher overlapped its sends, never beyond its slots.
    assert [1 < p.most_in_flight <= 8 for p in providers] == [True, True], [
        p.most_in_flight for p in providers
    ]


def test_a_queued_message_wakes_an_idle_dispatcher_on_postgresql(
    postgresql_factory: DatabaseFactory, twilio: FakeTwilio
) -> None:
    # The poll is an hour: only the NOTIFY of the message's INSERT can wake the dispatcher.
    url = postgresql_factory.new_url()
    database = Database(url)
    settings = twilio_settings(url, twilio, dispatch_poll_seconds=3600.0)
    try:
        with dispatching(url, settings, [None]):
            wait_until(lambda: listening(database), what="the dispatcher to LISTEN")
            time.sleep(0.2)  # its pass on connecting (nothing due) is over
            queue_invitation_sms(database, body="claimed at once", provider="twilio")
            twilio.wait_for_requests(1, timeout=10)
        assert twilio.bodies() == ["claimed at once"]
    finally:
        database.dispose()


def listening(database: Database) -> bool:
    with database.transaction(write=False) as session:
        count = session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'omo_backend_listen'"
            )
        )
    return bool(count)


def test_a_stopped_run_forever_lets_its_sends_in_flight_finish(database: Database) -> None:
    queued = [queue_invitation_sms(database, body=f"in flight {i}") for i in range(3)]
    provider = GatedProvider(lambda: SendResult(provider_message_id="p", provider_status="sent"))
    stop = threading.Event()
    worker = in_thread(
        lambda: Dispatcher(database, make_settings(database), provider).run_forever(stop)
    )
    assert provider.inside.wait(10)

    stop.set()  # SIGTERM, while the three sends wait for the provider
    worker.join(0.5)
    assert worker.is_alive(), "returned with sends in flight"
    provider.gate.set()
    worker.join(10)

    assert not worker.is_alive()
    assert [load_message(database, q.message_id).status for q in queued] == ["sent"] * 3


# --- sends in doubt: ask the provider before sending again ------------------------------------


def twilio_provider(twilio: FakeTwilio, **overrides: Any) -> TwilioProvider:
    values: dict[str, Any] = {
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_from": TWILIO_FROM,
        "twilio_api_base": twilio.base_url,
    }
    return TwilioProvider(Settings(_env_file=None, **{**values, **overrides}))  # type: ignore[call-arg]


def test_the_twilio_lookup_finds_only_this_body_to_this_number_since_the_claim(
    twilio: FakeTwilio,
) -> None:
    provider = twilio_provider(twilio)
    claimed = utcnow() - timedelta(minutes=5)
    before = claimed - timedelta(minutes=1)
    twilio.add_message(to=PHONE, body=LINK_BODY, created=before)  # an older copy
    twilio.add_message(to=PHONE, body=LINK_BODY + " ", created=claimed)  # another body
    twilio.add_message(to="+886900000000", body=LINK_BODY, created=claimed)  # another number
    twilio.add_message(to=PHONE, body=LINK_BODY, created=claimed, sender="+15005550001")

    assert provider.find_sent(to=PHONE, body=LINK_BODY, since=claimed) is None

    sid = twilio.add_message(to=PHONE, body=LINK_BODY, created=claimed + timedelta(seconds=1))
    found = provider.find_sent(to=PHONE, body=LINK_BODY, since=claimed)
    assert found is not None
    assert (found.provider_message_id, found.segments) == (sid, 1)
    [*_, lookup] = twilio.lookups()
    query = parse_qs(lookup.path.partition("?")[2])
    assert query["To"] == [PHONE]
    assert query["From"] == [TWILIO_FROM]
    assert query["DateSent>="] == [claimed.date().isoformat()]
    # Only an older copy: not it.
    assert (
        provider.find_sent(to=PHONE, body=LINK_BODY, since=claimed + timedelta(seconds=2)) is None
    )


def test_the_twilio_lookup_follows_next_page_uri(twilio: FakeTwilio) -> None:
    claimed = utcnow() - timedelta(hours=1)
    sid = twilio.add_message(to=PHONE, body=LINK_BODY, created=claimed + timedelta(seconds=1))
    for i in range(150):  # newer messages to the same number: the match is on page two
        twilio.add_message(to=PHONE, body=f"other {i}", created=claimed + timedelta(minutes=1))

    found = twilio_provider(twilio).find_sent(to=PHONE, body=LINK_BODY, since=claimed)

    assert found is not None
    assert found.provider_message_id == sid
    assert len(twilio.lookups()) == 2


def test_the_twilio_lookup_of_a_messaging_service_matches_its_messages(
    twilio: FakeTwilio,
) -> None:
    service = "MG" + "1" * 32
    provider = twilio_provider(twilio, twilio_from="", twilio_messaging_service_sid=service)
    claimed = utcnow() - timedelta(seconds=5)
    provider.send_sms(to=PHONE, body=LINK_BODY)

    found = provider.find_sent(to=PHONE, body=LINK_BODY, since=claimed - timedelta(seconds=60))

    assert found is not None
    assert found.provider_message_id == twilio.created[0]["sid"]
    assert "From" not in parse_qs(twilio.lookups()[0].path.partition("?")[2])


def test_a_twilio_lookup_that_fails_raises_a_transient_error(twilio: FakeTwilio) -> None:
    twilio.fail_next(1, status=503)
    with pytest.raises(TransientSendError):
        twilio_provider(twilio).find_sent(to=PHONE, body=LINK_BODY, since=utcnow())


def queue_in_doubt(database: Database, *, body: str, claimed_ago: float = 90.0) -> Queued:
    """A message whose sender died mid-send: ``sending``, its lease run out."""
    queued = queue_invitation_sms(database, body=body, provider="twilio")
    now = utcnow()
    set_message(
        database,
        queued.message_id,
        status="sending",
        attempts=1,
        claimed_until=now - timedelta(seconds=1),
        sending_since=now - timedelta(seconds=claimed_ago),
    )
    return queued


def test_a_send_in_doubt_that_went_out_is_recorded_not_sent_again(
    database: Database, twilio: FakeTwilio
) -> None:
    went_out = queue_in_doubt(database, body="went out before the crash")
    sid = twilio.add_message(
        to=PHONE, body="went out before the crash", created=utcnow() - timedelta(seconds=80)
    )
    never_arrived = queue_in_doubt(database, body="never reached Twilio")
    # The same body sent long before this message was claimed is not it.
    twilio.add_message(to=PHONE, body="never reached Twilio", created=utcnow() - timedelta(days=1))
    dispatcher = Dispatcher(database, twilio_settings(database.url, twilio))

    assert dispatcher.run_once() == 2

    assert twilio.bodies() == ["never reached Twilio"]
    message = load_message(database, went_out.message_id)
    assert (message.status, message.provider_message_id, message.attempts) == ("sent", sid, 2)
    assert message.sending_since is None
    assert load_invitation(database, went_out.invitation_id).status == "sent"
    message = load_message(database, never_arrived.message_id)
    assert message.status == "sent"
    assert message.provider_message_id == twilio.created[-1]["sid"]


def test_a_lookup_that_fails_is_retried_later_not_sent_blindly(
    database: Database, twilio: FakeTwilio
) -> None:
    queued = queue_in_doubt(database, body="in doubt")
    dispatcher = Dispatcher(database, twilio_settings(database.url, twilio))
    twilio.fail_next(1, status=503)

    assert dispatcher.run_once() == 1

    assert twilio.bodies() == [], "sent without knowing whether it already went out"
    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("queued", 2)
    assert message.sending_since is not None, "still in doubt"
    assert message.last_error == "twilio_list_http_503"

    set_message(database, queued.message_id, next_attempt_at=utcnow())  # its backoff is over
    assert dispatcher.run_once() == 1

    assert len(twilio.lookups()) == 2
    assert twilio.bodies() == ["in doubt"]
    assert load_message(database, queued.message_id).status == "sent"


def test_a_send_in_doubt_by_smtp_or_the_outbox_is_sent_again(database: Database) -> None:
    queued = queue_in_doubt(database, body="no way to ask")
    set_message(database, queued.message_id, provider="outbox")
    provider = RecordingProvider()  # no find_sent: as SMTP, it cannot tell

    assert Dispatcher(database, make_settings(database), provider).run_once() == 1

    assert provider.sent == [(PHONE, "no way to ask")]
    assert OutboxProvider().find_sent(to=PHONE, body="x", since=utcnow()) is None


class Messages(logging.Handler):
    """The dispatcher's log messages, as they come."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.slow
def test_an_outcome_write_waits_out_a_postgresql_restart(twilio: FakeTwilio) -> None:
    cluster = PostgresCluster().start()
    factory = DatabaseFactory("postgresql", cluster)
    database = Database(factory.new_url())
    messages = Messages()
    dispatcher_log = logging.getLogger("omo_backend.messaging.dispatcher")
    dispatcher_log.addHandler(messages)
    try:
        queued = queue_invitation_sms(database, body="at Twilio during the restart")
        dispatcher = Dispatcher(database, twilio_settings(database.url, twilio))
        handled: list[int] = []
        twilio.hang()
        worker = in_thread(lambda: handled.append(dispatcher.run_once()))
        twilio.wait_for_requests(1)

        cluster.pause()  # PostgreSQL goes away while the SMS is at Twilio
        twilio.release()
        wait_until(
            lambda: any("recording attempt 1's outcome failed" in m for m in messages.lines),
            what="the outcome write to find the database gone",
        )
        cluster.resume()
        worker.join(60)

        assert handled == [1]
        assert twilio.bodies() == ["at Twilio during the restart"]
        assert twilio.lookups() == []
        message = load_message(database, queued.message_id)
        assert (message.status, message.attempts) == ("sent", 1)
        assert message.provider_message_id == twilio.created[0]["sid"]
        assert load_invitation(database, queued.invitation_id).status == "sent"
    finally:
        dispatcher_log.removeHandler(messages)
        twilio.release()
        database.dispose()
        factory.close()
        cluster.stop()
