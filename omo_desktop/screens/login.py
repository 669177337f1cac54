"""Staff log-in on this device: staff code and PIN on a touch numpad, and the language switch."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omo_desktop.i18n import Words, keep_translated
from omo_desktop.widgets import named
from omo_desktop.widgets.numpad import Numpad


class LoginScreen(QWidget):
    login_requested = Signal(str, str)
    language_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme's background
        self._locale = "en"
        self._busy = False

        self.title = named(QLabel(), "title")
        self.store = named(QLabel(), "hint")
        self.staff_code = named(QLineEdit(), "staff_code")
        self.pin = named(QLineEdit(), "pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.hint = named(QLabel(), "hint")
        self.hint.setWordWrap(True)
        self.log_in = named(QPushButton(), "primary")
        self.language = named(QPushButton(), "link")
        for field in (self.staff_code, self.pin):
            field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            field.returnPressed.connect(self._submit)
        self.log_in.clicked.connect(self._submit)
        self.language.clicked.connect(self._switch_language)

        self._pads = {
            self.staff_code: Numpad(self.staff_code, with_plus=False),
            self.pin: Numpad(self.pin, with_plus=False),
        }
        form = QVBoxLayout()
        form.addWidget(self.title)
        form.addWidget(self.store)
        self.staff_label = QLabel()
        self.pin_label = QLabel()
        for label, field in ((self.staff_label, self.staff_code), (self.pin_label, self.pin)):
            label.setBuddy(field)
            form.addWidget(label)
            form.addWidget(field)
        form.addWidget(self.error)
        form.addWidget(self.log_in)
        form.addWidget(self.hint)
        form.addStretch(1)
        form.addWidget(self.language, alignment=Qt.AlignmentFlag.AlignLeft)

        pads = QVBoxLayout()
        for pad in self._pads.values():
            pads.addWidget(pad)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(32)
        layout.addLayout(form, 3)
        layout.addLayout(pads, 2)
        self.staff_code.installEventFilter(self)
        self.pin.installEventFilter(self)
        self._show_pad_for(self.staff_code)
        self.retranslate()

    # --- what the shell tells the screen -------------------------------------------------

    def set_store(self, name: str) -> None:
        self.store.setText(name)

    def set_hint(self, words: Words) -> None:
        keep_translated(self.hint, words)

    def set_locale(self, locale: str) -> None:
        self._locale = locale

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.log_in.setEnabled(not busy)
        self.log_in.setText(self.tr("Logging in…") if busy else self.tr("Log in"))

    def show_error(self, words: Words) -> None:
        """A refused log-in: the staff code stays, the PIN is cleared."""
        keep_translated(self.error, words)
        self.pin.clear()
        self.pin.setFocus()

    def clear(self) -> None:
        self.staff_code.clear()
        self.pin.clear()
        self.error.clear()
        self.staff_code.setFocus()

    # --- intents -------------------------------------------------------------------------

    def _submit(self) -> None:
        code, pin = self.staff_code.text().strip(), self.pin.text()
        if self._busy:
            return
        if not code or not pin:
            keep_translated(self.error, lambda: self.tr("Type your staff code and PIN."))
            return
        self.error.clear()
        self.login_requested.emit(code, pin)

    def _switch_language(self) -> None:
        self.language_requested.emit("en" if self._locale == "zh_TW" else "zh_TW")

    # --- drawing -------------------------------------------------------------------------

    def _show_pad_for(self, field: QLineEdit) -> None:
        for target, pad in self._pads.items():
            pad.setVisible(target is field)

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in self._pads:
            self._show_pad_for(watched)
        return False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff log-in"))
        self.staff_label.setText(self.tr("Staff code"))
        self.pin_label.setText(self.tr("PIN"))
        self.set_busy(self._busy)
        # The switch is written in the language it switches to.
        self.language.setText("中文" if self._locale != "zh_TW" else "English")
