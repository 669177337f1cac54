"""The PyInstaller bundle: ``scripts/bench bundle [--runs N] [--dist DIR]`` (``bench.bundle``).

Prints the size of ``dist/omo-desktop/`` and its cold start: from the moment before the frozen
executable is started with ``--demo`` (offscreen, a fresh data folder each run) to the app's
"demo log-in ready" line (the embedded backend serves and the Log in button is enabled).
Build it first with ``./scripts/build``. Asserts nothing.

``BundleRun`` is also what the bundle's test (tests/bundle/) and the Windows workflow's smoke
start use: start, wait for the log-in, close, and know which processes it started.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.report import Figure, format_table

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "omo-desktop"
SIZE_TARGET_MB = 150.0
COLD_START_TARGET_S = 1.5
READY_LINE = "demo log-in ready"  # omo_desktop.app.DEMO_LOG_IN_READY
BACKEND_LINE = re.compile(r"embedded backend at (http://\S+)")
READY_TIMEOUT_S = 60.0
CLOSE_TIMEOUT_S = 20.0


def executable(dist: Path) -> Path:
    return dist / ("omo-desktop.exe" if sys.platform == "win32" else "omo-desktop")


def folder_size(dist: Path) -> int:
    """Bytes on disk as shipped: PyInstaller's symbolic links to libraries count once."""
    return sum(
        path.lstat().st_size for path in dist.rglob("*") if path.is_file() and not path.is_symlink()
    )


class BundleRun:
    """The frozen app started with ``--demo`` offscreen; its log kept for the reader."""

    def __init__(self, dist: Path, data_dir: Path, *, env: dict[str, str] | None = None) -> None:
        self.log: list[str] = []
        self.backend_url: str | None = None
        self._ready = threading.Event()
        environment = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8",
            "OMO_DATA_DIR": str(data_dir),
            **(env or {}),
        }
        self.began = time.perf_counter()
        self.process = subprocess.Popen(
            [str(executable(dist)), "--demo", "--locale", "en"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip("\n"))
            found = BACKEND_LINE.search(line)
            if found:
                self.backend_url = found.group(1)
            if READY_LINE in line:
                self._ready.set()
        self._ready.set()  # ended: wait_ready() says whether it got there

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> float:
        """Seconds from start to a usable log-in; raises with the app's log if it never gets
        there."""
        self._ready.wait(timeout)
        if not any(READY_LINE in line for line in self.log):
            self.close()
            raise RuntimeError("the bundle did not reach its log-in:\n" + "\n".join(self.log))
        return time.perf_counter() - self.began

    def children(self) -> list[int]:
        """Process ids whose parent is the app (Linux: read off /proc)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def close(self) -> int:
        """Closes the app as Ctrl+C does (Windows: ends it; its backend follows its stdin)."""
        if self.process.poll() is None:
            if sys.platform == "win32":
                self.process.terminate()
            else:
                self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(CLOSE_TIMEOUT_S)
        return code


def cold_starts(dist: Path, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="omo-bundle-") as data:
            run = BundleRun(dist, Path(data))
            try:
                seconds.append(run.wait_ready())
            finally:
                run.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench bundle", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="cold starts (default 5)")
    parser.add_argument("--dist", type=Path, default=DIST, help="the bundle's folder")
    args = parser.parse_args(argv)
    if not executable(args.dist).exists():
        print(f"no bundle at {args.dist}: run ./scripts/build first", file=sys.stderr)
        return 1
    size_mb = folder_size(args.dist) / 1e6
    starts = sorted(cold_starts(args.dist, args.runs))
    # The first start also pays for reading the bundle's files from disk into the page cache.
    median = statistics.median(starts)
    figures = [
        Figure(
            "bundle",
            "size on disk",
            size_mb,
            "MB",
            f"≤ {SIZE_TARGET_MB:g} MB",
            size_mb <= SIZE_TARGET_MB,
        ),
        Figure(
            "cold start to a usable log-in (--demo, offscreen, fresh data folder)",
            "median",
            median,
            "s",
            f"≤ {COLD_START_TARGET_S:g} s",
            median <= COLD_START_TARGET_S,
            f"{len(starts)} runs: " + ", ".join(f"{s:.2f}" for s in starts),
        ),
    ]
    print(format_table(f"omo-desktop bundle ({args.dist})", figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
