"""The gallery's touch and contrast checks catch what they are there to catch."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.design_checks import contrast_problems, touch_problems


def screen(qtbot: QtBot, style: str, *children: QWidget) -> QWidget:
    root = QWidget()
    root.setObjectName("root")
    root.setStyleSheet(style)
    layout = QVBoxLayout(root)
    for child in children:
        layout.addWidget(child)
    qtbot.addWidget(root)
    root.resize(400, 300)
    root.show()
    QApplication.processEvents()
    return root


def named_label(name: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


def test_pale_text_and_a_faded_disabled_button_are_low_contrast(qtbot: QtBot):
    faded = QPushButton("Searching…")
    faded.setObjectName("busy")
    faded.setEnabled(False)
    root = screen(
        qtbot,
        "QWidget#root { background: #ffffff; } QLabel#pale { color: #aaaaaa; }"
        " QLabel#dark { color: #333333; } QPushButton { min-height: 50px; background: #8fb9aa;"
        " border: 0; } QPushButton:disabled { color: #ffffff; }",
        named_label("pale", "Waiting"),
        named_label("dark", "Waiting"),
        faded,
    )
    problems = contrast_problems(root)
    assert [p.split()[0] for p in problems] == ["pale", "busy"], problems


def test_a_small_button_is_too_small_to_tap(qtbot: QtBot):
    small = QPushButton("×")
    small.setObjectName("small")
    small.setFixedSize(20, 20)
    big = QPushButton("OK")
    big.setObjectName("big")
    big.setFixedSize(120, 48)
    root = screen(qtbot, "", small, big)
    assert touch_problems(root) == ["small 20×20"]
