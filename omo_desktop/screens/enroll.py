"""Device set-up, done once: the backend's address and a one-time enrollment code.

A title block, one column of labelled fields centred in the room under it (with the message
line's room kept), and "Set up this device" at the right end of the action bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from omo_desktop.design.tokens import SPACE
from omo_desktop.i18n import Words
from omo_desktop.screens.base import button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, centred, screen_layout

# px: a form as wide as the longest server address needs, not as wide as the screen.
FORM_WIDTH = 720


class EnrollScreen(QWidget):
    enroll_requested = Signal(str, str, str)  # backend URL, enrollment code, device name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme's background
        self._busy = False
        # A message this screen wrote itself, as a function: drawn again in a new language.
        self._own_message: Callable[[], str] | None = None
        self.title = label("title", "title")
        self.intro = label("intro", "hint")
        self.backend_url = named(QLineEdit(), "backend_url")
        self.backend_url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.code = named(QLineEdit(), "enrollment_code")
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.device_name = named(QLineEdit(), "device_name")
        self.message = MessageLine("error")
        # The sentence itself: tests and the shell read ``error.text()``.
        self.error = self.message.text
        # Name kept from before the design system: the tests tap "primary".
        self.enroll = button("primary", "primary")
        self.enroll.clicked.connect(self._submit)

        form = QWidget()
        form.setMaximumWidth(FORM_WIDTH)
        column = QVBoxLayout(form)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["s"])
        self.labels: dict[QLineEdit, QLabel] = {}
        for index, field in enumerate((self.backend_url, self.code, self.device_name)):
            caption = label(f"{field.objectName()}_label", "body")
            caption.setBuddy(field)
            self.labels[field] = caption
            if index:
                column.addSpacing(SPACE["m"])
            column.addWidget(caption)
            column.addWidget(field)
            field.returnPressed.connect(self._submit)
        column.addSpacing(SPACE["s"])
        column.addWidget(self.message)

        actions = ActionBar()
        actions.add_trailing(self.enroll)
        layout = screen_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        centred(form, layout)
        layout.addWidget(actions)
        self.retranslate()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.enroll.setEnabled(not busy)
        self.enroll.setText(self.tr("Setting up…") if busy else self.tr("Set up this device"))

    def set_backend_url(self, url: str) -> None:
        """Set up again (the device was revoked): the server is most likely the same."""
        self.backend_url.setText(url)
        self.code.clear()

    def show_error(self, words: Words) -> None:
        """What was typed stays, so only the wrong part needs fixing."""
        self._say(words)

    def _say(self, message: Callable[[], str]) -> None:
        self._own_message = message
        self.message.show_message(message(), Tone.ERROR)

    def _submit(self) -> None:
        if self._busy:
            return
        url = self.backend_url.text().strip()
        code = self.code.text().strip()
        name = self.device_name.text().strip()
        if not url.startswith(("http://", "https://")):
            self._say(lambda: self.tr("Type the server address, starting with https://"))
            return
        if not code or not name:
            self._say(lambda: self.tr("Type the enrollment code and a name for this device."))
            return
        self._own_message = None
        self.message.clear()
        self.enroll_requested.emit(url, code, name)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Set up this counter"))
        self.intro.setText(
            self.tr("Ask a manager for an enrollment code. This is done once per device.")
        )
        self.labels[self.backend_url].setText(self.tr("Server address"))
        self.labels[self.code].setText(self.tr("Enrollment code"))
        self.labels[self.device_name].setText(self.tr("Name of this device"))
        self.set_busy(self._busy)
        if self._own_message is not None:
            self.message.show_message(self._own_message(), Tone.ERROR)
