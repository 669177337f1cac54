"""A vertical progress list: what the customer has done, is doing, and has still to do."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, pixmap


class Mark(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"
    # The step went wrong and waits on the customer (drawn amber, "!").
    PROBLEM = "problem"
    # Passed over on purpose: neither done nor a problem (drawn grey, "–").
    SKIPPED = "skipped"


# (icon, palette colour): a vector mark of the one icon set, never a font's glyph.
_ICON = {
    Mark.DONE: (Icon.DONE, "brand"),
    Mark.CURRENT: (Icon.CURRENT, "brand"),
    Mark.TODO: (Icon.TODO, "todo"),
    Mark.PROBLEM: (Icon.PROBLEM, "warning_mark"),
    Mark.SKIPPED: (Icon.SKIPPED, "ink_muted"),
}
_MARK_SIZE = 32


def marks_for(count: int, reached: int, *, finished: bool = False) -> list[Mark]:
    """Steps before ``reached`` are done, ``reached`` is current, the rest to do.

    ``reached`` of -1 marks nothing as current (the process ended before it started);
    ``finished`` marks every step done.
    """
    if finished:
        return [Mark.DONE] * count
    return [
        Mark.DONE if index < reached else Mark.CURRENT if index == reached else Mark.TODO
        for index in range(count)
    ]


class Steps(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("steps")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self._rows: list[tuple[QWidget, QLabel, QLabel]] = []
        self._marks: list[Mark] = []

    def set_steps(self, steps: list[tuple[str, Mark]]) -> None:
        """Each step's (already translated) text and mark, top to bottom."""
        while len(self._rows) < len(steps):
            self._rows.append(self._new_row())
        for index, (row, symbol, text) in enumerate(self._rows):
            if index >= len(steps):
                row.hide()
                continue
            words, mark = steps[index]
            name, colour = _ICON[mark]
            symbol.setPixmap(pixmap(name, _MARK_SIZE, colour))
            text.setText(words)
            if text.property("mark") != mark.value:
                text.setProperty("mark", mark.value)
                # A dynamic property changes the style only once re-polished.
                text.style().unpolish(text)
                text.style().polish(text)
            row.show()
        self._marks = [mark for _, mark in steps]

    def texts(self) -> list[str]:
        return [text.text() for row, _, text in self._rows if not row.isHidden()]

    def marks(self) -> list[Mark]:
        return list(self._marks)

    def _new_row(self) -> tuple[QWidget, QLabel, QLabel]:
        row = QWidget(self)
        row.setObjectName("step")
        symbol = QLabel(row)
        symbol.setObjectName("step_mark")
        symbol.setFixedWidth(_MARK_SIZE + 8)
        symbol.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(row)
        text.setObjectName("step_text")
        text.setWordWrap(True)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(symbol)
        layout.addWidget(text, 1)
        self._layout.addWidget(row)
        return row, symbol, text
