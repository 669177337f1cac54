"""Device set-up, done once: the backend's address and a one-time enrollment code."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from omo_desktop.i18n import Words, keep_translated
from omo_desktop.widgets import named


class EnrollScreen(QWidget):
    enroll_requested = Signal(str, str, str)  # backend URL, enrollment code, device name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme's background
        self._busy = False
        self.title = named(QLabel(), "title")
        self.intro = named(QLabel(), "hint")
        self.intro.setWordWrap(True)
        self.backend_url = named(QLineEdit(), "backend_url")
        self.backend_url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.code = named(QLineEdit(), "enrollment_code")
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.device_name = named(QLineEdit(), "device_name")
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.enroll = named(QPushButton(), "primary")
        self.enroll.clicked.connect(self._submit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        self.labels = {}
        for field in (self.backend_url, self.code, self.device_name):
            label = QLabel()
            label.setBuddy(field)
            self.labels[field] = label
            layout.addWidget(label)
            layout.addWidget(field)
            field.returnPressed.connect(self._submit)
        layout.addWidget(self.error)
        layout.addWidget(self.enroll)
        layout.addStretch(1)
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
        keep_translated(self.error, words)

    def _submit(self) -> None:
        if self._busy:
            return
        url = self.backend_url.text().strip()
        code = self.code.text().strip()
        name = self.device_name.text().strip()
        if not url.startswith(("http://", "https://")):
            self.show_error(lambda: self.tr("Type the server address, starting with https://"))
            return
        if not code or not name:
            self.show_error(lambda: self.tr("Type the enrollment code and a name for this device."))
            return
        self.error.clear()
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
