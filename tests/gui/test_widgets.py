"""Shared widgets, as staff and customers use them."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from omo_desktop.widgets.numpad import KEY_HEIGHT, Numpad
from omo_desktop.widgets.qr_view import QrView, qr_matrix
from tests.gui.design_checks import touch_problems

URL = "https://omo.example.com.tw/b/Zx8ab_cdEF-1234567890a"
SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens"))


def test_the_qr_code_is_drawn_module_for_module_in_black_and_white(qtbot: QtBot):
    view = QrView()
    qtbot.addWidget(view)
    view.resize(480, 480)
    view.set_url(URL)
    image = view.grab().toImage()
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / "widget-qr.png"))

    matrix = qr_matrix(URL)
    module = view.module_size()
    assert module >= 9, "big enough to scan at arm's length"
    origin = view.code_rect().topLeft()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            centre = image.pixelColor(
                origin.x() + x * module + module // 2, origin.y() + y * module + module // 2
            )
            assert centre == QColor("black" if dark else "white"), (x, y)
    # The quiet zone is white all round.
    assert not any(matrix[0])
    assert not any(row[0] for row in matrix)


def test_no_link_no_code(qtbot: QtBot):
    view = QrView()
    qtbot.addWidget(view)
    view.set_url(None)
    assert view.module_size() == 0


def test_the_numpad_types_a_number_and_deletes(qtbot: QtBot):
    screen = QWidget()
    field = QLineEdit(screen)
    pad = Numpad(field, parent=screen)
    layout = QVBoxLayout(screen)
    layout.addWidget(field)
    layout.addWidget(pad)
    qtbot.addWidget(screen)
    screen.show()

    for key in "0912345678x":
        if key == "x":
            key = "delete"
        qtbot.mouseClick(pad.findChild(QPushButton, f"numpad_{key}"), Qt.MouseButton.LeftButton)
    assert field.text() == "091234567"
    qtbot.mouseClick(pad.findChild(QPushButton, "numpad_plus"), Qt.MouseButton.LeftButton)
    assert field.text() == "091234567+"

    buttons = pad.findChildren(QPushButton)
    assert len(buttons) == 12
    assert touch_problems(pad) == []
    assert all(b.height() == KEY_HEIGHT for b in buttons)
    delete = pad.findChild(QPushButton, "numpad_delete")
    assert delete.text() == "", "an icon, not the ⌫ of whatever font is installed"
    assert not delete.icon().isNull()
    assert delete.accessibleName() == "Delete"
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.grab().save(str(SHOTS / "widget-numpad.png"))

    # One pad for two fields (staff code and PIN): it types where it is told to.
    other = QLineEdit(screen)
    pad.set_target(other)
    qtbot.mouseClick(pad.findChild(QPushButton, "numpad_7"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.findChild(QPushButton, "numpad_8"), Qt.MouseButton.LeftButton)
    assert (field.text(), other.text()) == ("091234567+", "8")
