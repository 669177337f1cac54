"""The side rail a manager switches sections with: Counter, Members, Reports.

A column of large icon-over-word buttons at the left edge (a navigation rail, as Material
calls it): each is far above the 44 px touch minimum, the current one is marked by colour and
weight, not by colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QButtonGroup, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, icon
from omo_desktop.design.tokens import RAIL_ITEM_HEIGHT, RAIL_WIDTH, SPACE, TYPE_SCALE
from omo_desktop.widgets import named


class SectionRail(QWidget):
    chosen = Signal(str)  # a section's key, tapped

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_rail")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFixedWidth(RAIL_WIDTH)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(SPACE["s"], SPACE["m"], SPACE["s"], SPACE["m"])
        self._layout.setSpacing(SPACE["s"])
        self._layout.addStretch(1)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, QToolButton] = {}

    def set_sections(self, sections: list[tuple[str, Icon]]) -> None:
        """The sections in order, each a key and its icon; the words come from ``set_text``."""
        for button in self._buttons.values():
            self._group.removeButton(button)
            button.hide()  # gone from sight now, deleted once Qt is back in its loop
            button.deleteLater()
        self._buttons.clear()
        for position, (key, mark) in enumerate(sections):
            button = named(QToolButton(self), f"section_{key}")
            button.setProperty("role", "section")
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIcon(_marked(mark))
            button.setIconSize(QSize(TYPE_SCALE["title"], TYPE_SCALE["title"]))
            button.setMinimumHeight(RAIL_ITEM_HEIGHT)
            # The rail's full width: a wide target, and the current mark the same on each.
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, k=key: self.chosen.emit(k))
            self._group.addButton(button)
            self._layout.insertWidget(position, button)
            self._buttons[key] = button

    def set_text(self, key: str, text: str) -> None:
        if key in self._buttons:
            self._buttons[key].setText(text)

    def set_current(self, key: str) -> None:
        if key in self._buttons:
            self._buttons[key].setChecked(True)

    def button(self, key: str) -> QToolButton | None:
        """The button of section ``key`` (a replaced one may linger hidden until deleted)."""
        return self._buttons.get(key)

    def section_keys(self) -> list[str]:
        return list(self._buttons)


def _marked(mark: Icon) -> QIcon:
    """The icon in muted ink, and in the brand colour where its button is the current one."""
    drawn = QIcon()
    size = QSize(TYPE_SCALE["title"], TYPE_SCALE["title"])
    drawn.addPixmap(icon(mark, "ink_muted").pixmap(size), QIcon.Mode.Normal, QIcon.State.Off)
    drawn.addPixmap(icon(mark, "brand").pixmap(size), QIcon.Mode.Normal, QIcon.State.On)
    return drawn
