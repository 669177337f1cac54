"""Member Search and the results list, drawn with the theme: the clear button is a real touch
target in both languages, a message moves nothing, the list's rows point with an icon."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from omo_desktop.design.tokens import TOUCH_MIN
from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.messages import describe
from omo_desktop.screens.counter import CounterView
from tests.gui import counter_states as s
from tests.gui.design_checks import placed, touch_problems
from tests.gui.test_counter_screens import page

LOCALES = ("en", "zh_TW")


@pytest.fixture
def view(qtbot: QtBot, themed: QApplication) -> CounterView:
    counter = CounterView()
    counter.resize(1280, 800)
    qtbot.addWidget(counter)
    counter.show()
    return counter


def child(view: CounterView, kind: type[QWidget], name: str) -> QWidget:
    found = page(view).findChild(kind, name)
    assert found is not None, name
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_the_search_field_s_clear_button_is_a_full_touch_target(
    qtbot: QtBot, view: CounterView, chinese: LanguageSwitcher, locale: str
):
    chinese.switch(locale)
    view.render(f.Searching(text=s.TYPED_PHONE))
    QApplication.processEvents()
    field = child(view, QLineEdit, "search_field")
    clear = child(view, QPushButton, "search_field_clear")
    assert isinstance(field, QLineEdit)
    assert isinstance(clear, QPushButton)
    assert not field.findChildren(QToolButton), "Qt's own 22×18 clear button is gone"
    assert clear.isVisibleTo(view)
    assert clear.width() >= TOUCH_MIN
    assert clear.height() >= TOUCH_MIN
    assert field.rect().contains(QRect(clear.pos(), clear.size())), "inside the field"
    assert clear.accessibleName() == ("Clear" if locale == "en" else "清除")
    assert touch_problems(view) == []

    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert field.text() == ""
    assert not clear.isVisibleTo(view), "nothing to clear"
    assert field.hasFocus(), "the numpad types on at once"
    pad = child(view, QWidget, "numpad")
    qtbot.mouseClick(pad.findChild(QPushButton, "numpad_0"), Qt.MouseButton.LeftButton)
    assert field.text() == "0"
    assert clear.isVisibleTo(view)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_search_error_moves_nothing(view: CounterView, chinese: LanguageSwitcher, locale: str):
    chinese.switch(locale)
    parts = ("search_field", "numpad", "switch_method", "confirm", "title")
    view.render(f.Searching(text=s.TYPED_PHONE))
    without = {name: placed(page(view), name) for name in parts}
    assert not child(view, QLabel, "error").isVisibleTo(view)

    view.render(f.Searching(text=s.TYPED_PHONE, error=s.OFFLINE))
    error = child(view, QLabel, "error")
    assert isinstance(error, QLabel)
    assert error.isVisibleTo(view)
    assert error.text() == describe(s.OFFLINE, typed=True)
    assert {name: placed(page(view), name) for name in parts} == without

    # Staff switch to e-mail or name: the numpad goes, the field and Confirm stay put.
    view.render(f.Searching(by=f.SearchBy.EMAIL_OR_NAME, error=s.OFFLINE))
    for name in ("search_field", "confirm"):
        assert placed(page(view), name) == without[name], name
    assert placed(page(view), "switch_method").topLeft() == without["switch_method"].topLeft()


def test_confirm_is_under_the_numpad_at_the_right(view: CounterView):
    view.render(f.Searching(text=s.TYPED_PHONE))
    pad, confirm, field = (placed(page(view), n) for n in ("numpad", "confirm", "search_field"))
    assert confirm.left() == pad.left()
    assert confirm.width() == pad.width()
    assert confirm.top() > pad.bottom()
    assert confirm.right() > view.width() * 3 // 4, "where a right thumb is"
    assert field.right() < pad.left()


def test_the_search_is_balanced_on_the_screen(view: CounterView):
    """No hole of 300 px: the room above the numpad and under Confirm is shared out."""
    view.render(f.Searching(text=s.TYPED_PHONE))
    title, pad, confirm = (placed(page(view), n) for n in ("title", "numpad", "confirm"))
    above = pad.top() - title.bottom()
    below = view.height() - confirm.bottom()
    assert above < 300
    assert below < 300
    assert abs(above - below) < 120, (above, below)


def test_each_result_row_points_with_an_icon_not_a_glyph(view: CounterView):
    view.render(f.Choosing(matches=(s.customer(member=True),), text="陳"))
    QApplication.processEvents()
    [row] = view.results.rows()
    chevron = row.findChild(QLabel, "row_chevron")
    assert chevron is not None
    assert chevron.text() == ""
    assert chevron.pixmap() is not None
    assert not chevron.pixmap().isNull()
    assert row.height() >= TOUCH_MIN
    assert touch_problems(view) == []


def test_no_match_is_centred_with_the_way_forward_at_the_right(view: CounterView):
    view.render(f.Choosing(matches=(), text="nobody@example.com"))
    title, mark, forward, back = (
        placed(page(view), n) for n in ("title", "no_match_mark", "search_by_phone", "new_search")
    )
    middle = (title.bottom() + forward.top()) // 2
    assert abs(mark.center().y() - middle) < 120, "the message sits in the middle of the room"
    assert forward.right() > view.width() * 3 // 4
    assert back.left() < view.width() // 4
    assert touch_problems(view) == []
