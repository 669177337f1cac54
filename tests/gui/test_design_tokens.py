"""The design system's own rules: colour pairs that read, and a theme made only of tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from omo_desktop.design import fonts, theme
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import (
    CHART_SERIES,
    EDGE_ON,
    PALETTE,
    TEXT_ON,
    TYPE_SCALE,
    contrast,
)


@pytest.mark.parametrize(("text", "ground"), TEXT_ON)
def test_every_text_colour_reads_at_4_5_to_1_on_its_background(text: str, ground: str):
    assert contrast(PALETTE[text], PALETTE[ground]) >= 4.5


@pytest.mark.parametrize(("edge", "ground"), EDGE_ON)
def test_every_control_edge_and_mark_stands_out_at_3_to_1(edge: str, ground: str):
    assert contrast(PALETTE[edge], PALETTE[ground]) >= 3.0


@pytest.mark.parametrize("colour", CHART_SERIES)
def test_every_chart_series_stands_out_at_3_to_1_on_the_surface_and_the_canvas(colour: str):
    assert contrast(colour, PALETTE["surface"]) >= 3.0
    assert contrast(colour, PALETTE["canvas"]) >= 3.0
    # A slice's label is drawn in white on it when it is large enough to hold one.
    assert contrast(colour, PALETTE["on_brand"]) >= 4.5


def test_every_chart_series_is_a_colour_of_its_own():
    assert len(set(CHART_SERIES)) == len(CHART_SERIES)


def test_contrast_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("qss", [theme.QSS, theme.DEMO_PHONE_QSS], ids=lambda p: p.name)
def test_the_theme_source_names_tokens_not_sizes_or_colours(qss: Path):
    source = qss.read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", source), "a colour not from the palette"
    assert not re.search(r"font-size:\s*\d", source), "a font size not from the type scale"
    sizes = {int(px) for px in re.findall(r"font-size:\s*(\d+)px", theme.stylesheet(qss))}
    assert sizes <= set(TYPE_SCALE.values())
    weights = set(re.findall(r"font-weight:\s*(\w+)", theme.stylesheet(qss)))
    assert weights <= {"400", "700"}


def test_the_app_font_has_a_real_bold_for_chinese(qapp: QApplication):
    # Set-up installs it; without it, Chinese falls back to a font with one weight.
    assert fonts.family(), f"none of {fonts.FAMILIES} is installed"
    assert "Bold" in QFontDatabase.styles(fonts.family())


def test_every_icon_of_the_set_draws(qapp: QApplication):
    for name in Icon:
        image = pixmap(name, 32, "brand").toImage()
        assert not image.isNull()
        painted = sum(image.pixelColor(x, y).alpha() > 0 for x in range(32) for y in range(32))
        assert painted > 20, name
