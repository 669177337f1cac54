"""Membership levels: the backend keeps a code ("gold"), staff read a name in their language.

The one place a level code becomes words. A code nobody translated yet (a store's own level)
is shown as given, capitalised, rather than hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _names() -> dict[str, str]:
    # Built on each call: the words follow the language switched to since. The context is
    # written out in each call: Qt's lupdate reads only literal strings.
    return {
        "regular": QCoreApplication.translate("Levels", "Regular"),
        "silver": QCoreApplication.translate("Levels", "Silver"),
        "gold": QCoreApplication.translate("Levels", "Gold"),
        "platinum": QCoreApplication.translate("Levels", "Platinum"),
        "diamond": QCoreApplication.translate("Levels", "Diamond"),
        "vip": QCoreApplication.translate("Levels", "VIP"),
    }


def level_name(code: str) -> str:
    """ "金卡" for "gold" (or "Gold") in Chinese; an unknown code as given, capitalised."""
    known = _names().get(code.strip().lower())
    if known is not None:
        return known
    given = code.strip()
    return given[:1].upper() + given[1:]
