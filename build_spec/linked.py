"""Which of the bundle's shared libraries something in it still links to (Linux).

PyInstaller copies the system libraries every collected binary links to, including those of
binaries the spec then leaves out (GTK's platform theme brings GTK, Pango, Cairo, printing
and Kerberos with it). ``unlinked`` finds the system libraries (those at the top of the
bundle) that no remaining binary needs, following ``DT_NEEDED`` from the roots: Python's
extension modules, Qt's libraries and plugins, and libpython.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")


def can_check() -> bool:
    return sys.platform == "linux" and shutil.which("readelf") is not None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"the build needs {name}")
    return found


def _needed(path: str) -> list[str]:
    shown = subprocess.run(  # noqa: S603 (a build tool on a file we made)
        [_tool("readelf"), "-d", "-W", path],
        check=False,
        capture_output=True,
        text=True,
    ).stdout
    return _NEEDED.findall(shown)


def unlinked(binaries: list[tuple[str, str, str]]) -> set[str]:
    """The destinations of top-level libraries in ``binaries`` that nothing else links."""
    by_name = {Path(dest).name: source for dest, source, _ in binaries}
    candidates = {dest for dest, _, _ in binaries if "/" not in dest.replace("\\", "/")}
    roots = [
        Path(dest).name
        for dest, _, kind in binaries
        if dest not in candidates or kind == "EXTENSION" or dest.startswith("libpython")
    ]
    reached: set[str] = set()
    waiting = list(roots)
    while waiting:
        name = waiting.pop()
        if name in reached:
            continue
        reached.add(name)
        if name in by_name:
            waiting += _needed(by_name[name])
    return {dest for dest in candidates if Path(dest).name not in reached}
