"""The text fonts for the Linux bundle: Noto Sans, and Noto Sans CJK TC cut to Big5's characters.

A Linux kiosk may have no Chinese font at all (Windows has Microsoft JhengHei UI, which the app
asks for first). The bundle carries the app's families (omo_desktop/design/fonts.py) in both
weights. Noto Sans goes in whole (0.5 MB a weight). Noto Sans CJK comes as one collection of
every CJK region's face (20 MB a weight): the bundle takes its Traditional Chinese face and
keeps Big5's characters (the 13,000 hanzi of Taiwan's standard set, enough for customers'
names) with Latin, punctuation and full-width forms, 7 MB a weight. Made with fontTools from
the fonts set-up installs (fonts-noto-core, fonts-noto-cjk), once: the cut is kept in the
build folder, keyed by its source.

``python build_spec/text_fonts.py OUT`` does it by hand; the spec calls ``bundle_fonts``.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
WEIGHTS = ("Regular", "Bold")
CJK_FACE = "Noto Sans CJK TC"
# Latin with its extensions, general punctuation, CJK symbols and punctuation, full-width forms.
_RANGES = ((0x20, 0x250), (0x2000, 0x2070), (0x20A0, 0x20C0), (0x3000, 0x3100), (0xFF00, 0xFFF0))


def big5_characters() -> set[str]:
    """Every character Big5 encodes (its lead bytes 0xA1-0xF9) and the ranges above."""
    found = {chr(code) for start, end in _RANGES for code in range(start, end)}
    for lead in range(0xA1, 0xFA):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                found.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return found


def _cut_cjk(source: Path, out: Path) -> None:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

    collection = TTCollection(str(source))
    face = next(f for f in collection.fonts if f["name"].getDebugName(1) == CJK_FACE)
    options = subset.Options()
    options.layout_features = ["*"]  # vertical forms, full-width punctuation, kerning
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # the app asks for no hinting (design/fonts.py)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in big5_characters()])
    subsetter.subset(face)
    partial = out.with_suffix(".part")
    face.save(str(partial))
    partial.replace(out)


def bundle_fonts(cache: Path) -> list[Path]:
    """The font files for the bundle, made (or found made) in ``cache``; [] when the machine
    has not the sources (then the app uses the system's fonts, as outside the bundle)."""
    cache.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for weight in WEIGHTS:
        latin = NOTO / f"NotoSans-{weight}.ttf"
        cjk = NOTO_CJK / f"NotoSansCJK-{weight}.ttc"
        if not (latin.is_file() and cjk.is_file()):
            return []
        copy = cache / latin.name
        shutil.copyfile(latin, copy)
        key = hashlib.sha256(cjk.read_bytes()).hexdigest()[:12]
        cut = cache / f"NotoSansCJKtc-{weight}-big5-{key}.otf"
        if not cut.is_file():
            print(f"build: cutting {CJK_FACE} {weight} to Big5 (once; kept in {cache})")
            _cut_cjk(cjk, cut)
        made += [copy, cut]
    return made


if __name__ == "__main__":
    for path in bundle_fonts(Path(sys.argv[1])):
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
