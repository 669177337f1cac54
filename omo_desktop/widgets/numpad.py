"""An on-screen numpad for phone numbers and PINs: touch-sized keys that type into a field."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

KEY_SIZE = 64  # px: above the 48 px touch minimum, for gloved or hurried fingers


class Numpad(QWidget):
    def __init__(
        self, target: QLineEdit, *, with_plus: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("numpad")
        self._target = target
        grid = QGridLayout(self)
        grid.setSpacing(8)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "+" if with_plus else "", "0", "⌫"]
        for index, label in enumerate(keys):
            if not label:
                continue
            button = QPushButton(label, self)
            button.setMinimumSize(KEY_SIZE, KEY_SIZE)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            if label == "⌫":
                button.setObjectName("numpad_delete")
                button.setAccessibleName(self.tr("Delete"))
                button.clicked.connect(self._target.backspace)
            else:
                button.setObjectName("numpad_plus" if label == "+" else f"numpad_{label}")
                button.clicked.connect(lambda _=False, key=label: self._target.insert(key))
            grid.addWidget(button, index // 3, index % 3)
