"""The app's typeface: families with real regular and bold weights in both scripts.

Microsoft JhengHei UI (Windows) draws Latin and Chinese alike. On Linux, set-up installs
Noto Sans CJK TC (Debian's ``fonts-noto-cjk``) for Chinese and its Latin sibling Noto Sans
(``fonts-noto-core``) ahead of it: the CJK font draws · and • full-width ("9・・・・・678"),
Noto Sans draws them as Latin text expects, and both have a bold, so a bold line is bold in
both scripts (WenQuanYi, used before, had no bold: Latin came out bold, Chinese regular).
Qt takes each character from the first family that has it.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtGui import QFont, QFontDatabase

from omo_desktop.design.tokens import TYPE_SCALE

log = logging.getLogger(__name__)

FAMILIES: Final[list[str]] = [
    "Microsoft JhengHei UI",
    "Noto Sans",
    "Noto Sans CJK TC",
    "PingFang TC",
    "Noto Sans TC",
    "Source Han Sans TC",
]


def family() -> str:
    """The CJK family in use: the first of ``FAMILIES`` with Chinese this computer has ("" when
    none: Qt picks a fallback)."""
    present = set(QFontDatabase.families())
    chinese = [name for name in FAMILIES if name != "Noto Sans"]
    return next((name for name in chinese if name in present), "")


def app_font() -> QFont:
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPixelSize(TYPE_SCALE["body"])
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def check_installed() -> None:
    """Say so once when none of the families is here: Chinese then comes out of whatever
    font Qt finds, in one weight, or as boxes."""
    if not family():
        log.warning(
            "none of the app's fonts is installed (%s): Chinese may show in one weight or "
            "as boxes; on Debian/Ubuntu install fonts-noto-cjk and fonts-noto-core",
            ", ".join(FAMILIES),
        )
