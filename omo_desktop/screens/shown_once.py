"""A value the backend hands over once (an integration key, a webhook's signing secret):
a note saying so, the value read-only, and a Copy button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, put_icon
from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.base import button, label
from omo_desktop.widgets import named


class ShownOnce(QWidget):
    copied = Signal()

    def __init__(self, note_name: str, field_name: str, copy_name: str) -> None:
        super().__init__()
        self.note = label(note_name, "notice")
        self.field = named(QLineEdit(), field_name)
        self.field.setReadOnly(True)
        self.copy = button(copy_name)
        put_icon(self.copy, Icon.COPY)
        self.copy.clicked.connect(self._copy)
        row = QHBoxLayout()
        row.setSpacing(SPACE["m"])
        row.addWidget(self.field, 1)
        row.addWidget(self.copy)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["m"])
        column.addWidget(self.note)
        column.addLayout(row)

    def show_value(self, note: str, value: str, copy_text: str) -> None:
        self.note.setText(note)
        self.field.setText(value)
        self.copy.setText(copy_text)
        self.setVisible(True)

    def forget(self) -> None:
        self.field.clear()
        self.setVisible(False)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.field.text())
        self.copied.emit()
