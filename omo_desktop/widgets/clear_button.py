"""The clear button of a text field: a full touch target inside the field's right end.

Qt's own (``setClearButtonEnabled``) is a 22×18 px tool button drawn from the style, too small
for a finger; this one is 44×44, drawn from the icon set, and there whenever the field holds
text, in any language.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from omo_desktop.design.icons import Icon, icon
from omo_desktop.design.tokens import SPACE, TOUCH_MIN, TYPE_SCALE


class ClearButton(QPushButton):
    """Empties ``field`` (and leaves the focus there, so typing goes on at once)."""

    def __init__(self, field: QLineEdit) -> None:
        super().__init__(field)
        self._field = field
        self.setObjectName(f"{field.objectName()}_clear")
        self.setProperty("role", "icon")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # A tap must not take the focus from the field: the numpad types into the focused one.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setIcon(icon(Icon.CLEAR, "ink_muted"))
        self.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.setFixedSize(TOUCH_MIN, TOUCH_MIN)
        margins = field.textMargins()
        # The text stops before the button instead of running under it.
        field.setTextMargins(
            margins.left(), margins.top(), TOUCH_MIN + SPACE["xs"], margins.bottom()
        )
        field.textChanged.connect(self._follow_text)
        field.installEventFilter(self)
        self.clicked.connect(self._clear)
        self._retranslate()
        self._follow_text()
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._field and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _place(self) -> None:
        inset = max(SPACE["xs"], (self._field.height() - TOUCH_MIN) // 2)
        self.move(self._field.width() - TOUCH_MIN - inset, (self._field.height() - TOUCH_MIN) // 2)

    def _follow_text(self) -> None:
        self.setVisible(bool(self._field.text()))

    def _clear(self) -> None:
        self._field.clear()
        self._field.setFocus()

    def _retranslate(self) -> None:
        self.setAccessibleName(self.tr("Clear"))
