"""The icon set's font for the bundle, with only the icons the app draws (20 KB, not 1.3 MB).

The app's icons are the members of ``omo_desktop.design.icons.Icon`` (Material Design Icons,
drawn by qtawesome from its font and a JSON charmap of name to code point). The bundle's copy
of the font keeps those glyphs, and its charmap those names, under qtawesome's file names.
"""

from __future__ import annotations

import json
from pathlib import Path


def used_icons() -> dict[str, int]:
    """Each icon the app uses (name without the set's prefix) and its code point."""
    from omo_desktop.design import icons

    charmap = json.loads(next(icons._FONTS.glob(icons._CHARMAP_FILE)).read_text("utf-8"))
    names = {member.value.split(".", 1)[1] for member in icons.Icon}
    return {name: int(charmap[name], 16) for name in sorted(names)}


def cut(ttf: Path, charmap: Path, out: Path) -> tuple[Path, Path]:
    """``ttf`` and ``charmap`` cut to the used icons, as files of the same names in ``out``."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    used = used_icons()
    out.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(ttf))
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=list(used.values()))
    subsetter.subset(font)
    font_out, charmap_out = out / ttf.name, out / charmap.name
    font.save(str(font_out))
    charmap_out.write_text(
        json.dumps({name: f"{code:x}" for name, code in used.items()}), encoding="utf-8"
    )
    return font_out, charmap_out
