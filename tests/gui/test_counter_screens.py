"""The counter screens draw a flow state and turn taps into intents: nothing more.

Each test hands the view a state the flow could be in, as the shell does, and looks at what
staff would see or what a tap emits.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from backend_client.errors import ApiError
from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.messages import describe
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets import layout
from omo_desktop.widgets.countdown import Countdown
from omo_desktop.widgets.steps import Mark
from tests.gui import counter_states as s
from tests.gui.test_screen_gallery import gallery

LEFT = Qt.MouseButton.LeftButton
# The day the sample member's referral was bound, as this computer's calendar shows it.
REFERRED_ON = (s.THEN - timedelta(days=200)).astimezone().strftime("%Y-%m-%d")


class FakeClock:
    """A clock the test moves itself: a countdown is checked without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture
def view(counter_view: CounterView) -> CounterView:
    return counter_view


def page(view: CounterView) -> QWidget:
    current = view.currentWidget()
    assert current is not None
    return current


def shown(view: CounterView) -> list[str]:
    """Every label and button text staff can see on the current page."""
    current = page(view)
    widgets: list[QLabel | QPushButton] = [
        *current.findChildren(QLabel),
        *current.findChildren(QPushButton),
    ]
    return [w.text() for w in widgets if w.isVisibleTo(current) and w.text()]


def label(view: CounterView, name: str) -> QLabel:
    found = page(view).findChild(QLabel, name)
    assert found is not None, name
    return found


def button(view: CounterView, name: str) -> QPushButton:
    found = page(view).findChild(QPushButton, name)
    assert found is not None, name
    return found


def visible(view: CounterView, widget: QWidget) -> bool:
    return widget.isVisibleTo(page(view))


# --- Member Search ------------------------------------------------------------------------


def test_staff_type_a_number_on_the_numpad_and_confirm(qtbot: QtBot, view: CounterView):
    assert view.current_screen_name() == "search"
    assert label(view, "title").text() == "Member Search"
    pad = page(view).findChild(QWidget, "numpad")
    assert visible(view, pad)
    for key in ["plus", "8", "8", "6", "9", "1", "2"]:
        qtbot.mouseClick(pad.findChild(QPushButton, f"numpad_{key}"), LEFT)
    with qtbot.waitSignal(view.search_requested) as signal:
        qtbot.mouseClick(button(view, "confirm"), LEFT)
    assert signal.args == ["+886912"]


def test_enter_confirms_and_an_empty_field_does_nothing(qtbot: QtBot, view: CounterView):
    field = page(view).findChild(QLineEdit, "search_field")
    with qtbot.assertNotEmitted(view.search_requested):
        qtbot.mouseClick(button(view, "confirm"), LEFT)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.keyClicks(field, " 0912 345 678 ")
    with qtbot.waitSignal(view.search_requested) as signal:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert signal.args == ["0912 345 678"]


def test_while_searching_confirm_waits_and_says_so(qtbot: QtBot, view: CounterView):
    view.render(f.Searching(text=s.TYPED_PHONE, busy=True))
    confirm = button(view, "confirm")
    assert confirm.text() == "Searching…"
    assert not confirm.isEnabled()
    with qtbot.assertNotEmitted(view.search_requested):
        qtbot.keyClick(page(view).findChild(QLineEdit, "search_field"), Qt.Key.Key_Return)


def test_a_failed_search_says_why_and_keeps_the_number(view: CounterView):
    view.render(f.Searching(text=s.TYPED_PHONE, error=s.OFFLINE))
    assert label(view, "error").text() == (
        "The server can't be reached. What you typed is kept; try again."
    )
    assert page(view).findChild(QLineEdit, "search_field").text() == s.TYPED_PHONE
    assert button(view, "confirm").text() == "Confirm"


def test_a_re_render_keeps_what_staff_typed(qtbot: QtBot, view: CounterView):
    field = page(view).findChild(QLineEdit, "search_field")
    qtbot.keyClicks(field, "0912 3")
    view.render(f.Searching())
    assert field.text() == "0912 3", "the same state again must not wipe the typing"
    view.render(f.Searching(text=s.TYPED_PHONE))
    assert field.text() == s.TYPED_PHONE, "a new text from the flow (Check again) is shown"
    view.render(f.NobodyFound(phone=s.TYPED_PHONE))
    view.render(f.Searching())
    assert field.text() == "", "back from another screen: an empty search"


