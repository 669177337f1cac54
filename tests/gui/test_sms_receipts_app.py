"""Delivery receipts on the counter: the real app, a real backend sending through the fake
Twilio, and Twilio's signed status callbacks posted by the fake while staff watch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from omo_desktop.shell import Shell
from tests.fakes.twilio_server import FakeTwilio
from tests.gui.test_counter_app import (
    WAIT_MS,
    log_in,
    open_app,
    say,
    search,
    shown_text,
    staffed,
    tap,
    wait_for_screen,
)
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

TYPED = "0912345678"
GROUPED = "0912 345 678"


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory, twilio: FakeTwilio) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory, **twilio.settings_overrides()) as live:
        yield staffed(live)


@pytest.fixture(params=["en", "zh_TW"])
def app(
    request: pytest.FixtureRequest,
    backend: LiveBackend,
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
) -> Iterator[Shell]:
    shell = open_app(backend, qtbot, qapp, tmp_path)
    shell.switch_language(request.param)
    yield shell
    shell.switch_language("en")
    shell.close()
    qapp.setStyleSheet("")


def sign_up_and_wait_until_sent(qtbot: QtBot, app: Shell, twilio: FakeTwilio) -> str:
    """Staff sign the customer up; returns Twilio's sid once the prompt says "SMS sent"."""
    log_in(qtbot, app)
    search(qtbot, app, TYPED)
    wait_for_screen(qtbot, app, "customer")
    tap(qtbot, app.counter.view, "sign_up")
    wait_for_screen(qtbot, app, "sms_prompt")
    sent = say("SmsPromptScreen", "SMS sent to %1", GROUPED)
    qtbot.waitUntil(lambda: title(app) == sent, timeout=WAIT_MS)
    [created] = twilio.created
    sid: str = created["sid"]
    return sid


def title(app: Shell) -> str:
    return next(w for w in app.counter.view.findChildren(QLabel, "title") if w.isVisible()).text()


def test_the_counter_shows_delivered_to_the_phone_when_twilio_says_so(
    app: Shell, twilio: FakeTwilio, qtbot: QtBot
) -> None:
    sid = sign_up_and_wait_until_sent(qtbot, app, twilio)
    delivered = say("SmsPromptScreen", "Delivered to the phone.")
    assert delivered not in shown_text(app.counter.view)

    assert twilio.send_receipt(sid, "delivered").status_code == 204
    qtbot.waitUntil(lambda: delivered in shown_text(app.counter.view), timeout=WAIT_MS)

    # Following the registration, the first step says where the SMS is.
    tap(qtbot, app.counter.view, "sms_received")
    wait_for_screen(qtbot, app, "following")
    assert say("FollowingScreen", "Delivered to the phone") in shown_text(app.counter.view)


def test_an_undelivered_receipt_explains_why_and_send_again_sends_one_more(
    app: Shell, twilio: FakeTwilio, qtbot: QtBot
) -> None:
    sid = sign_up_and_wait_until_sent(qtbot, app, twilio)

    # Twilio 30003: the handset could not be reached (off, or no signal).
    assert twilio.send_receipt(sid, "undelivered", error_code=30003).status_code == 204
    not_there = say("SmsPromptScreen", "The SMS did not reach the phone")
    qtbot.waitUntil(lambda: title(app) == not_there, timeout=WAIT_MS)
    unreachable = say(
        "Messages",
        "The phone at %1 could not be reached: it may be off or have no signal.",
        GROUPED,
    )
    assert unreachable in shown_text(app.counter.view)

    tap(qtbot, app.counter.view, "send_again")
    twilio.wait_for_requests(2, timeout=WAIT_MS / 1000)
    sent = say("SmsPromptScreen", "SMS sent to %1", GROUPED)
    qtbot.waitUntil(lambda: title(app) == sent, timeout=WAIT_MS)
    assert len(twilio.requests) == 2, "one tap, one more SMS"
