"""Typing an e-mail or a name on a counter without a hardware keyboard.

Staff tap the on-screen keyboard of the search screen as on a kiosk; on Windows the screen
asks the OS for its touch keyboard instead. Which of the two (or none) is the app's set-up.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage, QInputMethod
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from omo_desktop.app import parse_args
from omo_desktop.design.tokens import TOUCH_MIN
from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets.keyboard import (
    KeyboardSetting,
    OnScreenKeyboard,
    TouchKeyboard,
    choose,
)
from tests.gui.design_checks import contrast_problems, touch_problems

LEFT = Qt.MouseButton.LeftButton
EMAIL = f.Searching(by=f.SearchBy.EMAIL_OR_NAME)


@pytest.fixture
def kiosk(qtbot: QtBot, themed: QApplication) -> CounterView:
    """The counter at a tablet's size, set up for a kiosk with no hardware keyboard."""
    view = CounterView()
    view.resize(1280, 800)
    qtbot.addWidget(view)
    view.set_touch_keyboard(TouchKeyboard.ON_SCREEN)
    view.show()
    return view


def keyboard(view: CounterView) -> OnScreenKeyboard:
    found = view.search.findChild(OnScreenKeyboard, "keyboard")
    assert found is not None
    return found


def field(view: CounterView) -> QLineEdit:
    found = view.search.findChild(QLineEdit, "search_field")
    assert found is not None
    return found


def tap(qtbot: QtBot, keys: OnScreenKeyboard, *names: str) -> None:
    for name in names:
        key = keys.findChild(QPushButton, name)
        assert key is not None, name
        assert key.isVisible(), name
        qtbot.mouseClick(key, LEFT)


def drawn(view: CounterView, keys: OnScreenKeyboard) -> QImage:
    """What the keyboard looks like on the screen, its background included."""
    area = QRect(keys.mapTo(view, QPoint(0, 0)), keys.size())
    return view.grab().toImage().copy(area)


def letters(word: str) -> list[str]:
    named = {"@": "key_at", ".": "key_dot", "-": "key_dash", "_": "key_underscore"}
    return [named.get(c, f"key_{c}") for c in word]


def test_staff_type_an_email_with_shift_and_delete_and_search_with_enter(
    qtbot: QtBot, kiosk: CounterView
):
    kiosk.render(EMAIL)
    keys = keyboard(kiosk)
    typed = field(kiosk)
    assert keys.isVisible()
    assert not kiosk.search.numpad.isVisible(), "the keyboard sits where the numpad was"

    # Shift by mistake: one capital, the next letter is small again, and the key says so.
    tap(qtbot, keys, "key_shift")
    assert keys.shifted()
    assert keys.keys["key_c"].text() == "C"
    tap(qtbot, keys, "key_c", "key_h")
    assert typed.text() == "Ch"
    assert not keys.shifted()
    assert keys.keys["key_c"].text() == "c"
    tap(qtbot, keys, "key_delete", "key_delete")
    assert typed.text() == ""

    tap(qtbot, keys, *letters("chen.m@example"), "key_dot_com")
    assert typed.text() == "chen.m@example.com"
    # The keys never took the focus: the field still has its cursor, at the end.
    assert all(
        key.focusPolicy() == Qt.FocusPolicy.NoFocus for key in keys.findChildren(QPushButton)
    )
    assert typed.hasFocus()
    assert typed.cursorPosition() == len("chen.m@example.com")

    with qtbot.waitSignal(kiosk.search_requested) as search:
        tap(qtbot, keys, "key_enter")
    assert search.args == ["chen.m@example.com"]


def test_it_types_where_the_cursor_is_and_into_the_focused_field(qtbot: QtBot):
    window = QWidget()
    first, second = QLineEdit(window), QLineEdit(window)
    keys = OnScreenKeyboard(first, window)
    layout = QVBoxLayout(window)
    for widget in (first, second, keys):
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    first.setText("chen@example.com")
    first.setCursorPosition(4)
    first.setFocus()
    tap(qtbot, keys, "key_dot", "key_m")
    assert first.text() == "chen.m@example.com"

    second.setFocus()
    qtbot.waitUntil(second.hasFocus, timeout=1000)
    tap(qtbot, keys, "key_space", "key_1", "key_underscore", "key_dash")
    assert second.text() == " 1_-"
    assert first.text() == "chen.m@example.com"


def test_the_keyboard_shows_for_email_or_name_only_and_can_be_put_away(
    qtbot: QtBot, kiosk: CounterView
):
    kiosk.render(f.Searching())
    assert not keyboard(kiosk).isVisible()
    assert kiosk.search.numpad.isVisible()

    kiosk.render(EMAIL)
    keys = keyboard(kiosk)
    assert keys.isVisible()
    tap(qtbot, keys, "key_hide")
    assert not keys.isVisible()
    kiosk.render(f.Searching(by=f.SearchBy.EMAIL_OR_NAME, busy=True))
    assert not keys.isVisible(), "put away stays away while the search runs"
    # Tapping the field brings it back, as on a phone.
    qtbot.mouseClick(field(kiosk), LEFT)
    assert keys.isVisible()

    tap(qtbot, keys, "key_hide")
    kiosk.render(f.Searching())
    kiosk.render(EMAIL)
    assert keys.isVisible(), "a new e-mail search starts with the keyboard out"

    kiosk.set_touch_keyboard(TouchKeyboard.NONE)
    assert not keys.isVisible(), "with a hardware keyboard there is none"