def test_switching_between_phone_and_email_or_name(qtbot: QtBot, view: CounterView):
    switch = button(view, "switch_method")
    assert switch.text() == "Search by email or customer name"
    with qtbot.waitSignal(view.method_requested) as signal:
        qtbot.mouseClick(switch, LEFT)
    assert signal.args == ["email_or_name"]

    view.render(f.Searching(by=f.SearchBy.EMAIL_OR_NAME))
    field = page(view).findChild(QLineEdit, "search_field")
    assert field.placeholderText() == "E-mail or customer name"
    assert not visible(view, page(view).findChild(QWidget, "numpad"))
    assert switch.text() == "Search by mobile number"
    with qtbot.waitSignal(view.method_requested) as signal:
        qtbot.mouseClick(switch, LEFT)
    assert signal.args == ["phone"]
    field.insert("陳美玲")  # Chinese comes through the input method, not key by key
    with qtbot.waitSignal(view.search_requested) as signal:
        qtbot.mouseClick(button(view, "confirm"), LEFT)
    assert signal.args == ["陳美玲"]


# --- several matches ----------------------------------------------------------------------


def test_staff_tap_the_right_customer_among_several(qtbot: QtBot, view: CounterView):
    amy = s.customer(member=True)
    ming = s.customer(member=False, cid=8, name="陳小明")
    view.render(f.Choosing(matches=(amy, ming), text="陳"))
    assert view.current_screen_name() == "results"
    assert label(view, "title").text() == "2 customers match"
    rows = view.results.rows()
    assert [row.customer for row in rows] == [amy, ming]
    # Each row is a touch target, once the layout has run.
    qtbot.waitUntil(lambda: all(row.height() >= 48 for row in rows), timeout=1000)
    assert "陳小明" in shown(view)
    with qtbot.waitSignal(view.chosen) as signal:
        qtbot.mouseClick(rows[1], LEFT)
    assert signal.args == [ming]
    with qtbot.waitSignal(view.back_requested):
        qtbot.mouseClick(button(view, "new_search"), LEFT)


def test_nobody_matched_suggests_the_mobile_number(qtbot: QtBot, view: CounterView):
    view.render(f.Choosing(matches=(), text="nobody@example.com"))
    assert label(view, "title").text() == "No customer matches"
    assert "mobile number" in label(view, "no_match_hint").text()
    assert not any("nobody@example.com" in text for text in shown(view))
    with qtbot.waitSignal(view.method_requested) as signal:
        qtbot.mouseClick(button(view, "search_by_phone"), LEFT)
    assert signal.args == ["phone"]


# --- one customer, or nobody --------------------------------------------------------------


def test_a_member_is_offered_bind_now(qtbot: QtBot, view: CounterView):
    view.render(f.CustomerFound(s.customer(member=True)))
    assert view.current_screen_name() == "customer"
    texts = shown(view)
    assert "陳美玲" in texts
    assert f"{s.MASKED} · c•••@g••••.com" in texts
    assert "Member · Gold · 1,280 points" in texts
    # Binding will not move the referral: the card says whose it is, and since when.
    assert f"Referral: 信義門市 · Ben since {REFERRED_ON}" in texts
    assert (
        "Bind now shows a QR code for the customer to scan. The referral stays with 信義門市 · "
        "Ben: binding here does not change it."
    ) in texts
    assert not visible(view, button(view, "sign_up"))
    with qtbot.waitSignal(view.bind_requested):
        qtbot.mouseClick(button(view, "bind_now"), LEFT)
    with qtbot.waitSignal(view.back_requested):
        qtbot.mouseClick(button(view, "new_search"), LEFT)


def test_a_member_without_a_referral_is_told_only_what_bind_now_does(view: CounterView):
    view.render(f.CustomerFound(s.customer(member=True, with_referral=False)))
    assert "Bind now shows a QR code for the customer to scan." in shown(view)
    assert not [text for text in shown(view) if "stays with" in text]


def test_a_past_buyer_is_offered_sign_up(qtbot: QtBot, view: CounterView):
    view.render(f.CustomerFound(s.customer(member=False)))
    assert "Bought before, not a member yet · 3 orders" in shown(view)
    assert not visible(view, button(view, "bind_now"))
    with qtbot.waitSignal(view.sign_up_requested):
        qtbot.mouseClick(button(view, "sign_up"), LEFT)


def test_busy_and_refused_sign_up(view: CounterView):
    view.render(f.CustomerFound(s.customer(member=False), busy=True, phone=s.TYPED_PHONE))
    sign_up = button(view, "sign_up")
    assert (sign_up.text(), sign_up.isEnabled()) == ("Please wait…", False)
    view.render(f.CustomerFound(s.customer(member=False), error=ApiError("not_mobile", "x")))
    assert (sign_up.text(), sign_up.isEnabled()) == ("Sign up", True), "refused, not waiting"
    assert label(view, "error").text() == (
        "That is not a mobile number: an SMS can't be sent to it."
    )


