"""Staff log-in on this device: staff code and PIN on a touch numpad, and the language switch.

The same grid as Member Search: the two fields and the message line at the left, one numpad
at the right typing into whichever field has the focus, and "Log in" full-width under it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.i18n import Words, keep_translated
from omo_desktop.screens.base import button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import MessageLine, Tone, centred, screen_layout
from omo_desktop.widgets.numpad import Numpad, numpad_grid


class LoginScreen(QWidget):
    login_requested = Signal(str, str)
    language_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme's background
        self._locale = "en"
        self._busy = False
        # A message this screen wrote itself, as a function: drawn again in a new language.
        self._own_message: Callable[[], str] | None = None

        self.title = label("title", "title")
        self.store_mark = named(QLabel(), "store_mark")
        self.store_mark.setPixmap(pixmap(Icon.STORE, TYPE_SCALE["heading"], "ink_muted"))
        self.store = label("store", "lead", wrap=False)
        self.staff_label = label("staff_code_label", "body")
        self.staff_code = named(QLineEdit(), "staff_code")
        self.pin_label = label("pin_label", "body")
        self.pin = named(QLineEdit(), "pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = MessageLine("error")
        # The sentence itself: tests and the shell read ``error.text()``.
        self.error = self.message.text
        self.hint = label("hint", "caption")
        # Names kept from before the design system: the tests tap "primary" and "link".
        self.log_in = button("primary", "primary")
        self.language = button("link")
        self.language.setIcon(icon(Icon.LANGUAGE))
        self.language.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        for caption, field in ((self.staff_label, self.staff_code), (self.pin_label, self.pin)):
            caption.setBuddy(field)
            field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            field.returnPressed.connect(self._submit)
            field.installEventFilter(self)
        self.log_in.clicked.connect(self._submit)
        self.language.clicked.connect(self._switch_language)
        self.numpad = Numpad(self.staff_code, with_plus=False)

        store_row = QHBoxLayout()
        store_row.setSpacing(SPACE["s"])
        store_row.addWidget(self.store_mark)
        store_row.addWidget(self.store, 1)

        typing = QVBoxLayout()
        typing.setSpacing(SPACE["s"])
        typing.addWidget(self.staff_label)
        typing.addWidget(self.staff_code)
        typing.addSpacing(SPACE["m"])
        typing.addWidget(self.pin_label)
        typing.addWidget(self.pin)
        typing.addSpacing(SPACE["s"])
        typing.addWidget(self.message)
        typing.addStretch(1)
        typing.addWidget(self.hint)

        # In line with the keys: the fields from the top row, the hint down to the last one,
        # so a hint of another length (the demo's) moves no field.
        grid = numpad_grid(typing, self.numpad, self.language, self.log_in)

        layout = screen_layout(self)
        layout.addWidget(self.title)
        layout.addLayout(store_row)
        centred(grid, layout)
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
        self._say(words)
        self.pin.clear()
        self.pin.setFocus()

    def clear(self) -> None:
        self.staff_code.clear()
        self.pin.clear()
        self._own_message = None
        self.message.clear()
        self.staff_code.setFocus()

    # --- intents -------------------------------------------------------------------------

    def _submit(self) -> None:
        code, pin = self.staff_code.text().strip(), self.pin.text()
        if self._busy:
            return
        if not code or not pin:
            self._say(lambda: self.tr("Type your staff code and PIN."))
            # The numpad goes where the missing part is typed.
            (self.pin if code else self.staff_code).setFocus()
            return
        self._own_message = None
        self.message.clear()
        self.login_requested.emit(code, pin)

    def _say(self, message: Callable[[], str]) -> None:
        self._own_message = message
        self.message.show_message(message(), Tone.ERROR)

    def _switch_language(self) -> None:
        self.language_requested.emit("en" if self._locale == "zh_TW" else "zh_TW")

    # --- drawing -------------------------------------------------------------------------

    def _show_pad_for(self, field: QLineEdit) -> None:
        self.numpad.set_target(field)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
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
        if self._own_message is not None:
            self.message.show_message(self._own_message(), Tone.ERROR)
        # The switch is written in the language it switches to.
        self.language.setText("中文" if self._locale != "zh_TW" else "English")
