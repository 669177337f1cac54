"""The frame every counter screen is built in: margins, a message line, an action bar.

One frame, so the main action is in the same place on every screen (the right end of the
bar, under a right thumb on a tablet) and a message appearing never moves anything.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.widgets import named

# Around the screen's content: generous at the sides, where hands hold a tablet.
MARGINS = (SPACE["xxl"], SPACE["xl"] + SPACE["s"], SPACE["xxl"], SPACE["xl"])
# Two lines of body text: the longest message (what happened, what to do) fits.
MESSAGE_LINES = 2
# Measured on both scripts: a line with Chinese is taller than the font's Latin line spacing
# (the CJK fallback's ascent and descent), and a room a pixel short moves what is under it.
_SAMPLE_LINE = "Ag國"


class Tone(enum.StrEnum):
    ERROR = "error"
    NOTICE = "notice"
    INFO = "info"


_TONE_ICON = {
    Tone.ERROR: (Icon.ERROR, "danger"),
    Tone.NOTICE: (Icon.PROBLEM, "warning_mark"),
    Tone.INFO: (Icon.INFO, "brand"),
}


_TONE_ROLE = {Tone.ERROR: "error", Tone.NOTICE: "warning", Tone.INFO: "body"}


class MessageLine(QWidget):
    """An icon and a sentence whose room is kept when empty: showing one moves nothing."""

    def __init__(self, name: str = "error", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_line")
        self.icon = named(QLabel(self), f"{name}_icon")
        self.icon.setFixedSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"])
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The text keeps the name tests look for ("error"), so they read it as before.
        self.text = named(QLabel(self), name)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        # Beside the icon, from the top of the room kept for two lines (not centred in it).
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["s"])
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self._reserve_room()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.clear()

    def show_message(self, text: str, tone: Tone = Tone.ERROR) -> None:
        if not text:
            self.clear()
            return
        name, colour = _TONE_ICON[tone]
        self.icon.setPixmap(pixmap(name, TYPE_SCALE["heading"], colour))
        # The sentence's colour only: a notice's boxed look (role "notice") is for whole labels.
        self.text.setProperty("role", _TONE_ROLE[tone])
        self.text.style().unpolish(self.text)
        self.text.style().polish(self.text)
        self.text.setText(text)
        self.icon.show()
        self.text.show()

    def clear(self) -> None:
        self.text.setText("")
        self.icon.clear()
        # Hidden children, kept room: the line's minimum height holds the space.
        self.icon.hide()
        self.text.hide()

    def message(self) -> str:
        return self.text.text()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A new font (set-up applies the theme after building) changes a line's height.
        self._reserve_room()

    def _reserve_room(self) -> None:
        """As tall as the text label is with ``MESSAGE_LINES`` lines, in either script."""
        sample = "\n".join([_SAMPLE_LINE] * MESSAGE_LINES)
        flags = Qt.TextFlag.TextWordWrap
        tall = self.text.fontMetrics().boundingRect(QRect(0, 0, 10_000, 10_000), flags, sample)
        self.setMinimumHeight(tall.height())


class ActionBar(QWidget):
    """The bottom row: a way back at the left end, the main action at the right end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("action_bar")
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(SPACE["m"])
        self._stretch_at = 0

    def add_leading(self, widget: QWidget) -> None:
        """Left end, in order: "New search", "Cancel"."""
        self._row.insertWidget(self._stretch_at, widget)
        self._stretch_at += 1
        if self._row.count() == self._stretch_at:
            self._row.addStretch(1)

    def add_trailing(self, widget: QWidget) -> None:
        """Right end, in order: secondary actions first, the main action last."""
        if self._row.count() == self._stretch_at:
            self._row.addStretch(1)
        self._row.addWidget(widget)


def screen_layout(screen: QWidget) -> QVBoxLayout:
    """A screen's top-level column with the standard margins and rhythm."""
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(*MARGINS)
    layout.setSpacing(SPACE["m"])
    return layout


def centred(content: QWidget | QLayout, into: QBoxLayout) -> None:
    """Put ``content`` in the middle of the room ``into`` has left (no hole under it)."""
    into.addStretch(1)
    if isinstance(content, QLayout):
        into.addLayout(content)
    else:
        into.addWidget(content)
    into.addStretch(1)