def test_a_rate_limited_sign_up_counts_down_and_is_offered_again_when_the_wait_is_over(
    qtbot: QtBot, view: CounterView
):
    clock = FakeClock()
    view.customer.wait.clock = clock
    limited = f.CustomerFound(
        s.customer(member=False),
        error=s.RATE_LIMITED,
        phone=s.TYPED_PHONE,
        retry_at=clock.now + timedelta(seconds=42),
    )
    view.render(limited)
    sign_up = button(view, "sign_up")
    assert (sign_up.text(), sign_up.isEnabled()) == ("Sign up (0:42)", False)
    assert label(view, "error").text() == describe(s.RATE_LIMITED)
    assert view.customer.wait.is_running()

    clock.now += timedelta(seconds=30)
    with qtbot.assertNotEmitted(view.wait_over):
        view.customer.wait.tick()
    assert (sign_up.text(), sign_up.isEnabled()) == ("Sign up (0:12)", False)
    view.render(limited)  # the same state drawn again (a language switch) keeps counting
    assert sign_up.text() == "Sign up (0:12)"

    clock.now += timedelta(seconds=12)
    with qtbot.waitSignal(view.wait_over, timeout=0):
        view.customer.wait.tick()
    assert not view.customer.wait.is_running()
    # The flow clears the refusal (CounterFlow.wait_over): the same screen, tappable again.
    view.render(dataclasses.replace(limited, error=None, retry_at=None))
    assert (sign_up.text(), sign_up.isEnabled()) == ("Sign up", True)
    assert label(view, "error").text() == ""


def test_a_wait_over_before_it_is_drawn_is_reported_at_once(qtbot: QtBot, view: CounterView):
    clock = FakeClock()
    view.customer.wait.clock = clock
    with qtbot.waitSignal(view.wait_over, timeout=0):
        view.render(f.NobodyFound(s.TYPED_PHONE, error=s.RATE_LIMITED, retry_at=clock.now))
    assert button(view, "sign_up").text() == "Sign up (0:00)"


def test_long_waits_show_hours(view: CounterView):
    clock = FakeClock()
    view.customer.wait.clock = clock
    later = clock.now + timedelta(hours=1, minutes=2, seconds=3)
    view.render(f.NobodyFound(s.TYPED_PHONE, error=s.RATE_LIMITED, retry_at=later))
    assert button(view, "sign_up").text() == "Sign up (1:02:03)"
    view.render(f.Searching())
    assert not view.customer.wait.is_running(), "no timer left on a hidden page"


def test_nobody_with_that_number_shows_it_in_full_to_be_checked(qtbot: QtBot, view: CounterView):
    view.render(f.NobodyFound(phone="0912345678"))
    assert view.current_screen_name() == "customer"
    assert label(view, "title").text() == "No customer with this number"
    number = label(view, "number")
    assert (number.text(), visible(view, number)) == ("0912 345 678", True)
    assert (
        "Sign up sends a registration SMS to this number (link valid 2 hours). "
        "Check it with the customer first."
    ) in shown(view)
    with qtbot.waitSignal(view.sign_up_requested):
        qtbot.mouseClick(button(view, "sign_up"), LEFT)
    view.render(f.NobodyFound(phone="+886912345678"))
    assert number.text() == "+886 912 345 678", "typed with its country: shown with it"


def test_a_past_buyer_shows_the_typed_number_in_full_and_the_card_masked(view: CounterView):
    view.render(f.CustomerFound(s.customer(member=False), phone="0912345678"))
    number = label(view, "number")
    assert (number.text(), visible(view, number)) == ("0912 345 678", True)
    assert f"{s.MASKED} · c•••@g••••.com" in shown(view), "the server's data stays masked"
    view.render(f.CustomerFound(s.customer(member=False)))  # found by e-mail: no typed number
    assert not visible(view, label(view, "number"))
    assert "Sign up sends a registration SMS (link valid 2 hours)." in shown(view)
    view.render(f.CustomerFound(s.customer(member=True), phone="0912345678"))
    assert not visible(view, label(view, "number")), "Bind now sends nothing to the number"


def test_the_main_action_is_at_the_right_end_and_an_error_moves_nothing(view: CounterView):
    view.render(f.NobodyFound(phone=s.TYPED_PHONE))
    settle()
    sign_up, new_search = button(view, "sign_up"), button(view, "new_search")
    where = sign_up.mapTo(view, sign_up.rect().topLeft())
    assert where.x() > new_search.mapTo(view, new_search.rect().topLeft()).x()
    assert where.x() + sign_up.width() == view.width() - layout.MARGINS[2]
    number = label(view, "number")
    number_at = number.mapTo(view, number.rect().topLeft())
    view.render(f.NobodyFound(phone=s.TYPED_PHONE, error=s.OFFLINE))
    settle()
    assert label(view, "error").text() == (
        "The server can't be reached. Check the network connection, then try again."
    ), "nothing was typed on this screen"
    assert sign_up.mapTo(view, sign_up.rect().topLeft()) == where
    assert number.mapTo(view, number.rect().topLeft()) == number_at


