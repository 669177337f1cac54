"""Typing an e-mail or a name at a counter with no hardware keyboard.

Which keyboard, where (``choose`` turns ``--touch-keyboard on|off|auto`` into one of these):

* **Windows tablets: the OS touch keyboard.** Qt's Windows platform plugin asks for it:
  ``QInputMethod.show()`` — which a ``QLineEdit`` calls by itself when it is tapped — runs
  ``QWindowsInputContext::showInputPanel``, which puts an invisible caret at the cursor and
  re-enables the IME, and that caret is what makes Windows 10/11 open the touch keyboard (the
  old request was QTBUG-43190). So the app asks the Qt way: the search field says what it
  takes (no auto-capitals, no word prediction: an e-mail is not a sentence), and when
  e-mail/name search opens the screen calls ``ask_system_keyboard``. Windows obeys only in
  tablet mode or when told to show the touch keyboard with no keyboard attached (Windows 11:
  Settings › Time & language › Typing › Touch keyboard; Windows 10: Settings › Devices ›
  Typing; ``TouchKeyboardAutoInvokeEnabled`` in an unattended set-up, off by default): a step
  of setting up a counter tablet. The OS keyboard is worth that step: its Bopomofo (注音)
  input types a customer's Chinese name, which no keyboard of ours does. We neither start
  ``TabTip.exe`` nor call the undocumented ``ITipInvocation`` COM interface: both have
  changed between Windows builds and neither can be tested here. Where a tablet's policy
  keeps the touch keyboard away, ``--touch-keyboard on`` shows ours.
* **Linux kiosks (and anywhere, with ``on``): ``OnScreenKeyboard`` below**, drawn in the
  app's design system. Qt Virtual Keyboard was weighed and left out: it ships only in
  PySide6-Addons (a 175 MB wheel, 422 MB installed, for one screen's keyboard), it is QML
  (Qt Quick comes into the bundle, and its look is not our tokens), it needs
  ``QT_IM_MODULE=qtvirtualkeyboard`` set before the app starts, and it is licensed GPLv3 or
  commercially — not LGPL like the rest of Qt we ship. What it would have given us is
  Traditional Chinese input (Zhuyin, Cangjie); ours says plainly that it has none and points
  to searching by mobile number or e-mail instead (handwriting and Zhuyin are out of scope).
* **Otherwise** (a desktop with a hardware keyboard): nothing is added.

``OnScreenKeyboard`` types into the focused ``QLineEdit`` of its window through the field's
own editing API (``insert``, ``backspace``; Enter is a key event sent to the field, so the
screen's ``returnPressed`` — its Confirm — runs): no OS key is simulated, and its keys never
take the focus, so the field keeps its cursor.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import PRIMARY_HEIGHT, SPACE, TOUCH_MIN, TYPE_SCALE
from omo_desktop.widgets import named


class KeyboardSetting(enum.StrEnum):
    """``--touch-keyboard``: what the person setting up the counter asked for."""

    ON = "on"
    OFF = "off"
    AUTO = "auto"


class TouchKeyboard(enum.StrEnum):
    """What the search screen does for typing an e-mail or a name."""

    NONE = "none"  # a hardware keyboard is at hand
    SYSTEM = "system"  # ask the OS for its touch keyboard (Windows)
    ON_SCREEN = "on_screen"  # show ours


def choose(setting: KeyboardSetting, *, kiosk: bool, platform: str = sys.platform) -> TouchKeyboard:
    """``auto``: the OS keyboard on Windows; ours on a full-screen kiosk elsewhere."""
    if setting is KeyboardSetting.ON:
        return TouchKeyboard.ON_SCREEN
    if setting is KeyboardSetting.OFF:
        return TouchKeyboard.NONE
    if platform == "win32":
        return TouchKeyboard.SYSTEM
    return TouchKeyboard.ON_SCREEN if kiosk else TouchKeyboard.NONE


# What an e-mail or a name field takes: keyboards (the OS's, an input method) must not
# capitalise "chen.m@…" or "correct" it into words.
TEXT_HINTS = Qt.InputMethodHint.ImhNoAutoUppercase | Qt.InputMethodHint.ImhNoPredictiveText


def ask_system_keyboard(field: QLineEdit) -> None:
    """Ask the platform's input panel (the Windows touch keyboard) to type into ``field``."""
    field.setFocus()
    QGuiApplication.inputMethod().show()


# The rows: (object name, text typed or "", share of the row's width). A letter's share is 2,
# so the wider keys can be 1½ or 2½ letters; every row adds up to 20.
_DIGITS = [(f"key_{c}", c, 2) for c in "1234567890"]
_TOP = [(f"key_{c}", c, 2) for c in "qwertyuiop"]
_MIDDLE = [(f"key_{c}", c, 2) for c in "asdfghjkl"] + [("key_dash", "-", 2)]
_BOTTOM = [("key_shift", "", 3)] + [(f"key_{c}", c, 2) for c in "zxcvbnm"] + [("key_delete", "", 3)]
_SPACE_ROW = [
    ("key_hide", "", 2),
    ("key_at", "@", 2),
    ("key_underscore", "_", 2),
    ("key_space", " ", 4),
    ("key_dot", ".", 2),
    ("key_dot_com", ".com", 3),
    ("key_enter", "", 5),
]
_ROWS = [_DIGITS, _TOP, _MIDDLE, _BOTTOM, _SPACE_ROW]
# Tall enough for a hurried thumb, short enough that five rows leave the screen balanced.
KEY_HEIGHT_MAX = PRIMARY_HEIGHT + SPACE["l"]