def test_every_key_is_a_touch_target_readable_in_both_languages(qtbot: QtBot, kiosk: CounterView):
    languages = LanguageSwitcher(QApplication.instance())  # type: ignore[arg-type]
    keys = keyboard(kiosk)
    try:
        for locale, search, note in (
            ("en", "Search", "No Chinese on this keyboard"),
            ("zh_TW", "搜尋", "此鍵盤無法輸入中文"),
        ):
            languages.switch(locale)
            kiosk.render(EMAIL)
            QApplication.processEvents()
            assert keys.keys["key_enter"].text() == search
            assert keys.note.text().startswith(note)
            assert len(keys.keys) == 10 + 10 + 10 + 9 + 7
            for name, key in keys.keys.items():
                assert key.width() >= TOUCH_MIN, name
                assert key.height() >= TOUCH_MIN, name
            # The note is at most two lines, inside the keyboard, and Search is the one main
            # action (Confirm steps aside while the keyboard is out).
            assert keys.note.height() < 3 * keys.note.fontMetrics().lineSpacing()
            assert not kiosk.search.confirm.isVisible()
            assert keys.note.sizeHint().width() <= keys.note.width()
            assert touch_problems(keys) == []
            assert contrast_problems(keys, drawn(kiosk, keys)) == []
    finally:
        languages.switch("en")


def test_a_contrast_problem_on_a_key_is_caught(qtbot: QtBot, kiosk: CounterView):
    """The check above can fail: a key drawn in the canvas colour is reported."""
    kiosk.render(EMAIL)
    keys = keyboard(kiosk)
    keys.keys["key_q"].setStyleSheet("color: #f6f6f8;")  # the test's own, never the app's
    QApplication.processEvents()
    image = drawn(kiosk, keys)
    assert any(problem.startswith("key_q ") for problem in contrast_problems(keys, image))


def test_on_windows_the_os_touch_keyboard_is_asked_for(
    qtbot: QtBot, view_on_windows: tuple[CounterView, list[str]]
):
    view, asked = view_on_windows
    view.render(f.Searching())
    assert asked == [], "the numpad types phone numbers"
    view.render(EMAIL)
    assert asked == ["show"]
    assert field(view).hasFocus()
    hints = field(view).inputMethodHints()
    assert hints & Qt.InputMethodHint.ImhNoAutoUppercase
    assert hints & Qt.InputMethodHint.ImhNoPredictiveText
    view.render(f.Searching(by=f.SearchBy.EMAIL_OR_NAME, busy=True))
    assert asked == ["show"], "not again while the search runs"
    assert not keyboard(view).isVisible(), "the OS keyboard, not ours"


@pytest.fixture
def view_on_windows(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> tuple[CounterView, list[str]]:
    asked: list[str] = []
    monkeypatch.setattr(QInputMethod, "show", lambda self: asked.append("show"))
    view = CounterView()
    qtbot.addWidget(view)
    view.set_touch_keyboard(choose(KeyboardSetting.AUTO, kiosk=False, platform="win32"))
    view.show()
    return view, asked


@pytest.mark.parametrize(
    ("setting", "kiosk", "platform", "expected"),
    [
        (KeyboardSetting.AUTO, True, "linux", TouchKeyboard.ON_SCREEN),
        (KeyboardSetting.AUTO, False, "linux", TouchKeyboard.NONE),
        (KeyboardSetting.AUTO, False, "win32", TouchKeyboard.SYSTEM),
        (KeyboardSetting.AUTO, True, "win32", TouchKeyboard.SYSTEM),
        (KeyboardSetting.AUTO, True, "darwin", TouchKeyboard.ON_SCREEN),
        (KeyboardSetting.ON, False, "win32", TouchKeyboard.ON_SCREEN),
        (KeyboardSetting.ON, False, "linux", TouchKeyboard.ON_SCREEN),
        (KeyboardSetting.OFF, True, "linux", TouchKeyboard.NONE),
        (KeyboardSetting.OFF, True, "win32", TouchKeyboard.NONE),
    ],
)
def test_which_keyboard_a_counter_gets(
    setting: KeyboardSetting, kiosk: bool, platform: str, expected: TouchKeyboard
):
    assert choose(setting, kiosk=kiosk, platform=platform) is expected


def test_the_command_line_takes_every_setting_and_defaults_to_auto():
    assert parse_args([]).touch_keyboard == "auto"
    for setting in KeyboardSetting:
        assert KeyboardSetting(parse_args(["--touch-keyboard", setting.value]).touch_keyboard)
    with pytest.raises(SystemExit):
        parse_args(["--touch-keyboard", "maybe"])
