"""How LINE went on the customer's phone, as staff see it at the counter.

The binding screen's LINE step (done with or without the friendship, a problem with what to tell
the customer, or skipped), the success screen's LINE line and the customer card's LINE status.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets.customer_card import CustomerCard
from omo_desktop.widgets.steps import Mark, Steps
from tests.gui import counter_states as s

D, C, T, P, K = Mark.DONE, Mark.CURRENT, Mark.TODO, Mark.PROBLEM, Mark.SKIPPED
CANCELLED = (
    "The customer cancelled LINE on their phone. They can try again or continue without LINE."
)
TAKEN = "This LINE account is linked to another member. The customer can continue without LINE."
FAILED = "LINE could not be reached. The customer can try again or continue without LINE."


@pytest.fixture
def view(counter_view: CounterView) -> CounterView:
    counter_view.set_line_enabled(True)
    return counter_view


@pytest.fixture
def languages(switcher: LanguageSwitcher) -> LanguageSwitcher:
    return switcher


def notice(view: CounterView) -> str:
    """The sentence under the steps, if staff can see one."""
    found = view.binding.line_problem
    return found.text() if found.isVisibleTo(view.binding) else ""


def success_line(view: CounterView) -> str:
    found = view.success.findChild(QLabel, "line_result")
    assert found is not None
    return found.text() if found.isVisibleTo(view.success) else ""


# --- the binding screen ------------------------------------------------------------------


CONFIRMING = "Waiting for the customer to confirm"
TO_CONFIRM = "Confirm details"
FRIEND = "LINE linked · added as friend"
NOT_FRIEND = "LINE linked · not a friend yet"
NOT_LINKED = "LINE not linked"


@pytest.mark.parametrize(
    ("status", "line", "friend", "line_step", "last_step", "marks", "said"),
    [
        ("signed_in", None, None, "Linking LINE…", TO_CONFIRM, [D, D, C, T], ""),
        ("signed_in", "cancelled", None, NOT_LINKED, TO_CONFIRM, [D, D, P, T], CANCELLED),
        ("signed_in", "taken", None, NOT_LINKED, TO_CONFIRM, [D, D, P, T], TAKEN),
        ("signed_in", "failed", None, NOT_LINKED, TO_CONFIRM, [D, D, P, T], FAILED),
        ("signed_in", "skipped", None, "LINE skipped", CONFIRMING, [D, D, K, C], ""),
        ("line_linked", "linked", True, FRIEND, CONFIRMING, [D, D, D, C], ""),
        ("line_linked", "linked", False, NOT_FRIEND, CONFIRMING, [D, D, D, C], ""),
        ("line_linked", "linked", None, "LINE linked", CONFIRMING, [D, D, D, C], ""),
        # A backend that does not say how LINE went yet: linked is linked.
        ("line_linked", None, None, "LINE linked", CONFIRMING, [D, D, D, C], ""),
        # The long-poll may bring the outcome before the status moves on.
        ("signed_in", "linked", True, FRIEND, CONFIRMING, [D, D, D, C], ""),
        ("completed", "skipped", None, "LINE skipped", "Confirmed", [D, D, K, D], ""),
        ("completed", "linked", False, NOT_FRIEND, "Confirmed", [D, D, D, D], ""),
    ],
)
def test_the_line_step_says_how_line_went(
    view: CounterView,
    status: str,
    line: str | None,
    friend: bool | None,
    line_step: str,
    last_step: str,
    marks: list[Mark],
    said: str,
):
    view.render(s.binding_state(status, line=line, friend=friend))
    steps = view.binding.steps
    assert steps.texts() == ["Scanned", "Signed in", line_step, last_step]
    assert steps.marks() == marks
    assert notice(view) == said


def test_a_problem_clears_once_the_customer_links_line_after_all(view: CounterView):
    view.render(s.binding_state("signed_in", line="cancelled"))
    assert notice(view) == CANCELLED
    view.render(s.binding_state("line_linked", line="linked", friend=True))
    assert notice(view) == ""
    assert view.binding.steps.marks() == [D, D, D, C]


def test_a_code_that_ran_out_after_a_problem_says_nothing_about_line(view: CounterView):
    view.render(s.binding_state("expired", expires_in=timedelta(0), line="failed"))
    assert not view.binding.steps.isVisibleTo(view.binding)
    assert notice(view) == ""


def test_without_a_line_channel_the_outcome_is_not_shown(view: CounterView):
    view.set_line_enabled(False)
    view.render(s.binding_state("signed_in", line="cancelled"))
    steps = view.binding.steps
    assert steps.texts() == ["Scanned", "Signed in", CONFIRMING]
    assert Mark.PROBLEM not in steps.marks()
    assert notice(view) == ""
    view.set_line_enabled(True)
    assert notice(view) == CANCELLED, "the screen on show is redrawn"


def test_the_line_outcome_switches_language(
    qtbot: QtBot, view: CounterView, languages: LanguageSwitcher
):
    view.render(s.binding_state("signed_in", line="taken"))
    languages.switch("zh_TW")
    steps = view.binding.steps
    qtbot.waitUntil(lambda: steps.texts()[0] == "已掃描", timeout=2000)
    assert steps.texts()[2] == "未連結 LINE"
    assert notice(view) == "此 LINE 帳號已連結其他會員。顧客可以不連結 LINE 繼續。"
    view.render(s.binding_state("line_linked", line="linked", friend=False))
    assert steps.texts()[2] == "已連結 LINE · 尚未加入好友"
    view.render(s.binding_state("signed_in", line="skipped"))
    assert steps.texts()[2] == "已略過 LINE"


def test_problem_and_skipped_marks_are_drawn_apart_from_the_others(qtbot: QtBot):
    steps = Steps()
    qtbot.addWidget(steps)
    steps.set_steps([("a", D), ("b", C), ("c", T), ("d", P), ("e", K)])
    marks = [w.pixmap().toImage() for w in steps.findChildren(QLabel, "step_mark")]
    # Five icons, each drawn differently (shape or colour), none of them a font's glyph.
    assert all(not image.isNull() for image in marks)
    assert all(not w.text() for w in steps.findChildren(QLabel, "step_mark"))
    assert len({image.cacheKey() for image in marks}) == 5
    assert all(marks[i] != marks[j] for i in range(5) for j in range(i + 1, 5))
    styled = [w.property("mark") for w in steps.findChildren(QLabel, "step_text")]
    assert styled == ["done", "current", "todo", "problem", "skipped"]


# --- after binding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "friend", "said"),
    [
        ("linked", True, "LINE linked · added as friend"),
        ("linked", False, "LINE linked · not a friend yet"),
        ("linked", None, "LINE linked"),
        ("skipped", None, "LINE skipped"),
        (None, None, ""),  # no LINE channel: LINE never came up
    ],
)
def test_the_success_screen_names_the_line_result(
    view: CounterView, line: str | None, friend: bool | None, said: str
):
    view.render(s.bound(earlier=False, line=line, friend=friend))
    assert view.current_screen_name() == "success"
    assert success_line(view) == said


def test_a_registration_says_nothing_about_line(view: CounterView):
    view.render(s.bound(earlier=False, line="linked", friend=True))
    view.render(f.Registered(s.invitation("registered")))
    assert success_line(view) == ""


def test_the_success_line_switches_language(
    qtbot: QtBot, view: CounterView, languages: LanguageSwitcher
):
    view.render(s.bound(earlier=False, line="linked", friend=True))
    languages.switch("zh_TW")
    qtbot.waitUntil(lambda: success_line(view) == "已連結 LINE · 已加入好友", timeout=2000)
    view.render(s.bound(earlier=False, line="skipped"))
    assert success_line(view) == "已略過 LINE"


# --- the customer card -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bound", "friend", "said"),
    [
        (False, None, "Member · Gold · 1,280 points"),
        (True, None, "Member · Gold · 1,280 points · LINE linked"),
        (True, True, "Member · Gold · 1,280 points · LINE friend"),
        (True, False, "Member · Gold · 1,280 points · LINE linked · not a friend"),
    ],
)
def test_the_customer_card_says_whether_the_member_is_a_line_friend(
    qtbot: QtBot, bound: bool, friend: bool | None, said: str
):
    card = CustomerCard()
    qtbot.addWidget(card)
    card.show_customer(s.customer(member=True, line_bound=bound, line_friend=friend))
    assert card.status.text() == said


def test_the_card_s_line_status_switches_language(qtbot: QtBot, languages: LanguageSwitcher):
    card = CustomerCard()
    qtbot.addWidget(card)
    card.show_customer(s.customer(member=True, line_bound=True, line_friend=True))
    languages.switch("zh_TW")
    qtbot.waitUntil(lambda: card.status.text().endswith("LINE 好友"), timeout=2000)
    card.show_customer(s.customer(member=True, line_bound=True, line_friend=False))
    assert card.status.text() == "會員 · 金卡 · 1,280 點 · 已連結 LINE · 未加入好友"
