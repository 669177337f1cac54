"""The page staff work on after log-in: a header (store, staff, language, log out) over the
counter screens."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.screens.base import button, label
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import MARGINS


class CounterPage(QWidget):
    logout_requested = Signal()
    language_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counter_page")
        self._locale = "en"
        self.store_mark = named(QLabel(), "header_store_mark")
        self.store_mark.setPixmap(pixmap(Icon.STORE, TYPE_SCALE["heading"], "ink_muted"))
        self.who = label("header_who", "body", wrap=False)
        self.language = button("header_language")
        self.language.setIcon(icon(Icon.LANGUAGE))
        self.log_out = button("header_logout")
        self.log_out.setIcon(icon(Icon.LOG_OUT))
        for action in (self.language, self.log_out):
            action.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.language.clicked.connect(
            lambda: self.language_requested.emit("en" if self._locale == "zh_TW" else "zh_TW")
        )
        self.log_out.clicked.connect(self.logout_requested)
        header = named(QWidget(), "header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # its own band
        row = QHBoxLayout(header)
        # In line with the screens' content under it.
        row.setContentsMargins(MARGINS[0], SPACE["s"], MARGINS[2], SPACE["s"])
        row.setSpacing(SPACE["s"])
        row.addWidget(self.store_mark)
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