def test_no_screen_shows_a_raw_number_or_the_link(view: CounterView):
    # What staff just typed is shown grouped, on the screens before and right after sending
    # (to check it); everything from the server stays masked.
    typed_kinds = (f.Searching, f.NobodyFound, f.CustomerFound, f.WaitingForBackend, f.SmsSent)
    for name, state, line in gallery():
        view.set_line_enabled(line)
        view.render(state)
        typed = getattr(state, "phone", None) is not None and isinstance(state, typed_kinds)
        for text in shown(view):
            assert s.RAW_DIGITS not in text, (name, text)
            assert "http" not in text, (name, text)
            if not typed:
                assert s.TYPED_PHONE not in text, (name, text)
        if typed and not isinstance(state, f.Searching):
            assert any(s.TYPED_PHONE in text for text in shown(view)), name


# --- SMS sent and following ----------------------------------------------------------------


def actions(view: CounterView) -> dict[str, tuple[bool, str]]:
    """The visible buttons: name → (enabled, role), left to right."""
    bar = page(view).findChild(QWidget, "action_bar")
    assert bar is not None
    found = [b for b in bar.findChildren(QPushButton) if b.isVisibleTo(bar)]
    found.sort(key=lambda b: b.geometry().x())
    return {b.objectName(): (b.isEnabled(), b.property("role") or "") for b in found}


def test_while_the_sms_is_queued_the_heading_says_sending_and_received_waits(view: CounterView):
    view.render(s.sms_sent("queued", message="queued"))
    assert view.current_screen_name() == "sms_prompt"
    assert label(view, "title").text() == "Sending the SMS to 0912 345 678…"
    assert visible(view, page(view).findChild(QWidget, "busy")), "a busy mark while sending"
    assert actions(view) == {"check_again": (True, ""), "sms_received": (False, "primary")}
    assert "Check again cancels this SMS and its link." in shown(view)
    assert not any("sent" in text.lower() for text in shown(view)), "nothing says sent yet"
    view.render(s.sms_sent("queued", message="sending"))
    assert label(view, "title").text() == "Sending the SMS to 0912 345 678…"


def test_the_sms_prompt_asks_and_offers_both_answers(qtbot: QtBot, view: CounterView):
    invitation = s.invitation("sent", message="sent")
    view.render(f.SmsSent(invitation, s.TYPED_PHONE))
    until = invitation.expires_at.astimezone().strftime("%H:%M")
    assert [t for t in shown(view) if t][:4] == [
        "SMS sent to 0912 345 678",
        "Ask the customer: did the SMS arrive?",
        f"The link works until {until}",
        "Check again cancels the link already sent.",
    ]
    assert not visible(view, page(view).findChild(QWidget, "busy"))
    assert actions(view) == {"check_again": (True, ""), "sms_received": (True, "primary")}
    with qtbot.waitSignal(view.sms_received):
        qtbot.mouseClick(button(view, "sms_received"), LEFT)
    with qtbot.waitSignal(view.check_again):
        qtbot.mouseClick(button(view, "check_again"), LEFT)
    view.render(f.SmsSent(invitation))  # resumed without the typed number: the server's, masked
    assert label(view, "title").text() == f"SMS sent to {s.MASKED}"
    view.render(s.sms_sent("opened", message="sent"))
    assert "The customer has opened the link." in shown(view)


@pytest.mark.parametrize(
    ("failure", "what", "todo", "bar"),
    [
        (
            "twilio_30003",
            "The phone at 0912 345 678 could not be reached: it may be off or have no signal.",
            "Ask the customer to check their phone, then send again.",
            {"check_number": (True, ""), "send_again": (True, "primary")},
        ),
        (
            "twilio_21211",
            "0912 345 678 can't receive SMS: the number is wrong, not in service or not a mobile.",
            "Check the number with the customer, then search again.",
            {"check_number": (True, "primary")},
        ),
        (
            "twilio_30007",
            "The mobile carrier of 0912 345 678 blocked the SMS.",
            "Ask the customer for another mobile number.",
            {"check_number": (True, "primary")},
        ),
        (
            "send_failed",
            "The SMS service could not send it to 0912 345 678.",
            "Send again in a moment. If it keeps failing, tell a manager.",
            {"check_number": (True, ""), "send_again": (True, "primary")},
        ),
    ],
)
def test_a_failed_sms_says_why_in_words_and_offers_what_helps(
    view: CounterView, failure: str, what: str, todo: str, bar: dict[str, tuple[bool, str]]
):
    view.render(s.sms_sent("failed", message="failed", failure=failure))
    assert label(view, "title").text() == "The SMS could not be sent"
    assert label(view, "question").text() == what
    assert label(view, "next_step").text() == todo
    assert actions(view) == bar, "no SMS received: an SMS that never left can't arrive"
    texts = " ".join(shown(view))
    assert "code" not in texts
    assert failure.removeprefix("twilio_") not in texts
    assert "Check again cancels" not in texts, "no link went out to cancel"


