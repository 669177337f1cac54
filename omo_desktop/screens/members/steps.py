"""What the admin's step-by-step dialogs share (the import wizard, the merge dialog): a title and
a lead, one page per step, a message line kept in the language shown, and the action bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QLabel, QStackedWidget, QVBoxLayout, QWidget

from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.base import label
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone


def page(stack: QStackedWidget, spacing: str = "s") -> QVBoxLayout:
    """A new step's page at the end of ``stack``: its column, to fill."""
    widget = QWidget()
    column = QVBoxLayout(widget)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(SPACE[spacing])
    stack.addWidget(widget)
    return column


class StepDialog(QDialog):
    """``name`` names the dialog and its parts (``{name}_title``, ``{name}_pages``…); a subclass
    adds its pages to ``pages`` and its buttons to ``bar``, then calls ``lay_out``."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setModal(True)
        self._said: tuple[Callable[[], str], Tone] | None = None
        self.title = label(f"{name}_title", "title")
        self.lead = label(f"{name}_lead", "hint")
        self.pages = named(QStackedWidget(), f"{name}_pages")
        self.message = MessageLine(f"{name}_message")
        self.bar = ActionBar()

    def lay_out(self, *above_pages: QLabel) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["xl"], SPACE["xl"], SPACE["xl"], SPACE["l"])
        column.setSpacing(SPACE["m"])
        column.addWidget(self.title)
        column.addWidget(self.lead)
        for widget in above_pages:
            column.addWidget(widget)
        column.addWidget(self.pages, 1)
        column.addWidget(self.message)
        column.addWidget(self.bar)

    def go(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.retranslate()

    def say(self, words: Callable[[], str] | None, tone: Tone = Tone.ERROR) -> None:
        """Show ``words()`` (None: nothing); asked again after a language switch."""
        self._said = None if words is None else (words, tone)
        self.draw_message()

    def draw_message(self) -> None:
        if self._said is None:
            self.message.clear()
        else:
            text, tone = self._said
            self.message.show_message(text(), tone)

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
