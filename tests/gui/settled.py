"""Waiting for a window to be drawn as a person would see it, before a screenshot.

A screen that has just changed its words has only asked for a new layout: Qt lays it out on a
later turn of the event loop. A grab before then draws the old sizes (a button cut to half of
its new words).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtWidgets import QAbstractButton, QWidget
from pytestqt.qtbot import QtBot


def geometry(window: QWidget) -> list[tuple[int, QRect, bool]]:
    return [(id(w), w.geometry(), w.isVisible()) for w in window.findChildren(QWidget)]


def wait_until_settled(qtbot: QtBot, window: QWidget, timeout: int = 5000) -> None:
    """Until ``window`` is exposed and its layout done: no widget moves, grows or appears
    over one more turn of the event loop."""
    handle = window.windowHandle()
    assert handle is not None, "the window was never shown"
    qtbot.waitUntil(handle.isExposed, timeout=timeout)
    before = geometry(window)

    def unchanged() -> None:
        nonlocal before
        # waitUntil asks at once, before any event is handled: handle what is pending first.
        QCoreApplication.processEvents()
        now = geometry(window)
        still, before = now == before, now
        assert still, "still being laid out"

    qtbot.waitUntil(unchanged, timeout=timeout)


def cut_buttons(window: QWidget) -> list[str]:
    """The visible buttons drawn narrower than their words need."""
    return [
        button.text()
        for button in window.findChildren(QAbstractButton)
        if button.isVisible() and button.width() < button.sizeHint().width()
    ]