def test_a_failed_message_of_a_sent_invitation_is_a_failure_too(view: CounterView):
    view.render(s.sms_sent("sent", message="failed"))
    assert label(view, "title").text() == "The SMS could not be sent"
    assert "sms_received" not in actions(view)


@pytest.mark.parametrize(
    ("status", "failure", "title", "what", "bar"),
    [
        (
            "expired",
            None,
            "This registration link no longer works",
            "The registration link has expired.",
            {"check_number": (True, ""), "send_again": (True, "primary")},
        ),
        (
            "cancelled",
            None,
            "This registration link no longer works",
            "This invitation was cancelled.",
            {"check_number": (True, ""), "send_again": (True, "primary")},
        ),
        (
            "cancelled",
            "registered_elsewhere",
            "The customer is a member now",
            "The customer registered through another SMS: they are a member now.",
            {"check_number": (True, "primary")},
        ),
    ],
)
def test_an_ended_link_says_so_and_offers_a_new_one(
    view: CounterView,
    status: str,
    failure: str | None,
    title: str,
    what: str,
    bar: dict[str, tuple[bool, str]],
):
    view.render(s.sms_sent(status, message="sent", failure=failure))
    assert label(view, "title").text() == title
    assert label(view, "question").text() == what
    assert actions(view) == bar


def test_send_again_is_tapped_once_and_counts_down_when_refused(qtbot: QtBot, view: CounterView):
    failed = s.sms_sent("failed", message="failed", failure="twilio_30003")
    view.render(failed)
    with qtbot.waitSignal(view.send_again):
        qtbot.mouseClick(button(view, "send_again"), LEFT)
    with qtbot.waitSignal(view.check_again):
        qtbot.mouseClick(button(view, "check_number"), LEFT)
    view.render(dataclasses.replace(failed, busy=True))
    resend = button(view, "send_again")
    assert (resend.text(), resend.isEnabled()) == ("Please wait…", False)
    clock = FakeClock()
    view.sms_prompt.wait.clock = clock
    view.render(
        dataclasses.replace(
            failed, error=s.RATE_LIMITED, retry_at=clock.now + timedelta(seconds=42)
        )
    )
    assert (resend.text(), resend.isEnabled()) == ("Send again (0:42)", False)
    assert label(view, "error").text() == describe(s.RATE_LIMITED)
    clock.now += timedelta(seconds=42)
    with qtbot.waitSignal(view.wait_over, timeout=0):
        view.sms_prompt.wait.tick()


def test_following_the_registration_step_by_step(qtbot: QtBot, view: CounterView):
    view.render(f.FollowingRegistration(s.invitation("sent"), s.TYPED_PHONE))
    assert view.current_screen_name() == "following"
    assert label(view, "title").text() == f"Registration for {s.MASKED}"
    steps = view.following.steps
    assert steps.texts() == [
        "SMS sent",
        "Waiting for the customer to open the link",
        "Registration complete",
    ]
    assert steps.marks() == [Mark.DONE, Mark.CURRENT, Mark.TODO]
    assert "Waiting for the customer to finish registering…" in shown(view)
    assert "Check again cancels the link already sent." in shown(view)
    assert actions(view) == {"check_again": (True, "")}
    view.render(f.FollowingRegistration(s.invitation("opened"), s.TYPED_PHONE))
    assert steps.marks() == [Mark.DONE, Mark.DONE, Mark.CURRENT]
    assert steps.texts()[2] == "The customer is registering"
    view.render(f.FollowingRegistration(s.invitation("queued", message="queued")))
    assert steps.marks() == [Mark.CURRENT, Mark.TODO, Mark.TODO]
    assert steps.texts()[0] == "Sending the SMS"
    with qtbot.waitSignal(view.check_again):
        qtbot.mouseClick(button(view, "check_again"), LEFT)


