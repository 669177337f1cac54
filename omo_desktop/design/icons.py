"""The one icon set: Material Design Icons (``mdi6``), drawn by qtawesome from its font.

A status mark is a vector icon of one maintained set, never a text glyph (✓ ● ○ ! –), whose
look would depend on which font the machine happens to have.
"""

from __future__ import annotations

import enum
import os
import tempfile
from pathlib import Path

# qtawesome reaches Qt through qtpy: make it pick the binding the app uses.
os.environ.setdefault("QT_API", "pyside6")

import qtawesome
from PySide6.QtCore import QSize
from PySide6.QtGui import QFontDatabase, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractButton

from omo_desktop.design.tokens import PALETTE, TYPE_SCALE


class Icon(enum.StrEnum):
    DONE = "mdi6.check-circle"
    CURRENT = "mdi6.record-circle-outline"
    TODO = "mdi6.circle-outline"
    PROBLEM = "mdi6.alert-circle"
    SKIPPED = "mdi6.minus-circle-outline"
    SUCCESS = "mdi6.check-circle"
    ERROR = "mdi6.alert-circle-outline"
    INFO = "mdi6.information-outline"
    CLEAR = "mdi6.close-circle"
    CHEVRON = "mdi6.chevron-right"
    EXPAND = "mdi6.chevron-down"
    BACK = "mdi6.arrow-left"
    SMS = "mdi6.message-text-outline"
    SENDING = "mdi6.message-processing-outline"
    SMS_FAILED = "mdi6.message-alert-outline"
    OFFLINE = "mdi6.cloud-off-outline"
    QR = "mdi6.qrcode-scan"
    PHONE = "mdi6.cellphone"
    EMAIL = "mdi6.email-outline"
    PERSON = "mdi6.account-outline"
    LINK = "mdi6.link-variant"
    LOCK = "mdi6.lock-outline"
    KEYBOARD = "mdi6.keyboard-outline"
    HIDE_KEYBOARD = "mdi6.keyboard-close-outline"
    SHIFT = "mdi6.apple-keyboard-shift"
    BACKSPACE = "mdi6.backspace-outline"
    SEARCH = "mdi6.magnify"
    CLOCK = "mdi6.clock-outline"
    STORE = "mdi6.storefront-outline"
    NO_MATCH = "mdi6.account-search-outline"
    LANGUAGE = "mdi6.translate"
    LOG_OUT = "mdi6.logout"
    KEY = "mdi6.key-variant"
    COPY = "mdi6.content-copy"
    BLOCK = "mdi6.cancel"
    COUNTER = "mdi6.point-of-sale"
    MEMBERS = "mdi6.account-group-outline"
    REPORTS = "mdi6.chart-donut"
    CALENDAR = "mdi6.calendar-range"
    REFRESH = "mdi6.refresh"


SET = "mdi6"
# qtawesome's font files (with their version in the name: found, not spelled out).
_FONTS = Path(qtawesome.__file__).resolve().parent / "fonts"
_FONT_FILE = "materialdesignicons6-webfont-*.ttf"
_CHARMAP_FILE = "materialdesignicons6-webfont-charmap-*.json"
_loaded: list[qtawesome.IconicFont] = []


def _font() -> qtawesome.IconicFont:
    """The one set's font, loaded once: qtawesome's own ``icon()`` would check and load all of
    its twelve fonts (10 MB) at the first icon, and the bundle would have to carry them."""
    if _loaded and QFontDatabase.applicationFontFamilies(_loaded[0].fontids[SET]):
        return _loaded[0]
    (ttf,) = _FONTS.glob(_FONT_FILE)
    (charmap,) = _FONTS.glob(_CHARMAP_FILE)
    _loaded[:] = [qtawesome.IconicFont((SET, ttf.name, charmap.name, str(_FONTS)))]
    return _loaded[0]


def icon(name: Icon, colour: str = "ink") -> QIcon:
    """``name`` in a palette colour (a token name such as "brand", or ``#rrggbb``)."""
    drawn: QIcon = _font().icon(name.value, color=PALETTE.get(colour, colour))
    return drawn


def pixmap(name: Icon, size: int, colour: str = "ink") -> QPixmap:
    return icon(name, colour).pixmap(QSize(size, size))


def icon_file(name: Icon, size: int, colour: str = "ink") -> Path:
    """``name`` drawn into a PNG file (twice ``size``, for high-density screens), for the
    theme's ``url()``: a style sheet takes images from files only. Drawn again each start,
    into the user's temporary folder."""
    folder = Path(tempfile.gettempdir()) / "omo-counter-icons"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name.name.lower()}-{colour.lstrip('#')}-{size}.png"
    pixmap(name, 2 * size, colour).save(str(path), "PNG")
    return path


def put_icon(button: QAbstractButton, name: Icon, colour: str = "ink") -> None:
    """``name`` on ``button`` at the size of the heading text it sits beside."""
    button.setIcon(icon(name, colour))
    button.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
