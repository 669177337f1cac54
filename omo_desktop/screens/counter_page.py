"""The page staff work on after log-in: a header (store, staff, language, log out) over the
counter screens."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets import named


class CounterPage(QWidget):
    logout_requested = Signal()
    language_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counter_page")
        self._locale = "en"
        self.who = named(QLabel(), "header_who")
        self.language = named(QPushButton(), "header_language")
        self.log_out = named(QPushButton(), "header_logout")
        self.language.clicked.connect(
            lambda: self.language_requested.emit("en" if self._locale == "zh_TW" else "zh_TW")
        )
        self.log_out.clicked.connect(self.logout_requested)
        header = named(QWidget(), "header")
        row = QHBoxLayout(header)
        row.setContentsMargins(24, 8, 16, 8)
        row.addWidget(self.who, 1)
        row.addWidget(self.language)
        row.addWidget(self.log_out)
        self.view = CounterView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.view, 1)
        self.retranslate()

    def set_people(self, store: str, staff: str) -> None:
        self.who.setText(f"{store} · {staff}")

    def set_locale(self, locale: str) -> None:
        self._locale = locale
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.log_out.setText(self.tr("Log out"))
        # The switch is written in the language it switches to.
        self.language.setText("中文" if self._locale != "zh_TW" else "English")
