"""Member Search: a mobile number on the numpad, or an e-mail or name on the keyboard.

Under the title, a grid: what staff type (the field and its message line) at the left, the
numpad at the right; under them the action row, with the other way to search at the left and
Confirm full-width under the numpad, where the thumb that typed the digits already is. The
grid is centred between the title and the bottom, so no column leaves a hole, and the message
line's room is kept: an error moves nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.flows.counter import SearchBy, Searching
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import keyboard, named
from omo_desktop.widgets.clear_button import ClearButton
from omo_desktop.widgets.keyboard import OnScreenKeyboard, TouchKeyboard
from omo_desktop.widgets.layout import MessageLine, Tone, centred, screen_layout
from omo_desktop.widgets.numpad import Numpad, numpad_grid


class SearchScreen(FlowScreen[Searching]):
    screen_name = "search"
    search_requested = Signal(str)
    method_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The last search drawn while this page stayed on screen: what staff typed since is
        # theirs, and a re-render of the same text must not wipe it.
        self._drawn: Searching | None = None
        self.title = label("title", "title")
        self.prompt = label("search_prompt", "lead")
        self.field = named(QLineEdit(), "search_field")
        self.clear_field = ClearButton(self.field)
        self.field.returnPressed.connect(self._confirm)
        self.switch_method = button("switch_method")
        self.switch_method.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.switch_method.clicked.connect(self._switch_method)
        self.message = MessageLine("error")
        self.error = self.message.text
        self.confirm = button("confirm", "primary")
        self.confirm.clicked.connect(self._confirm)
        self.numpad = Numpad(self.field, with_plus=True)
        # E-mail and name: where the numpad sits, when the counter has no hardware keyboard.
        self.keyboard = OnScreenKeyboard(self.field)
        self.touch_keyboard = TouchKeyboard.NONE
        # E-mail and name on a hardware keyboard (or the OS one): the numpad's room says how.
        self.keyboard_icon = named(QLabel(), "keyboard_icon")
        self.keyboard_icon.setPixmap(pixmap(Icon.KEYBOARD, 2 * TYPE_SCALE["display"], "ink_muted"))
        self.keyboard_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keyboard_hint = label("keyboard_hint", "hint")
        self.keyboard_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.typing_help = QWidget()
        # As wide as the numpad's column gives it: its words wrap, the grid does not move.
        self.typing_help.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        help_column = QVBoxLayout(self.typing_help)
        help_column.addStretch(1)
        help_column.addWidget(self.keyboard_icon)
        help_column.addWidget(self.keyboard_hint)
        help_column.addStretch(1)

        typing = QVBoxLayout()
        typing.setSpacing(SPACE["s"])
        typing.addWidget(self.prompt)
        typing.addWidget(self.field)
        typing.addSpacing(SPACE["s"])
        typing.addWidget(self.message)

        # Centred beside the numpad by stretches (an aligned layout would get only its size
        # hint, and a wrapped message would be cut to one line).
        typing.insertStretch(0, 1)
        typing.addStretch(1)
        grid = numpad_grid(typing, self.numpad, self.switch_method, self.confirm)
        # The keyboard takes the numpad's place (the numpad keeps its room while hidden).
        grid.addWidget(self.keyboard, 0, 1)
        grid.addWidget(self.typing_help, 0, 1)
        # Its Search key, right there, is the main action while it is out: no second one.
        self.keyboard.shown_changed.connect(lambda shown: self.confirm.setVisible(not shown))

        layout = screen_layout(self)
        layout.addWidget(self.title)
        centred(grid, layout)

    def draw(self, state: Searching) -> None:
        by_phone = state.by is SearchBy.PHONE
        previous = self._drawn
        if previous is None or (previous.by, previous.text) != (state.by, state.text):
            self.field.setText(state.text)
        self._drawn = state
        self.title.setText(self.tr("Member Search"))
        if by_phone:
            self.prompt.setText(self.tr("Customer's mobile number"))
            self.field.setPlaceholderText(self.tr("e.g. 0912 345 678 or +886 912 345 678"))
            self.field.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
            self.switch_method.setText(self.tr("Search by email or customer name"))
            self.switch_method.setIcon(icon(Icon.EMAIL))
        else:
            self.prompt.setText(self.tr("Customer's e-mail or name"))
            self.field.setPlaceholderText(self.tr("E-mail or customer name"))
            self.field.setInputMethodHints(keyboard.TEXT_HINTS)
            self.switch_method.setText(self.tr("Search by mobile number"))
            self.switch_method.setIcon(icon(Icon.PHONE))
        self.numpad.setVisible(by_phone)
        on_screen = self.touch_keyboard is TouchKeyboard.ON_SCREEN
        self.keyboard.set_available(not by_phone and on_screen)
        self.typing_help.setVisible(not by_phone and not on_screen)
        self.keyboard_hint.setText(self.tr("Type on the keyboard, then tap Confirm."))
        if state.error is not None:
            self.message.show_message(describe(state.error, typed=True), Tone.ERROR)
        else:
            self.message.clear()
        self.confirm.setEnabled(not state.busy)
        self.confirm.setText(self.tr("Searching…") if state.busy else self.tr("Confirm"))
        self.switch_method.setEnabled(not state.busy)
        self.field.setFocus()
        opened = previous is None or previous.by is not state.by
        if opened and not by_phone and self.touch_keyboard is TouchKeyboard.SYSTEM:
            keyboard.ask_system_keyboard(self.field)

    def set_touch_keyboard(self, choice: TouchKeyboard) -> None:
        """How staff type an e-mail or a name here (``keyboard.choose``, from the app's set-up)."""
        self.touch_keyboard = choice
        if self.state is not None:
            self.draw(self.state)

    def leave(self) -> None:
        super().leave()
        self._drawn = None

    def _confirm(self) -> None:
        state = self.state
        typed = self.field.text().strip()
        if state is None or state.busy or not typed:
            return
        self.search_requested.emit(typed)

    def _switch_method(self) -> None:
        state = self.state
        if state is None:
            return
        other = SearchBy.EMAIL_OR_NAME if state.by is SearchBy.PHONE else SearchBy.PHONE
        self.method_requested.emit(other.value)
