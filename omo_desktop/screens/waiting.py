"""A "Sign up" tapped while the server was unreachable: it is kept and sent once, later."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from backend_client.masking import group_typed_phone
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import ACTION_WIDTH, SPACE, TYPE_SCALE
from omo_desktop.flows.counter import WaitingForBackend
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, centred, screen_layout


class WaitingScreen(FlowScreen[WaitingForBackend]):
    screen_name = "waiting"
    check_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.mark = label("mark", wrap=False)
        self.mark.setPixmap(pixmap(Icon.OFFLINE, 2 * TYPE_SCALE["display"], "ink_muted"))
        self.lead = label("lead", "lead")
        self.busy = named(QProgressBar(), "busy")
        self.busy.setRange(0, 0)  # no end known: Qt draws it moving
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(480)
        self.hint = label("check_hint", "hint")
        self.again = button("check_again")
        self.again.clicked.connect(self.check_again.emit)

        content = QVBoxLayout()
        content.setSpacing(SPACE["l"])
        content.addWidget(self.mark)
        content.addWidget(self.lead)
        content.addWidget(self.busy)
        bar = ActionBar()
        bar.add_leading(self.again)
        layout = screen_layout(self)
        layout.addWidget(self.title)
        centred(content, layout)
        layout.addWidget(self.hint)
        layout.addWidget(bar)

    def draw(self, state: WaitingForBackend) -> None:
        self.title.setText(self.tr("The server can't be reached."))
        # In full: staff can still check the number before it goes out.
        self.lead.setText(
            self.tr("The sign-up SMS to %1 will be sent once it is back — only once.").replace(
                "%1", group_typed_phone(state.phone)
            )
        )
        self.hint.setText(
            self.tr("Check again cancels this SMS so you can check the number and try again.")
        )
        self.again.setText(self.tr("Check again"))
        # Set when drawn: the theme's own minimum applies when a button is first styled.
        self.again.setMinimumWidth(ACTION_WIDTH)
