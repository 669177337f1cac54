"""A vertical progress list: what the customer has done, is doing, and has still to do.

Three states a glance tells apart: done (a filled check, past tense: "Scanned"), current (a
ring on a tinted row, present tense: "Waiting for the customer to scan"), to do (a hollow
grey circle, the step's name: "Scan the code"). A step that went wrong is amber, one passed
over on purpose grey. The current mark does not move: every screenshot of a state is the same.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import SPACE


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


@dataclass(frozen=True)
class StepWords:
    """One step in each of its three tenses (already translated)."""

    todo: str  # what is still to do: "Scan the code"
    current: str  # under way, present tense: "Waiting for the customer to scan"
    done: str  # finished, past tense: "Scanned"

    def said(self, mark: Mark) -> str:
        """The words for ``mark`` (a problem or a skip has words of its own, given apart)."""
        if mark is Mark.DONE:
            return self.done
        if mark is Mark.CURRENT:
            return self.current
        return self.todo


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
        # As tall as its rows: room left over around it is the screen's, not spread between.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACE["xs"])
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
            for widget in (row, text):
                if widget.property("mark") != mark.value:
                    widget.setProperty("mark", mark.value)
                    # A dynamic property changes the style only once re-polished.
                    widget.style().unpolish(widget)
                    widget.style().polish(widget)
            row.show()
        self._marks = [mark for _, mark in steps]

    def texts(self) -> list[str]:
        return [text.text() for row, _, text in self._rows if not row.isHidden()]

    def marks(self) -> list[Mark]:
        return list(self._marks)

    def _new_row(self) -> tuple[QWidget, QLabel, QLabel]:
        row = QWidget(self)
        row.setObjectName("step")
        # The current step's row is tinted: its background is the theme's to paint.
        row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        symbol = QLabel(row)
        symbol.setObjectName("step_mark")
        symbol.setFixedWidth(_MARK_SIZE + 8)
        symbol.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(row)
        text.setObjectName("step_text")
        text.setWordWrap(True)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(SPACE["s"], SPACE["s"], SPACE["m"], SPACE["s"])
        layout.setSpacing(SPACE["m"] - SPACE["xs"])
        layout.addWidget(symbol)
        layout.addWidget(text, 1)
        self._layout.addWidget(row)
        return row, symbol, text
