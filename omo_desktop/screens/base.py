"""What every counter screen shares: it draws one flow state, and draws it again in a new language.

A screen keeps the last state it was given, so a language switch (Qt sends LanguageChange to
every widget) re-draws everything from that state: no screen keeps its own copy of the words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QWidget,
)

from omo_desktop.design.tokens import SPACE, TOUCH_MIN
from omo_desktop.widgets import named

S = TypeVar("S")


class FlowScreen(QWidget, Generic[S]):
    """One page of the counter: ``render`` draws a state; the page only emits intents."""

    screen_name = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        # A plain QWidget subclass paints the theme's background only when asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._state: S | None = None

    @property
    def state(self) -> S | None:
        return self._state

    # Shadows QWidget.render (painting into a device), which no screen uses: for the shell,
    # render means drawing a flow state.
    def render(self, state: S) -> None:  # type: ignore[override]
        self._state = state
        self.draw(state)

    def draw(self, state: S) -> None:
        """Show ``state``: every text set here, through ``self.tr``."""
        raise NotImplementedError

    def leave(self) -> None:
        """Another page is shown: forget the state (the next visit brings its own)."""
        self._state = None

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._state is not None:
            self.draw(self._state)
        super().changeEvent(event)


def button(name: str, role: str = "") -> QPushButton:
    """A touch-sized button found by ``name``; ``role`` ("primary", "link") is how it looks."""
    widget = named(QPushButton(), name)
    if role:
        widget.setProperty("role", role)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    return widget


def label(name: str, role: str = "", *, wrap: bool = True) -> QLabel:
    """A label found by ``name``; ``role`` ("title", "lead", "hint", "error") is how it looks."""
    widget = named(QLabel(), name)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def set_role(widget: QWidget, role: str) -> None:
    """Change how a widget looks; a dynamic property restyles only once re-polished."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    # A role may change the size (a primary button is taller): the layout must ask again.
    widget.updateGeometry()


def local_time(moment: datetime) -> str:
    """ "14:05" in this computer's time zone (the counter stands in the store)."""
    return moment.astimezone().strftime("%H:%M")


def local_date_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# A table's header row, for tables that keep room for a number of rows.
TABLE_HEADER = 52


def touch_table(name: str, columns: int, *, rows: int = 0) -> QTableWidget:
    """A read-only table of touch-high rows, one selected at a time, columns sharing the
    width; with ``rows``, it keeps room for that many."""
    table = named(QTableWidget(0, columns), name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(TOUCH_MIN + SPACE["s"])
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    if rows:
        table.setMinimumHeight(TABLE_HEADER + rows * (TOUCH_MIN + SPACE["s"]))
    return table
