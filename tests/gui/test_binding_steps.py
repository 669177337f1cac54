"""The binding screen's stepper: every step in three tenses, for every state of a binding.

Done is a check and past tense ("Scanned"), current a ring on a tinted row and present tense
("Waiting for the customer to scan"), to do a hollow grey circle and the step's name ("Scan
the code"); a LINE problem is amber and a skipped LINE grey. Each binding state is drawn in
English and in Chinese and read back, words and marks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from omo_desktop.design import theme
from omo_desktop.design.tokens import PALETTE
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets.steps import Mark, Steps
from tests.gui import counter_states as s

D, C, T, P, K = Mark.DONE, Mark.CURRENT, Mark.TODO, Mark.PROBLEM, Mark.SKIPPED

# Each step's words for each mark: (English, Chinese).
WORDS: dict[str, dict[Mark, tuple[str, str]]] = {
    "scan": {
        T: ("Scan the code", "掃描 QR Code"),
        C: ("Waiting for the customer to scan", "等待顧客掃描"),
        D: ("Scanned", "已掃描"),
    },
    "sign_in": {
        T: ("Sign in", "登入會員"),
        C: ("Waiting for the customer to sign in", "等待顧客登入"),
        D: ("Signed in", "已登入"),
    },
    "line": {
        T: ("Link LINE", "連結 LINE"),
        C: ("Linking LINE…", "正在連結 LINE…"),
        D: ("LINE linked", "已連結 LINE"),
        P: ("LINE not linked", "未連結 LINE"),
        K: ("LINE skipped", "已略過 LINE"),
    },
    "confirm": {
        T: ("Confirm details", "確認資料"),
        C: ("Waiting for the customer to confirm", "等待顧客確認資料"),
        D: ("Confirmed", "已確認資料"),
    },
}

# (status, how LINE went, the store has LINE, the marks top to bottom)
CASES = [
    ("pending", None, True, [C, T, T, T]),
    ("pending", None, False, [C, T, T]),
    ("scanned", None, True, [D, C, T, T]),
    ("scanned", None, False, [D, C, T]),
    ("signed_in", None, True, [D, D, C, T]),
    ("signed_in", None, False, [D, D, C]),
    ("signed_in", "cancelled", True, [D, D, P, T]),
    ("signed_in", "taken", True, [D, D, P, T]),
    ("signed_in", "failed", True, [D, D, P, T]),
    ("signed_in", "skipped", True, [D, D, K, C]),
    ("signed_in", "linked", True, [D, D, D, C]),
    ("line_linked", "linked", True, [D, D, D, C]),
    ("line_linked", "linked", False, [D, D, C]),
    ("completed", "linked", True, [D, D, D, D]),
    ("completed", "skipped", True, [D, D, K, D]),
    ("completed", None, False, [D, D, D]),
]


@pytest.mark.parametrize("locale", ["en", "zh_TW"])
@pytest.mark.parametrize(
    ("status", "line", "line_enabled", "marks"),
    CASES,
    ids=[f"{c[0]}-{c[1] or 'none'}-{'line' if c[2] else 'no_line'}" for c in CASES],
)
def test_each_step_is_said_in_the_tense_of_its_mark(
    counter_view: CounterView,
    switcher: LanguageSwitcher,
    locale: str,
    status: str,
    line: str | None,
    line_enabled: bool,
    marks: list[Mark],
):
    switcher.switch(locale)
    counter_view.set_line_enabled(line_enabled)
    counter_view.render(s.binding_state(status, line=line))
    order = ["scan", "sign_in", *(["line"] if line_enabled else []), "confirm"]
    language = 0 if locale == "en" else 1
    said = [WORDS[step][mark][language] for step, mark in zip(order, marks, strict=True)]
    steps = counter_view.binding.steps
    assert steps.marks() == marks
    assert steps.texts() == said
    assert steps.marks().count(C) <= 1, "one step at most is under way"


@pytest.mark.parametrize("status", ["expired", "cancelled"])
def test_an_ended_code_shows_no_steps(counter_view: CounterView, status: str):
    counter_view.set_line_enabled(True)
    counter_view.render(s.binding_state(status, expires_in=timedelta(0)))
    assert not counter_view.binding.steps.isVisibleTo(counter_view.binding)


@pytest.mark.parametrize(
    ("status", "line"),
    [("scanned", None), ("signed_in", None), ("signed_in", "taken"), ("line_linked", "linked")],
)
def test_once_scanned_there_is_nothing_to_scan(
    counter_view: CounterView, status: str, line: str | None
):
    counter_view.set_line_enabled(True)
    counter_view.render(s.binding_state(status, line=line, sms_sent=True))
    binding = counter_view.binding
    assert binding.qr.module_size() == 0, "the code is gone"
    assert binding.on_phone.isVisibleTo(binding)
    assert binding.on_phone_text.text() == "The customer continues on their phone"
    for gone in (binding.countdown, binding.valid_for, binding.by_sms):
        assert not gone.isVisibleTo(binding), gone.objectName()
    texts = [w.text() for w in binding.findChildren(QLabel) if w.isVisibleTo(binding)]
    assert not [text for text in texts if "scan this code" in text]
    # The customer's page still ends with the code: the screen keeps counting, unseen.
    assert binding.countdown.is_running()


def test_before_the_scan_the_code_the_countdown_and_cant_scan_show(counter_view: CounterView):
    counter_view.render(s.binding_state("pending"))
    binding = counter_view.binding
    assert binding.qr.module_size() > 0
    for shown in (binding.countdown, binding.valid_for, binding.by_sms):
        assert shown.isVisibleTo(binding), shown.objectName()
    assert not binding.on_phone.isVisibleTo(binding)


def test_done_current_and_to_do_are_drawn_apart(qtbot: QtBot, qapp: QApplication):
    theme.apply(qapp)
    try:
        steps = Steps()
        qtbot.addWidget(steps)
        steps.resize(600, 300)
        steps.set_steps([("a", D), ("b", C), ("c", T)])
        steps.show()
        qtbot.waitExposed(steps)
        marks = [w.pixmap().toImage() for w in steps.findChildren(QLabel, "step_mark")]
        assert all(marks[i] != marks[j] for i in range(3) for j in range(i + 1, 3))
        assert all(not w.text() for w in steps.findChildren(QLabel, "step_mark"))
        # The current step's row is tinted; the others lie on the screen's own background.
        image = steps.grab().toImage()
        rows = [w for w in steps.findChildren(QWidget, "step") if w.isVisibleTo(steps)]
        grounds = [
            image.pixelColor(row.x() + row.width() - 4, row.y() + row.height() // 2) for row in rows
        ]
        assert grounds[1] == QColor(PALETTE["brand_soft"])
        assert grounds[0] != grounds[1]
        assert grounds[2] != grounds[1]
        styled = [w.property("mark") for w in steps.findChildren(QLabel, "step_text")]
        assert styled == ["done", "current", "todo"]
    finally:
        qapp.setStyleSheet("")
