"""Bold is bold in both scripts, and regular is regular: the fonts the theme resolves to draw
Chinese and Latin in the same weight within one line.

Before the design system, WenQuanYi (one weight) drew the Chinese of a bold line regular while
its Latin and digits came out bold ("會員 · Gold · 1,280 點"), and English errors were bold
while Chinese ones were regular. Each glyph run Qt lays out names the font that draws it, so
the weight of each script is read off the runs; the pixels then show the bold is a real one.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextLayout
from PySide6.QtWidgets import QApplication, QLabel

from omo_desktop.design import fonts
from omo_desktop.design.tokens import WEIGHT_BOLD, WEIGHT_REGULAR
from omo_desktop.widgets.layout import MessageLine, Tone

MIXED = "會員 · Gold · 1,280 點"
CHINESE = "會員"
LATIN = "Gold · 1,280"


def themed_font(role: str) -> QFont:
    """The font the theme gives a label of ``role``."""
    label = QLabel(MIXED)
    label.setProperty("role", role)
    label.ensurePolished()
    return label.font()


def run_weights(font: QFont, text: str, part: str) -> set[tuple[str, int]]:
    """(family, weight) of every font that draws ``part`` of ``text``."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine().setLineWidth(10_000)
    layout.endLayout()
    start = text.index(part)
    return {
        (run.rawFont().familyName(), run.rawFont().weight())
        for run in layout.glyphRuns(start, len(part))
    }


def ink(font: QFont, text: str) -> float:
    """How much dark the text puts on white: a real bold is clearly darker."""
    image = QImage(600, 120, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(QPointF(10, 80), text)
    painter.end()
    return sum(
        255 - image.pixelColor(x, y).value() for x in range(image.width()) for y in range(120)
    )


@pytest.mark.parametrize("part", [CHINESE, LATIN])
def test_a_bold_line_of_mixed_text_is_bold_in_both_scripts(themed: QApplication, part: str):
    bold, regular = themed_font("heading"), themed_font("lead")  # same size, two weights
    assert bold.pixelSize() == regular.pixelSize()
    drawn_bold = run_weights(bold, MIXED, part)
    drawn_regular = run_weights(regular, MIXED, part)
    assert drawn_bold
    assert all(weight == WEIGHT_BOLD for _, weight in drawn_bold), drawn_bold
    assert all(weight == WEIGHT_REGULAR for _, weight in drawn_regular), drawn_regular
    # The font's own bold, not a smeared regular: clearly more ink.
    assert ink(bold, part) > 1.15 * ink(regular, part)


def test_both_scripts_are_drawn_by_the_app_s_families(themed: QApplication):
    """Not by a fallback Qt found on its own (WenQuanYi, DejaVu: one weight, other shapes)."""
    font = themed_font("heading")
    assert {family for family, _ in run_weights(font, MIXED, CHINESE)} == {fonts.family()}
    latin = {family for family, _ in run_weights(font, MIXED, "Gold")}
    assert latin
    assert latin <= set(fonts.FAMILIES), latin


@pytest.mark.parametrize(
    "sentence",
    [
        "The server can't be reached. What you typed is kept; try again.",
        "無法連線到伺服器。您輸入的內容已保留，請再試一次。",
    ],
)
def test_errors_are_regular_in_either_language(themed: QApplication, sentence: str):
    line = MessageLine("error")
    line.show_message(sentence, Tone.ERROR)
    line.text.ensurePolished()
    weights = run_weights(line.text.font(), sentence, sentence)
    assert weights
    assert all(weight == WEIGHT_REGULAR for _, weight in weights), weights
