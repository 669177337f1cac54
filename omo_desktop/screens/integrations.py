"""The Integrations section (admins): integration keys and webhooks, one part at a time."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from backend_client.client import OmoClient
from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.api_keys import ApiKeysScreen
from omo_desktop.screens.base import button
from omo_desktop.screens.webhooks import WebhooksScreen


class IntegrationsScreen(QWidget):
    session_ended = Signal(object)  # ApiError: either part heard the backend refuse (401)

    def __init__(self, client: OmoClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("integrations_screen")
        self.keys = ApiKeysScreen(client)
        self.webhooks = WebhooksScreen(client)
        self.pages = QStackedWidget()
        self.show_keys = button("show_keys", "chip")
        self.show_webhooks = button("show_webhooks", "chip")
        for part, chip in ((self.keys, self.show_keys), (self.webhooks, self.show_webhooks)):
            part.session_ended.connect(self.session_ended.emit)
            self.pages.addWidget(part)
            chip.setCheckable(True)
            chip.clicked.connect(lambda _=False, shown=part: self.show_part(shown))
        self.show_keys.setChecked(True)
        top = QHBoxLayout()
        top.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["l"], 0)
        top.setSpacing(SPACE["s"])
        top.addWidget(self.show_keys)
        top.addWidget(self.show_webhooks)
        top.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(top)
        column.addWidget(self.pages, 1)
        self.retranslate()

    def show_part(self, part: QWidget) -> None:
        self.pages.setCurrentWidget(part)
        self.show_keys.setChecked(part is self.keys)
        self.show_webhooks.setChecked(part is self.webhooks)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.show_keys.setText(self.tr("Integration keys"))
        self.show_webhooks.setText(self.tr("Webhooks"))
