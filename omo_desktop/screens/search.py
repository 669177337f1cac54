"""Member Search: a mobile number on the numpad, or an e-mail or name on the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from omo_desktop.flows.counter import SearchBy, Searching
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.numpad import Numpad


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
        self.field.setClearButtonEnabled(True)
        self.field.returnPressed.connect(self._confirm)
        self.switch_method = button("switch_method", "link")
        self.switch_method.clicked.connect(self._switch_method)
        self.error = label("error", "error")
        self.confirm = button("confirm", "primary")
        self.confirm.clicked.connect(self._confirm)
        self.numpad = Numpad(self.field, with_plus=True)

        form = QVBoxLayout()
        form.setSpacing(16)
        form.addWidget(self.title)
        form.addWidget(self.prompt)
        form.addWidget(self.field)
        form.addWidget(self.switch_method, alignment=Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.error)
        form.addWidget(self.confirm)
        form.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(48)
        layout.addLayout(form, 3)
        layout.addWidget(self.numpad, 2)

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
        else:
            self.prompt.setText(self.tr("Customer's e-mail or name"))
            self.field.setPlaceholderText(self.tr("E-mail or customer name"))
            self.field.setInputMethodHints(Qt.InputMethodHint.ImhNone)
            self.switch_method.setText(self.tr("Search by mobile number"))
        self.numpad.setVisible(by_phone)
        self.error.setText(describe(state.error, typed=True) if state.error is not None else "")
        self.error.setVisible(state.error is not None)
        self.confirm.setEnabled(not state.busy)
        self.confirm.setText(self.tr("Searching…") if state.busy else self.tr("Confirm"))
        self.switch_method.setEnabled(not state.busy)
        self.field.setFocus()

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