class OnScreenKeyboard(QWidget):
    """Letters, digits and the e-mail symbols; Shift for one capital, Enter runs the search."""

    # Shown or put away: its Search key then is (or is no longer) the screen's main action.
    shown_changed = Signal(bool)

    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._default_target = target
        self._shifted = False
        self._available = True
        self._dismissed = False
        self.keys: dict[str, QPushButton] = {}
        # Tapping the field brings back a keyboard that was put away.
        target.installEventFilter(self)

        self.note_icon = named(QLabel(self), "keyboard_note_icon")
        self.note_icon.setPixmap(pixmap(Icon.INFO, TYPE_SCALE["heading"], "ink_muted"))
        self.note = named(QLabel(self), "keyboard_note")
        self.note.setProperty("role", "caption")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        # Two lines at most beside the numpad's column; it wraps rather than widen.
        self.note.setWordWrap(True)
        note_row = QHBoxLayout()
        note_row.setSpacing(SPACE["s"])
        note_row.addWidget(self.note_icon)
        note_row.addWidget(self.note, 1)

        # One row after another, each key as wide as its share of the row: a row has one
        # gap fewer or more than another, which moves a key by less than a pixel.
        rows = QVBoxLayout()
        rows.setSpacing(SPACE["s"])
        for keys in _ROWS:
            row = QHBoxLayout()
            row.setSpacing(SPACE["s"] - SPACE["xs"] // 2)
            for name, text, share in keys:
                row.addWidget(self._key(name, text), share)
            rows.addLayout(row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["m"])
        # Docked at the bottom, like every touch keyboard (under the thumbs); the keys grow to
        # their tallest before any room is left above.
        layout.addStretch(1)
        layout.addLayout(note_row)
        layout.addLayout(rows, 100)
        self.retranslate()

    def _key(self, name: str, text: str) -> QPushButton:
        key = named(QPushButton(self), name)
        # A key never takes the focus: the field keeps its cursor and its selection.
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.setAutoDefault(False)
        key.setMinimumSize(TOUCH_MIN, TOUCH_MIN)
        key.setMaximumHeight(KEY_HEIGHT_MAX)
        # Widths follow the shares only (not the words): every letter the same size.
        key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        key.setIconSize(QSize(TYPE_SCALE["title"], TYPE_SCALE["title"]))
        action: Callable[[], None]
        if name == "key_shift":
            key.setIcon(icon(Icon.SHIFT))
            action = self._toggle_shift
        elif name == "key_delete":
            key.setIcon(icon(Icon.BACKSPACE))
            action = self._backspace
        elif name == "key_hide":
            key.setIcon(icon(Icon.HIDE_KEYBOARD))
            action = self.dismiss
        elif name == "key_enter":
            key.setProperty("role", "primary")
            key.setIcon(icon(Icon.SEARCH, "on_brand"))
            action = self._enter
        else:
            key.setText(text)
            # One character is drawn large; the words (".com", "space") at body size.
            key.setProperty("kind", "char" if len(text.strip()) == 1 else "word")
            action = self._typing(text)
        key.clicked.connect(action)
        self.keys[name] = key
        return key

    def retranslate(self) -> None:
        self.note.setText(
            self.tr(
                "No Chinese on this keyboard: search a Chinese name by mobile number or e-mail."
            )
        )
        self.keys["key_space"].setText(self.tr("space"))
        self.keys["key_enter"].setText(self.tr("Search"))
        self.keys["key_shift"].setAccessibleName(self.tr("Shift"))
        self.keys["key_delete"].setAccessibleName(self.tr("Delete"))
        self.keys["key_hide"].setAccessibleName(self.tr("Hide the keyboard"))

    # --- showing ------------------------------------------------------------------------

    def set_available(self, available: bool) -> None:
        """The screen wants it (e-mail or name search): shown unless staff put it away."""
        if available and not self._available:
            self._dismissed = False
            self._set_shift(False)
        self._available = available
        self.setVisible(available and not self._dismissed)

    def dismiss(self) -> None:
        self._dismissed = True
        self.hide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown_changed.emit(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.shown_changed.emit(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and self._available and self._dismissed:
            self._dismissed = False
            self.show()
        return False

    # --- typing -------------------------------------------------------------------------

    def target(self) -> QLineEdit:
        """The line edit with the focus in this window, or the field it was made for."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.window() is self.window():
            return focused
        return self._default_target

    def _typing(self, text: str) -> Callable[[], None]:
        def type_it() -> None:
            self._type(text)

        return type_it

    def _type(self, text: str) -> None:
        field = self.target()
        if self._shifted:
            text = text.upper()
            self._set_shift(False)
        field.insert(text)

    def _backspace(self) -> None:
        self.target().backspace()

    def _enter(self) -> None:
        # The field's own Enter: returnPressed (the screen's Confirm) and editingFinished.
        field = self.target()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
            QCoreApplication.sendEvent(field, key)

    def _toggle_shift(self) -> None:
        self._set_shift(not self._shifted)

    def _set_shift(self, on: bool) -> None:
        self._shifted = on
        shift = self.keys["key_shift"]
        shift.setProperty("latched", on)
        shift.setIcon(icon(Icon.SHIFT, "brand" if on else "ink"))
        shift.style().unpolish(shift)
        shift.style().polish(shift)
        for name, key in self.keys.items():
            letter = name.removeprefix("key_")
            if len(letter) == 1 and letter.isalpha():
                key.setText(letter.upper() if on else letter)

    def shifted(self) -> bool:
        return self._shifted

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
