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
from pathlib import Path
from typing import Final

from PySide6.QtGui import QFont, QFontDatabase

from omo_desktop.design.tokens import TYPE_SCALE

log = logging.getLogger(__name__)

# The Linux bundle's copies of Noto Sans and Noto Sans CJK TC (build_spec/text_fonts.py).
BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "fonts"
# Which family each bundled file holds, by the start of its name.
_BUNDLED_FAMILIES = {"NotoSansCJKtc-": "Noto Sans CJK TC", "NotoSans-": "Noto Sans"}

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


def load_bundled(folder: Path = BUNDLED) -> list[str]:
    """Give Qt the bundle's fonts of the families this computer has not (a kiosk may have no
    Chinese font at all); returns the families loaded. Outside the bundle there are none."""
    if not folder.is_dir():
        return []
    present = set(QFontDatabase.families())
    loaded: list[str] = []
    for path in sorted(folder.iterdir()):
        name = next((f for p, f in _BUNDLED_FAMILIES.items() if path.name.startswith(p)), None)
        if name is None or name in present:
            continue
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            log.warning("the bundle's font %s would not load", path.name)
        elif name not in loaded:
            loaded.append(name)
    if loaded:
        log.info("the bundle's fonts in use: %s", ", ".join(loaded))
    return loaded


def check_installed() -> None:
    """Say so once when none of the families is here: Chinese then comes out of whatever
    font Qt finds, in one weight, or as boxes."""
    if not family():
        log.warning(
            "none of the app's fonts is installed (%s): Chinese may show in one weight or "
            "as boxes; on Debian/Ubuntu install fonts-noto-cjk and fonts-noto-core",
            ", ".join(FAMILIES),
        )
