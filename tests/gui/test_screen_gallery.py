"""Every counter state drawn with the theme at the counter's size, in English and Chinese.

The PNGs are for people: a reviewer flips through them to catch clipped text, cramped
spacing or small targets that no assertion describes.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from backend_client import schemas
from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets.keyboard import TouchKeyboard
from tests.gui import counter_states as s
from tests.gui.design_checks import contrast_problems, touch_problems

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "counter"


def gallery() -> list[tuple[str, f.State, bool]]:
    """(file name, state, LINE enabled): all ten kinds of state and the variants that matter."""
    return [
        ("01-search-phone", f.Searching(text=s.TYPED_PHONE), False),
        ("02-search-busy", f.Searching(text=s.TYPED_PHONE, busy=True), False),
        ("03-search-error", f.Searching(text=s.TYPED_PHONE, error=s.OFFLINE), False),
        ("04-search-email-or-name", f.Searching(by=f.SearchBy.EMAIL_OR_NAME, text="陳"), False),
        (
            "05-results",
            f.Choosing(
                matches=(
                    s.customer(member=True),
                    s.customer(member=False, cid=8, name="陳小明", email=None),
                    s.customer(member=True, cid=9, name=None, phone=None, with_referral=False),
                ),
                text="陳",
            ),
            False,
        ),
        ("06-results-none", f.Choosing(matches=(), text="nobody@example.com"), False),
        ("07-customer-member", f.CustomerFound(s.customer(member=True)), False),
        (
            "08-customer-past-buyer",
            f.CustomerFound(s.customer(member=False), phone=s.TYPED_PHONE),
            False,
        ),
        (
            "09-customer-busy-error",
            f.CustomerFound(
                s.customer(member=False),
                error=s.RATE_LIMITED,
                phone=s.TYPED_PHONE,
                retry_at=datetime.now(UTC) + timedelta(seconds=s.RATE_LIMITED.retry_after),
            ),
            False,
        ),
        ("10-nobody", f.NobodyFound(phone=s.TYPED_PHONE), False),
        ("11-nobody-busy", f.NobodyFound(phone=s.TYPED_PHONE, busy=True), False),
        (
            "11-nobody-merged",
            f.NobodyFound(
                phone=s.TYPED_PHONE,
                merged_into=schemas.MergedInto(
                    kind=schemas.IdentifierKind.PHONE, member_id=1042, name="陳美玲"
                ),
            ),
            False,
        ),
        ("12-waiting", f.WaitingForBackend(phone=s.TYPED_PHONE, key="k"), False),
        ("13-sms-sent", s.sms_sent("sent", message="sent"), False),
        ("14-sms-queued", s.sms_sent("queued", message="queued"), False),
        ("15-sms-failed", s.sms_sent("failed", message="failed", failure="twilio_30003"), False),
        (
            "16-following-opened",
            f.FollowingRegistration(s.invitation("opened"), s.TYPED_PHONE),
            False,
        ),
        (
            "17-following-expired",
            f.FollowingRegistration(s.invitation("expired"), s.TYPED_PHONE),
            False,
        ),
        ("18-registered", f.Registered(s.invitation("registered", name="陳美玲")), False),
        ("19-binding-line", s.binding_state("scanned"), True),
        ("20-binding-no-line", s.binding_state("pending"), False),
        ("21-binding-sms-sent", s.binding_state("pending", sms_key="k", error=s.OFFLINE), True),
        ("22-binding-expired", s.binding_state("expired", expires_in=timedelta(0)), True),
        ("23-bound", s.bound(earlier=False), False),
        ("24-bound-referral-already-set", s.bound(earlier=True), False),
        ("25-binding-line-cancelled", s.binding_state("signed_in", line="cancelled"), True),
        ("26-binding-line-taken", s.binding_state("signed_in", line="taken"), True),
        ("27-binding-line-failed", s.binding_state("signed_in", line="failed"), True),
        (
            "28-binding-line-linked-friend",
            s.binding_state("line_linked", line="linked", friend=True),
            True,
        ),
        (
            "29-binding-line-linked-not-friend",
            s.binding_state("line_linked", line="linked", friend=False),
            True,
        ),
        ("30-binding-line-skipped", s.binding_state("signed_in", line="skipped"), True),
        ("31-bound-line-friend", s.bound(earlier=False, line="linked", friend=True), True),
        ("32-bound-line-not-friend", s.bound(earlier=True, line="linked", friend=False), True),
        ("33-bound-line-skipped", s.bound(earlier=False, line="skipped"), True),
        (
            "34-customer-member-line-friend",
            f.CustomerFound(s.customer(member=True, line_bound=True, line_friend=True)),
            True,
        ),
        (
            "35-results-line",
            f.Choosing(
                matches=(
                    s.customer(member=True, line_bound=True, line_friend=True),
                    s.customer(
                        member=True, cid=8, name="陳小明", line_bound=True, line_friend=False
                    ),
                    s.customer(member=True, cid=9, name="陳大文", line_bound=True),
                ),
                text="陳",
            ),
            False,
        ),
        (
            "36-sms-failed-number",
            s.sms_sent("failed", message="failed", failure="twilio_21211"),
            False,
        ),
        (
            "37-sms-failed-blocked",
            s.sms_sent("failed", message="failed", failure="twilio_30007"),
            False,
        ),
        (
            "38-sms-failed-service",
            s.sms_sent("failed", message="failed", failure="send_failed"),
            False,
        ),
        ("39-sms-expired", s.sms_sent("expired", message="sent"), False),
        (
            "40-sms-send-again-limited",
            dataclasses.replace(
                s.sms_sent("failed", message="failed", failure="twilio_30003"),
                error=s.RATE_LIMITED,
                retry_at=datetime.now(UTC) + timedelta(seconds=42),
            ),
            False,
        ),
        ("41-sms-opened", s.sms_sent("opened", message="sent"), False),
        (
            "42-following-failed",
            f.FollowingRegistration(
                s.invitation("failed", message="failed", failure="twilio_30005"), s.TYPED_PHONE
            ),
            False,
        ),
        (
            "43-nobody-limited",
            f.NobodyFound(
                phone=s.TYPED_PHONE,
                error=s.RATE_LIMITED,
                retry_at=datetime.now(UTC) + timedelta(seconds=42),
            ),
            False,
        ),
        ("44-customer-past-buyer-by-name", f.CustomerFound(s.customer(member=False)), False),
        (
            "45-search-email-keyboard",
            f.Searching(by=f.SearchBy.EMAIL_OR_NAME, text="chen.m@example"),
            False,
        ),
        # Signed in, LINE under way: the stepper's current step in the middle of the list.
        ("46-binding-line-signed-in", s.binding_state("signed_in"), True),
        ("47-binding-cancelled", s.binding_state("cancelled", expires_in=timedelta(0)), True),
        ("48-sms-delivered", s.sms_sent("sent", delivery="delivered"), False),
        (
            "49-following-delivered",
            f.FollowingRegistration(s.invitation("sent", delivery="delivered"), s.TYPED_PHONE),
            False,
        ),
        (
            "50-sms-undelivered",
            s.sms_sent("failed", message="failed", failure="twilio_30003", delivery="undelivered"),
            False,
        ),
    ]


# The states drawn as on a counter with no hardware keyboard (``--touch-keyboard on``).
ON_SCREEN_KEYBOARD = {"45-search-email-keyboard"}


def settle(app: QApplication) -> None:
    """Let every layout take its new size: a change inside a bar reaches the screen's layout
    one pass of events later, so one pass would picture a bar still at its old height."""
    for _ in range(3):
        app.processEvents()


def test_every_counter_state_in_both_languages(
    qtbot: QtBot, themed: QApplication, capsys: pytest.CaptureFixture[str]
):
    view = CounterView()
    view.resize(1280, 800)
    qtbot.addWidget(view)
    view.show()
    SHOTS.mkdir(parents=True, exist_ok=True)
    languages = LanguageSwitcher(themed)
    shots = gallery()
    problems: list[str] = []
    kinds = {type(state) for _, state, _ in shots}
    assert len(kinds) == 10, "every kind of state is in the gallery"
    try:
        for locale in ("en", "zh_TW"):
            languages.switch(locale)
            for name, state, line in shots:
                view.set_line_enabled(line)
                view.set_touch_keyboard(
                    TouchKeyboard.ON_SCREEN if name in ON_SCREEN_KEYBOARD else TouchKeyboard.NONE
                )
                view.render(state)
                settle(themed)
                path = SHOTS / f"{name}-{locale}.png"
                image = view.grab().toImage()
                assert image.save(str(path)), path
                for problem in touch_problems(view):
                    problems.append(f"{name}-{locale}: too small to tap: {problem}")
                for problem in contrast_problems(view, image):
                    problems.append(f"{name}-{locale}: low contrast: {problem}")
    finally:
        languages.switch("en")
    assert len(list(SHOTS.glob("*.png"))) >= 2 * len(shots)
    assert not problems, "\n".join(problems)
    with capsys.disabled():
        print(f"\ncounter screens: {SHOTS.resolve()}")
