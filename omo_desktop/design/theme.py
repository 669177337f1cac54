"""The theme: ``resources/theme/omo.qss`` with the design tokens filled in, and the font."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from PySide6.QtWidgets import QApplication

from omo_desktop.design import fonts, icons
from omo_desktop.design.tokens import (
    BUTTON_HEIGHT,
    PALETTE,
    PRIMARY_HEIGHT,
    SPACE,
    TOUCH_MIN,
    TYPE_SCALE,
    WEIGHT_BOLD,
    WEIGHT_REGULAR,
)

QSS = Path(__file__).resolve().parents[2] / "resources" / "theme" / "omo.qss"
# The demo phone's own look (a window of its own, which may be shown without the app's theme).
DEMO_PHONE_QSS = QSS.with_name("demo_phone.qss")


def tokens() -> dict[str, str]:
    """Every ``$name`` the theme may use, as the text that replaces it."""
    values: dict[str, str] = dict(PALETTE)
    values.update({f"size_{name}": f"{px}px" for name, px in TYPE_SCALE.items()})
    values.update({f"space_{name}": f"{px}px" for name, px in SPACE.items()})
    values.update(
        touch=f"{TOUCH_MIN}px",
        button=f"{BUTTON_HEIGHT}px",
        primary=f"{PRIMARY_HEIGHT}px",
        regular=str(WEIGHT_REGULAR),
        bold=str(WEIGHT_BOLD),
    )
    return values


@cache
def stylesheet(qss: Path = QSS) -> str:
    """``qss`` (the app's theme unless told) with its tokens filled in."""
    # substitute (not safe_substitute): a misspelt token fails loudly, here and in the tests.
    return string.Template(qss.read_text(encoding="utf-8")).substitute(tokens())


def drop_down_arrow() -> str:
    """The one rule that needs a drawn image: a drop-down list's arrow, from the icon set (a
    style that restyles the drop-down button no longer draws the platform's arrow)."""
    size = TYPE_SCALE["heading"]
    arrow = icons.icon_file(icons.Icon.EXPAND, size, "ink").as_posix()
    return f"QComboBox::down-arrow {{ image: url({arrow}); width: {size}px; height: {size}px; }}"


def apply(app: QApplication) -> None:
    """Give ``app`` the counter's font and theme."""
    fonts.load_bundled()
    fonts.check_installed()
    app.setFont(fonts.app_font())
    app.setStyleSheet(stylesheet() + "\n" + drop_down_arrow())
