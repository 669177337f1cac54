"""Cold start, seen from inside a fresh app process: ``python -m bench.app_probe demo|device``.

``demo`` builds the app as ``omo-desktop --demo`` does (the embedded backend starts on a
worker); ``device`` builds it as ``omo-desktop`` on an enrolled device, whose credentials come
from ``OMO_BENCH_DEVICE`` (JSON) through a keyring of the bench's own. The data folder is
``OMO_DATA_DIR``, as for the app. Run with ``QT_QPA_PLATFORM=offscreen``.

Prints one JSON line of ``time.monotonic()`` marks (CLOCK_MONOTONIC on Linux, so the parent
subtracts the moment before it started this process), then quits:

    python      this module runs (the interpreter is up)
    imported    ``omo_desktop.app`` imported
    built       ``build()`` returned (window shown, not yet painted)
    painted     the first paint of the window
    backend     the shell has its device and client (demo: the embedded backend answered)
    usable      the Log in button is painted enabled, on the log-in page, with a client
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import json  # noqa: E402  (the clock above is read first)
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

DEVICE_ENV = "OMO_BENCH_DEVICE"
TIMEOUT_MS = 30_000


def _install_device_keyring() -> None:
    """The OS keyring holding this device's credentials, without touching the real one.

    The system's keyring is still looked up first, as the app's first ``load()`` does, so its
    cost stays in the figure; only the read is answered from memory.
    """
    import keyring
    from keyring.backend import KeyringBackend

    raw = os.environ[DEVICE_ENV]

    class OneDevice(KeyringBackend):
        priority = 1

        def get_password(self, service: str, username: str) -> str | None:
            return raw

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    keyring.get_keyring()
    keyring.set_keyring(OneDevice())  # type: ignore[no-untyped-call]


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "demo"
    marks: dict[str, float] = {"python": STARTED}
    if mode == "device":
        _install_device_keyring()

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from omo_desktop.app import build, parse_args

    marks["imported"] = time.monotonic()
    # The application object is made here rather than in build() only so that the watcher
    # below sees the first paint; build() uses the one that exists.
    qt = QApplication(sys.argv[:1])
    shell_holder: list[Any] = []

    class Watcher(QObject):
        """Marks the first paint, and the first paint of an enabled Log in button."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() != QEvent.Type.Paint:
                return False
            now = time.monotonic()
            marks.setdefault("painted", now)
            if shell_holder and "usable" not in marks:
                shell = shell_holder[0]
                button = shell.login.log_in
                if (
                    button.isEnabled()
                    and watched is button
                    and shell.client is not None
                    and shell.page() == "login"
                ):
                    marks["usable"] = now
                    QTimer.singleShot(0, qt.quit)
            return False

    watcher = Watcher()
    qt.installEventFilter(watcher)
    app = build(parse_args(["--demo"] if mode == "demo" else []))
    marks["built"] = time.monotonic()
    shell = app.shell
    shell_holder.append(shell)
    if shell.client is not None:
        marks["backend"] = marks["built"]
    else:
        shell.page_changed.connect(
            lambda _page: (
                marks.setdefault("backend", time.monotonic()) if shell.client is not None else None
            )
        )
    QTimer.singleShot(TIMEOUT_MS, qt.quit)
    qt.exec()
    qt.removeEventFilter(watcher)
    error = "" if "usable" in marks else f"not usable within {TIMEOUT_MS} ms (page {shell.page()})"
    print(json.dumps({"mode": mode, "marks": marks, "error": error}), flush=True)
    app.close()  # stops the embedded backend, so the next run finds its database closed
    sys.stdout.flush()
    # As the app's main() does: a long-poll may still hold a worker.
    os._exit(0 if not error else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
