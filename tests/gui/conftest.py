"""Real Qt widgets on the offscreen platform."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.counter import CounterView


@pytest.fixture(autouse=True)
def _plain_style_after_each_test() -> Iterator[None]:
    """Tests that run the whole app set its theme on the shared QApplication: undo it."""
    app = QApplication.instance()
    font = app.font() if isinstance(app, QApplication) else None
    yield
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setStyleSheet("")
        if font is not None:
            app.setFont(font)


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[LanguageSwitcher]:
    """The app's language switch (``chinese.switch("zh_TW")``), back to English after."""
    languages = LanguageSwitcher(qapp)
    try:
        yield languages
    finally:
        languages.switch("en")


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The app with the counter's theme and fonts, as staff see it."""
    theme.apply(qapp)
    yield qapp
    qapp.setStyleSheet("")


@pytest.fixture
def counter_view(qtbot: QtBot) -> CounterView:
    """The counter's pages at the counter's size, shown, without a theme."""
    counter = CounterView()
    counter.resize(1280, 800)
    qtbot.addWidget(counter)
    counter.show()
    return counter


@pytest.fixture
def switcher(chinese: LanguageSwitcher) -> LanguageSwitcher:
    """Switches the app's language; English again after the test."""
    return chinese