def test_an_expired_registration_is_explained_and_a_new_link_offered(
    qtbot: QtBot, view: CounterView
):
    view.render(f.FollowingRegistration(s.invitation("expired"), s.TYPED_PHONE))
    texts = shown(view)
    assert "The registration link has expired." in texts
    assert f"Send again to send a new link to {s.MASKED}." in texts
    assert "Waiting for the customer to finish registering…" not in texts
    assert actions(view) == {"check_number": (True, ""), "send_again": (True, "primary")}
    with qtbot.waitSignal(view.send_again):
        qtbot.mouseClick(button(view, "send_again"), LEFT)
    with qtbot.waitSignal(view.check_again):
        qtbot.mouseClick(button(view, "check_number"), LEFT)
    # Without the typed number (not known on this counter) a new SMS starts from the number.
    view.render(f.FollowingRegistration(s.invitation("expired")))
    assert actions(view) == {"check_number": (True, "primary")}
    assert "Check the number, then send a new SMS." in shown(view)
    view.render(
        f.FollowingRegistration(
            s.invitation("failed", message="failed", failure="twilio_30005"), s.TYPED_PHONE
        )
    )
    assert f"{s.MASKED} can't receive SMS" in " ".join(shown(view))
    assert actions(view) == {"check_number": (True, "primary")}


def test_registered_names_the_referral_and_done_starts_over(qtbot: QtBot, view: CounterView):
    view.render(f.Registered(s.invitation("registered", name="陳美玲")))
    assert view.current_screen_name() == "success"
    texts = shown(view)
    assert "New member registered" in texts
    assert f"陳美玲 · {s.MASKED}" in texts, "the new member by name, not only a masked number"
    assert "Referral: 台北總店 · Amy" in texts
    view.render(f.Registered(s.invitation("registered")))
    assert s.MASKED in shown(view), "no name from the backend: the number still says who"
    with qtbot.waitSignal(view.back_requested):
        qtbot.mouseClick(button(view, "done"), LEFT)


def test_waiting_for_the_server_keeps_the_sign_up(qtbot: QtBot, view: CounterView):
    view.render(f.WaitingForBackend(phone="0912345678", key="k"))
    assert view.current_screen_name() == "waiting"
    texts = shown(view)
    assert "The server can't be reached." in texts
    assert "The sign-up SMS to 0912 345 678 will be sent once it is back — only once." in texts
    assert "Check again cancels this SMS so you can check the number and try again." in texts
    assert visible(view, page(view).findChild(QWidget, "busy"))
    with qtbot.waitSignal(view.check_again):
        qtbot.mouseClick(button(view, "check_again"), LEFT)


# --- Bind now -----------------------------------------------------------------------------


def test_the_qr_code_is_large_and_the_customer_s_progress_shows(qtbot: QtBot, view: CounterView):
    view.set_line_enabled(True)
    view.render(s.binding_state("pending"))
    assert view.current_screen_name() == "binding"
    qr = view.binding.qr
    assert visible(view, qr)
    assert min(qr.width(), qr.height()) >= 360
    assert qr.module_size() > 0, "the code is drawn"
    countdown = view.binding.countdown
    assert countdown.text() in ("10:00", "9:59")
    steps = view.binding.steps
    assert steps.texts() == [
        "Waiting for the customer to scan",
        "Sign in",
        "Link LINE",
        "Confirm details",
    ]
    assert steps.marks() == [Mark.CURRENT, Mark.TODO, Mark.TODO, Mark.TODO]
    view.render(s.binding_state("signed_in"))
    assert steps.texts() == ["Scanned", "Signed in", "Linking LINE…", "Confirm details"]
    assert steps.marks() == [Mark.DONE, Mark.DONE, Mark.CURRENT, Mark.TODO]
    with qtbot.waitSignal(view.back_requested):
        qtbot.mouseClick(button(view, "cancel"), LEFT)


def test_without_a_line_channel_there_is_no_line_step(view: CounterView):
    view.render(s.binding_state("signed_in"))
    steps = view.binding.steps
    assert steps.texts() == ["Scanned", "Signed in", "Waiting for the customer to confirm"]
    assert steps.marks() == [Mark.DONE, Mark.DONE, Mark.CURRENT]
    view.set_line_enabled(True)
    assert "Linking LINE…" in steps.texts(), "the screen on show is redrawn"
    view.set_line_enabled(False)
    assert not [text for text in shown(view) if "LINE" in text]


def test_cant_scan_sends_the_sms_once(qtbot: QtBot, view: CounterView):
    view.render(s.binding_state("pending"))
    by_sms = button(view, "cant_scan")
    assert by_sms.text() == "Can't scan? Try SMS invitation"
    with qtbot.waitSignal(view.cant_scan):
        qtbot.mouseClick(by_sms, LEFT)
    view.render(s.binding_state("pending", sms_key="k"))
    assert (by_sms.text(), by_sms.isEnabled()) == (f"SMS sent to {s.MASKED}", False)
    view.render(s.binding_state("pending", sms_sent=True))
    assert (by_sms.text(), by_sms.isEnabled()) == (f"SMS sent to {s.MASKED}", False)
    view.render(s.binding_state("scanned", sms_sent=True))
    assert not visible(view, by_sms), "the link is open on the phone: no other way is needed"
    view.render(s.binding_state("pending", error=s.OFFLINE))
    assert label(view, "error").text() == describe(s.OFFLINE)
    assert by_sms.isEnabled(), "a failed SMS can be tried again"


