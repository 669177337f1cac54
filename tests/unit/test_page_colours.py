"""The phone pages draw with the counter's palette, and a store's own colour is used only
where it reads (text ≥ 4.5:1, the main button's face ≥ 3:1 against the card)."""

from __future__ import annotations

import re

import pytest

from omo_backend.pages.rendering import TEMPLATES_DIR, BrandColours
from omo_desktop.design.tokens import PALETTE, contrast

# LINE's green, which LINE's guidelines fix for its own buttons (drawn in _line.html only).
LINE_GREEN = "#06c755"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES_DIR.glob("*.html")))
def test_the_pages_colours_are_the_counters_palette(template):
    css = (TEMPLATES_DIR / template).read_text(encoding="utf-8")
    used = {colour.lower() for colour in re.findall(r"#[0-9a-fA-F]{6}\b", css)}
    own = {LINE_GREEN} if template == "_line.html" else set()
    assert used - set(PALETTE.values()) - own == set()
    assert not re.findall(r"#[0-9a-fA-F]{3}\b", css), "short colours hide from the palette"


def test_the_colour_test_reads_the_pages_style():
    css = (TEMPLATES_DIR / "base.html").read_text(encoding="utf-8")
    assert len(set(re.findall(r"#[0-9a-fA-F]{6}\b", css))) > 5, "no colours: the wrong file"


def test_the_default_brand_is_the_counters_and_is_used_as_it_is():
    assert BrandColours.of(None) == BrandColours(
        fill=PALETTE["brand"], on_fill=PALETTE["on_brand"], ink=PALETTE["brand"]
    )


@pytest.mark.parametrize(
    "brand",
    ["#0b6e4f", "#e60012", "#ffd400", "#ffffff", "#000000", "#e8a317", "#3b82f6", "#FFC0CB"],
)
def test_every_use_of_a_stores_colour_reads(brand):
    colours = BrandColours.of(brand)
    assert contrast(colours.on_fill, colours.fill) >= 4.5
    assert contrast(colours.fill, PALETTE["surface"]) >= 3
    for ground in ("canvas", "surface"):
        assert contrast(colours.ink, PALETTE[ground]) >= 4.5


def test_a_dark_enough_colour_is_kept_and_a_light_one_darkened_for_text():
    assert BrandColours.of("#e60012").fill == "#e60012"
    yellow = BrandColours.of("#ffd400")
    assert yellow.ink != "#ffd400"
    assert yellow.ink.startswith("#")


@pytest.mark.parametrize("nonsense", ["", "red", "#12345", "#1234567", "url(x)", "#ggg000"])
def test_a_colour_that_is_no_colour_falls_back_to_the_counters(nonsense):
    assert BrandColours.of(nonsense) == BrandColours.of(None)
