"""A "Sign up" tapped while the server was unreachable: it is kept and sent once, later."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from backend_client.masking import mask_typed_phone
from omo_desktop.flows.counter import WaitingForBackend
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import named


class WaitingScreen(FlowScreen[WaitingForBackend]):
    screen_name = "waiting"
    check_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.lead = label("lead", "lead")
        self.busy = named(QProgressBar(), "busy")
        self.busy.setRange(0, 0)  # no end known: Qt draws it moving
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(480)
        self.hint = label("hint", "hint")
        self.again = button("check_again")
        self.again.setMinimumWidth(240)
        self.again.clicked.connect(self.check_again.emit)

        actions = QHBoxLayout()
        actions.addWidget(self.again)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(20)
        layout.addWidget(self.title)
        layout.addWidget(self.lead)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        layout.addLayout(actions)

    def draw(self, state: WaitingForBackend) -> None:
        self.title.setText(self.tr("The server can't be reached."))
        self.lead.setText(
            self.tr("The sign-up SMS to %1 will be sent once it is back — only once.").replace(
                "%1", mask_typed_phone(state.phone)
            )
        )
        self.hint.setText(
            self.tr("Check again cancels this SMS so you can check the number and try again.")
        )
        self.again.setText(self.tr("Check again"))
