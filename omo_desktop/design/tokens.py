"""The design tokens: the only sizes and colours a counter screen may use.

The theme (``resources/theme/omo.qss``) names them as ``$token``; ``theme.stylesheet`` fills
them in. Every text colour is chosen for ≥ 4.5:1 on the backgrounds it is drawn on and every
control edge for ≥ 3:1 (WCAG 2.2, 1.4.3 and 1.4.11); ``tests/gui/test_design_tokens.py``
computes the ratios.
"""

from __future__ import annotations

from typing import Final

# Type scale, in pixels: a counter is read at arm's length, a little larger than a desktop.
TYPE_SCALE: Final[dict[str, int]] = {
    "display": 40,  # one big figure or word per screen: the countdown, "Done"
    "title": 30,  # the screen's title
    "heading": 24,  # a card's name, a section, the main button's words
    "body": 20,  # everything else people read
    "caption": 16,  # help under a field, small print
}
# Noto Sans CJK and Microsoft JhengHei ship two weights: anything between is drawn as one
# of these, so the scale names only these (a 600 would be regular on one machine, bold on
# another).
WEIGHT_REGULAR: Final = 400
WEIGHT_BOLD: Final = 700

# Spacing: multiples of 8 px, 4 px for the tightest gaps.
SPACE: Final[dict[str, int]] = {"xs": 4, "s": 8, "m": 16, "l": 24, "xl": 32, "xxl": 48}

# Apple HIG and Material both put the smallest comfortable target at 44–48 px.
TOUCH_MIN: Final = 44
BUTTON_HEIGHT: Final = 56
PRIMARY_HEIGHT: Final = 64
# Widths in an action bar: the main action is the largest thing to tap, the others stay wide
# enough to read as buttons next to it.
# The section rail (Counter, Members, Reports) at the left edge: room for "Reports" or
# "會員管理" under an icon, and a target near twice the touch minimum.
RAIL_WIDTH: Final = 120
RAIL_ITEM_HEIGHT: Final = 88
MAIN_ACTION_WIDTH: Final = 280
ACTION_WIDTH: Final = 200

PALETTE: Final[dict[str, str]] = {
    "canvas": "#f6f6f8",  # the screen's background
    "surface": "#ffffff",  # cards, fields, secondary buttons
    "surface_pressed": "#e8e8ed",
    "ink": "#1d1d1f",  # text
    "ink_muted": "#55585e",  # secondary text, help
    "ink_disabled": "#4f5358",  # words on a disabled control: still readable (≥ 4.5:1)
    "edge": "#86868b",  # the border of a field or button (≥ 3:1 on surface and canvas)
    "divider": "#d8d8de",  # decoration only, not a control's edge
    "brand": "#0b6e4f",  # the main action, links, done marks
    "brand_pressed": "#095a41",
    "brand_soft": "#e6f2ed",  # a success or current background
    "on_brand": "#ffffff",
    "disabled": "#dcdce1",  # a disabled button's face
    "danger": "#b3261e",  # errors
    "danger_soft": "#fcebea",
    "warning_ink": "#7a4f00",  # a problem the customer can fix, a notice
    "warning_mark": "#a86400",
    "warning_soft": "#fff4d6",
    "warning_edge": "#a86400",
    "todo": "#6e6e73",  # a step still to do
    "phone_screen": "#e9e9ee",  # the demo phone's screen, behind its message cards
}

# Chart series, in the order slices and bars take them: each a mark that must stand out at
# ≥ 3:1 on the surface a chart is drawn on (WCAG 1.4.11), with neighbours of different hue so
# that adjacent slices part without their edge; the brand's green first. The table beside a
# chart names every value, so no reading depends on telling colours apart.
CHART_SERIES: Final[list[str]] = [
    "#0b6e4f",  # brand green
    "#1f5fbf",  # blue
    "#b35900",  # orange
    "#7b3fa8",  # purple
    "#00727a",  # teal
    "#ad1f6b",  # magenta
    "#5c6b00",  # olive
    "#4a5a6a",  # slate: the rest, when a chart groups the smallest together
]
# Text and lines inside a chart: its labels read as body text, its grid is decoration.
CHART_TEXT: Final = "ink"
CHART_MUTED: Final = "ink_muted"
CHART_GRID: Final = "divider"

# Which text colour is drawn on which background: every pair here must read at ≥ 4.5:1.
TEXT_ON: Final[list[tuple[str, str]]] = [
    (text, ground)
    for ground in ("canvas", "surface")
    for text in ("ink", "ink_muted", "brand", "danger", "warning_ink", "todo")
] + [
    ("on_brand", "brand"),
    ("on_brand", "brand_pressed"),
    ("ink_disabled", "disabled"),
    ("brand", "brand_soft"),
    ("ink", "brand_soft"),
    ("warning_ink", "warning_soft"),
    ("danger", "danger_soft"),
    ("ink", "surface_pressed"),
    ("ink_muted", "phone_screen"),
    ("danger", "phone_screen"),
]
# Edges and marks that show a control or a state: ≥ 3:1.
EDGE_ON: Final[list[tuple[str, str]]] = [
    ("edge", "canvas"),
    ("edge", "surface"),
    ("brand", "canvas"),
    ("todo", "canvas"),
    ("warning_mark", "canvas"),
    ("warning_edge", "warning_soft"),
    ("brand", "brand_soft"),  # the current step's ring on its row; a latched Shift key
    ("ink_muted", "surface_pressed"),  # an expired code's mark
]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
