"""ICU's data for the Linux bundle, with only what this app can reach: 7 MB instead of 31.

Qt's Linux wheels link ICU, whose ``libicudata.so.NN`` is one symbol, ``icudtNN_dat``: a
"common data" package of ~3,900 items (collation, locale names, currencies, units, time-zone
names and character-set converters, for every language). The app speaks English and
Traditional Chinese, and Qt asks ICU for collation and case mapping only (its own tables serve
QLocale, text layout and the Unicode encodings). So the bundle's copy keeps every item that
is not tied to a language (properties, normalisation, aliases, supplemental data), and the
language-tied ones of the root locale, English and Chinese; it leaves out the converters of
legacy character sets, the transliterators and the dictionaries of Thai, Lao, Khmer and
Burmese word breaking.

The package format (ICU's ``ucmndata.h``): a header (its size first), then a table of
contents sorted by name (a count, then a name offset and a data offset per item, relative to
the table) and the items, each at a 16-byte boundary. A smaller package is the same header, a
shorter table, and the kept items; ``gcc`` makes it a shared library of the same name and
symbol (an ``.incbin``). ``check`` then opens collators through the real ``libicuuc`` on it.

``python build_spec/icu_data.py LIB OUT`` does it by hand; the spec calls ``trimmed``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

_MAGIC = b"\xda\x27"
_FORMAT = b"CmnD"
_ALIGN = 16
_PAD = b"\xaa"  # what ICU's own packager pads with
# A locale's item: root, or a language with an optional script, region and variants.
_LOCALE = re.compile(r"(root|[a-z]{2,3}(_[A-Za-z0-9]+)*)\.res")
_LANGUAGES = ("root", "en", "zh", "yue")
# Converters of legacy character sets, transliterators, and the word-break dictionaries of
# scripts the app never shows (Chinese's, cjdict, stays).
_LEFT_OUT_KINDS = (".cnv",)
_LEFT_OUT_FOLDERS = ("translit",)
_LEFT_OUT_DICTIONARIES = ("thaidict", "laodict", "khmerdict", "burmesedict")


class IcuDataError(RuntimeError):
    """The library is not the ICU data this tool knows, or the trimmed copy does not work."""


def keep(name: str) -> bool:
    """Whether an item (``icudt73l/coll/zh.res``) stays in the bundle's package."""
    parts = name.split("/")[1:]
    leaf = parts[-1]
    if leaf.endswith(_LEFT_OUT_KINDS) or parts[0] in _LEFT_OUT_FOLDERS:
        return False
    if leaf.removesuffix(".dict") in _LEFT_OUT_DICTIONARIES:
        return False
    if _LOCALE.fullmatch(leaf) and leaf not in ("pool.res", "res_index.res"):
        language = leaf.removesuffix(".res").split("_")[0]
        return language in _LANGUAGES
    return True


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise IcuDataError(f"the build needs {name}")
    return found


