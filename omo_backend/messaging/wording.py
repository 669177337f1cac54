"""How long a link is valid, in the fewest characters an SMS can spend on it.

Whole hours read as hours, anything else as whole minutes (rounded down: a text never
promises more time than the link has), under a minute as seconds.
"""

from __future__ import annotations

_UNITS = {
    "zh_TW": {"h": "{n}小時", "min": "{n}分鐘", "s": "{n}秒"},
    "en": {"h": "{n} h", "min": "{n} min", "s": "{n} s"},
}


def validity(seconds: int, language: str) -> str:
    units = _UNITS.get(language, _UNITS["en"])
    if seconds >= 3600 and seconds % 3600 == 0:
        return units["h"].format(n=seconds // 3600)
    if seconds >= 60:
        return units["min"].format(n=seconds // 60)
    return units["s"].format(n=max(seconds, 0))