@pytest.mark.parametrize(
    ("status", "words"),
    [("expired", "This QR code has expired"), ("cancelled", "This QR code was cancelled")],
)
def test_an_ended_code_is_hidden_and_a_new_one_offered(
    qtbot: QtBot, view: CounterView, status: str, words: str
):
    view.render(s.binding_state(status, expires_in=timedelta(0)))
    assert not visible(view, view.binding.qr)
    assert view.binding.qr.module_size() == 0, "nothing left to scan"
    assert label(view, "expired_text").text() == words
    texts = shown(view)
    assert "It can no longer be scanned. Tap New code to show a fresh one." in texts
    assert not [text for text in texts if "scan this code" in text or "Can't scan" in text]
    assert not visible(view, view.binding.countdown)
    assert not visible(view, view.binding.steps)
    new_code = button(view, "new_code")
    assert new_code.text() == "New code"
    assert visible(view, new_code)
    assert new_code.property("role") == "primary"
    with qtbot.waitSignal(view.new_code):
        qtbot.mouseClick(new_code, LEFT)


def test_the_countdown_reaching_zero_offers_a_new_code(qtbot: QtBot, view: CounterView):
    view.render(s.binding_state("pending", expires_in=timedelta(seconds=1.2)))
    assert visible(view, view.binding.qr)
    assert not visible(view, button(view, "new_code"))
    with qtbot.waitSignal(view.binding.countdown.expired, timeout=5000):
        pass
    assert not visible(view, view.binding.qr)
    assert label(view, "expired_text").text() == "This QR code has expired"
    with qtbot.waitSignal(view.new_code):
        qtbot.mouseClick(button(view, "new_code"), LEFT)


def test_a_fresh_code_after_expiry_shows_the_qr_again(view: CounterView):
    view.render(s.binding_state("expired", expires_in=timedelta(0)))
    fresh = s.binding_state("pending")
    view.render(f.Binding(fresh.customer, fresh.binding.model_copy(update={"id": 6}), fresh.qr_url))
    assert visible(view, view.binding.qr)
    assert view.binding.countdown.is_running()


def test_the_countdown_shows_minutes_and_seconds(qtbot: QtBot):
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    countdown = Countdown(clock=lambda: now)
    qtbot.addWidget(countdown)
    countdown.start(now + timedelta(minutes=2, seconds=5))
    assert countdown.text() == "2:05"
    countdown.stop()
    with qtbot.waitSignal(countdown.expired, timeout=100):
        countdown.start(now - timedelta(seconds=3))
    assert countdown.text() == "0:00"


def test_bound_names_store_staff_and_time(qtbot: QtBot, view: CounterView):
    state = s.bound(earlier=False)
    view.render(state)
    assert view.current_screen_name() == "success"
    referral = state.binding.referral
    assert referral is not None
    texts = shown(view)
    assert "Bound to 台北總店 · Amy" in texts
    assert f"陳美玲 · {s.MASKED}" in texts
    when = referral.bound_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"Referral recorded {when}" in texts
    assert not any("stays with" in text for text in texts)
    with qtbot.waitSignal(view.back_requested):
        qtbot.mouseClick(button(view, "done"), LEFT)


def test_bound_says_an_earlier_referral_stays_and_does_not_claim_it(view: CounterView):
    state = s.bound(earlier=True)
    view.render(state)
    referral = state.binding.referral
    assert referral is not None
    since = referral.bound_at.astimezone().strftime("%Y-%m-%d")
    texts = shown(view)
    assert label(view, "title").text() == "Member confirmed"
    assert (
        f"The referral stays with 信義門市 · Ben, since {since}: binding here does not change it."
    ) in texts
    # Information, not this counter's success: no "Bound to", no recorded time of its own, and
    # an information mark where a bound member gets the success mark.
    assert not [text for text in texts if text.startswith(("Bound to", "Referral recorded"))]
    assert label(view, "already_set").property("role") == "body"
    info = label(view, "success_mark").pixmap().toImage()
    view.render(s.bound(earlier=False))
    assert label(view, "success_mark").pixmap().toImage() != info


def test_bound_names_the_member_as_confirmed_on_the_phone(view: CounterView):
    state = s.bound(earlier=False)
    confirmed = state.binding.model_copy(update={"customer_name": "林小華"})
    view.render(f.Bound(state.customer, confirmed))
    assert f"林小華 · {s.MASKED}" in shown(view)


