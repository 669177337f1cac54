"""An on-screen numpad for phone numbers and PINs: touch-sized keys that type into a field."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from omo_desktop.design.icons import Icon, icon
from omo_desktop.design.tokens import SPACE, TYPE_SCALE

# px: a key is a thumb wide and tall enough for a hurried or gloved finger (well above the
# 44-px touch minimum), and four rows still leave room for a title and an action under them.
KEY_WIDTH = 128
KEY_HEIGHT = 96
KEY_GAP = SPACE["s"]


class _Key(QPushButton):
    """A key asks for its full size (the theme's button height is for buttons with words)."""

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(QSize(KEY_WIDTH, KEY_HEIGHT))


class Numpad(QWidget):
    """Digits (and "+" for phone numbers) into ``target``; ``set_target`` moves it to another
    field (one pad for staff code and PIN)."""

    def __init__(
        self, target: QLineEdit, *, with_plus: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("numpad")
        self._target = target
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(KEY_GAP)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "+" if with_plus else "", "0", "⌫"]
        self.delete = _Key(self)
        for index, key in enumerate(keys):
            if not key:
                continue
            button = self.delete if key == "⌫" else _Key(key, self)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            if key == "⌫":
                # A drawn icon, not the ⌫ glyph of whatever font is installed.
                button.setObjectName("numpad_delete")
                button.setIcon(icon(Icon.BACKSPACE))
                button.setIconSize(QSize(TYPE_SCALE["title"], TYPE_SCALE["title"]))
                button.clicked.connect(lambda: self._target.backspace())
            else:
                button.setObjectName("numpad_plus" if key == "+" else f"numpad_{key}")
                button.clicked.connect(lambda _=False, typed=key: self._target.insert(typed))
            # The field keeps the focus (its caret, and the pad's target, stay put).
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            grid.addWidget(button, index // 3, index % 3)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._retranslate()

    def sizeHint(self) -> QSize:
        return QSize(3 * KEY_WIDTH + 2 * KEY_GAP, 4 * KEY_HEIGHT + 3 * KEY_GAP)

    def target(self) -> QLineEdit:
        return self._target

    def set_target(self, field: QLineEdit) -> None:
        self._target = field

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.delete.setAccessibleName(self.tr("Delete"))


def numpad_grid(typing: QLayout, numpad: Numpad, other: QWidget, main: QPushButton) -> QGridLayout:
    """The grid of a screen typed on the numpad (Member Search, log-in).

    What is typed (``typing``: fields, message line) at the left, ``numpad`` at the right, and
    under them the action row: ``other`` (a secondary action) at the left, ``main`` as wide as
    the numpad right under it, where the thumb that typed the digits already is. The numpad's
    room is kept when it hides (search by e-mail or name): nothing else moves.
    """
    grid = QGridLayout()
    grid.setHorizontalSpacing(SPACE["xxl"])
    grid.setVerticalSpacing(SPACE["l"])
    grid.addLayout(typing, 0, 0)
    grid.addWidget(numpad, 0, 1)
    grid.addWidget(other, 1, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    grid.addWidget(main, 1, 1)
    grid.setColumnStretch(0, 1)
    grid.setColumnMinimumWidth(1, numpad.sizeHint().width())
    grid.setRowMinimumHeight(0, numpad.sizeHint().height())
    return grid