def _symbol(library: Path) -> tuple[str, int, int]:
    """The data symbol's name, file offset and size (from ``nm`` and ``readelf``)."""
    nm = subprocess.run(  # noqa: S603 (a build tool on a file we made)
        [_tool("nm"), "-D", "-S", "--defined-only", str(library)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = [line.split() for line in nm.splitlines() if re.search(r" icudt\d+_dat$", line)]
    if len(found) != 1:
        raise IcuDataError(f"{library.name}: no single icudtNN_dat symbol")
    address, size, _, name = found[0]
    sections = subprocess.run(  # noqa: S603 (a build tool on a file we made)
        [_tool("readelf"), "-S", "-W", str(library)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if match is None:
        raise IcuDataError(f"{library.name}: no .rodata section")
    offset = int(address, 16) - int(match.group(1), 16) + int(match.group(2), 16)
    return name, offset, int(size, 16)


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the items (name, bytes) of a common data package, in the table's order."""
    (header_size,) = struct.unpack_from("<H", blob, 0)
    if blob[2:4] != _MAGIC or blob[12:16] != _FORMAT:
        raise IcuDataError("not an ICU common data package (little-endian)")
    table = blob[header_size:]
    (count,) = struct.unpack_from("<I", table, 0)
    entries = [struct.unpack_from("<II", table, 4 + 8 * i) for i in range(count)]
    ends = [data for _, data in entries[1:]] + [len(table)]
    items = []
    for (name_at, data_at), end in zip(entries, ends, strict=True):
        name = table[name_at : table.index(b"\0", name_at)].decode("ascii")
        items.append((name, table[data_at:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """A package of ``items`` (kept in order: ICU searches the table by name)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    names_at = 4 + 8 * len(items)
    data_at = -(-(names_at + len(names)) // _ALIGN) * _ALIGN
    table = bytearray(struct.pack("<I", len(items)))
    name_offset, data = names_at, bytearray()
    for name, item in items:
        table += struct.pack("<II", name_offset, data_at + len(data))
        name_offset += len(name) + 1
        data += item + _PAD * (-len(item) % _ALIGN)
    table += names + _PAD * (data_at - names_at - len(names))
    return header + bytes(table) + bytes(data)


def _link(package: bytes, symbol: str, soname: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        blob, source = Path(work) / "data.bin", Path(work) / "data.S"
        blob.write_bytes(package)
        source.write_text(
            f".section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n"
            f'{symbol}:\n.incbin "{blob}"\n.size {symbol}, {len(package)}\n'
            '.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        subprocess.run(  # noqa: S603 (a build tool on a file we made)
            [
                _tool("gcc"),
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname}",
                "-o",
                str(out),
                str(source),
            ],
            check=True,
        )


def check(library: Path, icu_folder: Path) -> None:
    """Open collators and case mapping through ``icu_folder``'s libicuuc/libicui18n on
    ``library``, in a process of its own (this one may have loaded the full data)."""
    version = re.search(r"\.so\.(\d+)", library.name)
    if version is None:
        raise IcuDataError(f"{library.name}: no version in the name")
    script = _CHECK.format(
        data=library,
        uc=icu_folder / f"libicuuc.so.{version[1]}",
        i18n=icu_folder / f"libicui18n.so.{version[1]}",
        v=version[1],
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise IcuDataError(f"the trimmed ICU data does not work: {done.stderr.strip()}")


_CHECK = """
import ctypes
ctypes.CDLL("{data}", mode=ctypes.RTLD_GLOBAL)
uc = ctypes.CDLL("{uc}", mode=ctypes.RTLD_GLOBAL)
i18n = ctypes.CDLL("{i18n}")
err = ctypes.c_int(0)
uc.u_init_{v}(ctypes.byref(err))
assert err.value <= 0, ("u_init", err.value)
i18n.ucol_open_{v}.restype = ctypes.c_void_p
for locale in (b"zh_Hant_TW", b"zh_TW", b"en_US", b"root"):
    err = ctypes.c_int(0)
    collator = i18n.ucol_open_{v}(locale, ctypes.byref(err))
    assert collator and err.value <= 0, (locale, err.value)
    i18n.ucol_close_{v}(ctypes.c_void_p(collator))
"""


def trimmed(library: Path, out_dir: Path) -> Path:
    """``library`` (libicudata.so.NN) with only the kept items, as ``out_dir/<same name>``."""
    symbol, offset, size = _symbol(library)
    with library.open("rb") as file:
        file.seek(offset)
        header, items = read_package(file.read(size))
    kept = [(name, data) for name, data in items if keep(name)]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / library.name
    _link(write_package(header, kept), symbol, library.name, out)
    check(out, library.parent)
    return out


def can_trim() -> bool:
    return sys.platform == "linux" and all(shutil.which(t) for t in ("gcc", "nm", "readelf"))


if __name__ == "__main__":
    made = trimmed(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{made}: {made.stat().st_size / 1e6:.1f} MB")