def test_the_success_screen_goes_back_to_search_by_itself(qtbot: QtBot, view: CounterView):
    state = s.bound(earlier=False)
    view.render(state)
    back_in = label(view, "back_in")
    assert back_in.text() == "Back to Member Search in 8 s"
    seconds = view.success.auto_return
    for left in range(7, 0, -1):
        seconds.timer.timeout.emit()  # a second passes: driven here, never waited for
        assert back_in.text() == f"Back to Member Search in {left} s"
    with qtbot.assertNotEmitted(view.back_requested):
        view.render(state)  # the same state drawn again does not start over
    assert back_in.text() == "Back to Member Search in 1 s"
    with qtbot.waitSignal(view.back_requested, timeout=100):
        seconds.timer.timeout.emit()
    assert not seconds.is_running()


def test_done_goes_at_once_and_a_left_success_screen_stays_quiet(qtbot: QtBot, view: CounterView):
    view.render(f.Registered(s.invitation("registered")))
    assert view.success.auto_return.is_running()
    with qtbot.waitSignal(view.back_requested, timeout=100):
        qtbot.mouseClick(button(view, "done"), LEFT)
    view.render(f.Searching())
    assert not view.success.auto_return.is_running()
    with qtbot.assertNotEmitted(view.back_requested):
        view.success.auto_return.tick()


def test_the_countdown_back_to_search_switches_language(
    qtbot: QtBot, view: CounterView, chinese: LanguageSwitcher
):
    view.render(s.bound(earlier=True))
    view.success.auto_return.tick()
    chinese.switch("zh_TW")
    back_in = label(view, "back_in")
    qtbot.waitUntil(lambda: back_in.text() == "7 秒後回到會員搜尋", timeout=2000)
    assert label(view, "title").text() == "會員確認完成"
    assert any(text.startswith("推薦維持為信義門市 · Ben（") for text in shown(view))


# --- language ----------------------------------------------------------------------------


def test_switching_language_redraws_the_screen_on_show(
    qtbot: QtBot, view: CounterView, chinese: LanguageSwitcher
):
    view.render(f.CustomerFound(s.customer(member=True)))
    chinese.switch("zh_TW")
    title = label(view, "title")
    qtbot.waitUntil(lambda: title.text() == "找到會員", timeout=2000)
    texts = shown(view)
    assert "立即綁定" in texts
    assert "會員 · 金卡 · 1,280 點" in texts, "the level's name, not its code"
    assert f"推薦：信義門市 · Ben（{REFERRED_ON} 起）" in texts
    chinese.switch("en")
    qtbot.waitUntil(lambda: title.text() == "Member found", timeout=2000)
    assert "Bind now" in shown(view)


def test_switching_language_keeps_the_typed_number(
    qtbot: QtBot, view: CounterView, chinese: LanguageSwitcher
):
    field = page(view).findChild(QLineEdit, "search_field")
    qtbot.keyClicks(field, "0912")
    chinese.switch("zh_TW")
    qtbot.waitUntil(lambda: label(view, "title").text() == "會員搜尋", timeout=2000)
    assert button(view, "confirm").text() == "確認"
    assert field.text() == "0912"


def test_the_binding_steps_and_countdown_label_switch_language(
    qtbot: QtBot, view: CounterView, chinese: LanguageSwitcher
):
    view.set_line_enabled(True)
    view.render(s.binding_state("pending"))
    chinese.switch("zh_TW")
    steps = view.binding.steps
    qtbot.waitUntil(lambda: steps.texts()[0] == "等待顧客掃描", timeout=2000)
    assert label(view, "valid_for").text() == "QR Code 剩餘時間"
    view.render(s.binding_state("scanned"))
    assert steps.texts() == ["已掃描", "等待顧客登入", "連結 LINE", "確認資料"]
    assert steps.marks() == [Mark.DONE, Mark.CURRENT, Mark.TODO, Mark.TODO]


def test_every_state_type_has_a_page(view: CounterView):
    names = {}
    for _, state, _ in gallery():
        view.render(state)
        names[type(state).__name__] = view.current_screen_name()
    assert names == {
        "Searching": "search",
        "Choosing": "results",
        "CustomerFound": "customer",
        "NobodyFound": "customer",
        "WaitingForBackend": "waiting",
        "SmsSent": "sms_prompt",
        "FollowingRegistration": "following",
        "Registered": "success",
        "Binding": "binding",
        "Bound": "success",
    }


def test_the_binding_countdown_stops_when_the_screen_is_left(view: CounterView):
    view.render(s.binding_state("pending"))
    assert view.binding.countdown.is_running()
    view.render(f.Searching())
    assert not view.binding.countdown.is_running()
    assert view.binding.qr.module_size() == 0, "no code left behind on a hidden page"
