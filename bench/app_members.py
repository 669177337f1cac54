"""The member bench's app process: ``python -m bench.app_members < config.json``.

One process holding the app's Members screen (``omo_desktop.screens.members.MembersScreen``
with the counter's theme, offscreen, 1280×800) and its ``OmoClient``, logged in as a manager
against the bench's server (another process), so its memory is the screen's own. The driver
scrolls the member table to the bottom again each time a page has arrived (the table pages
through the API's cursor as a person's scrolling would make it), until row ``rows`` is there,
then shows that row.

A ``QTimer`` every 5 ms (``Qt.PreciseTimer``) on the UI thread measures its stalls: each tick's
lateness (gap − 5 ms) is time the event loop could not run. The driver only waits in
``processEvents(WaitForMoreEvents)``, so its own Python does not hold the UI thread.

Reads one JSON object on stdin (``base_url``, ``enrollment_code``, ``staff_code``, ``pin``,
``rows``), writes progress on stderr and one JSON object of raw figures on stdout.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from backend_client.client import OmoClient
from bench.report import own_memory
from omo_desktop import heap
from omo_desktop.design import theme
from omo_desktop.screens.members.screen import MembersScreen

TICK_MS = 5
PAGE_TIMEOUT_S = 60.0


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')}   app: {message}", file=sys.stderr, flush=True)


class Collections:
    """How long each of Python's garbage collections took, by generation: a full one walks
    every object the rows are made of, with the GIL held, so it shows as a UI stall."""

    def __init__(self) -> None:
        self.ms: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.ms[info["generation"]].append((time.perf_counter() - self._began) * 1000)


class Heartbeat:
    """Lateness of a 5 ms precise timer on the UI thread, per phase."""

    def __init__(self) -> None:
        self.phase = "idle"
        self.late: dict[str, list[float]] = {}
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.setdefault(self.phase, []).append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def enter(self, phase: str) -> None:
        """A new phase starts only after a tick, so no gap is credited to the wrong one."""
        self._wait_tick()
        self.phase = phase

    def _wait_tick(self) -> None:
        seen = sum(len(v) for v in self.late.values())
        while sum(len(v) for v in self.late.values()) == seen:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def main() -> int:
    config = json.load(sys.stdin)
    app = QApplication(["omo-bench-members"])
    theme.apply(app)
    started_memory = own_memory()
    client = OmoClient(config["base_url"])
    client.enroll(config["enrollment_code"], "Bench members app")
    client.login(config["staff_code"], config["pin"])
    beat = Heartbeat()
    collections = Collections()
    beat.start()
    screen = MembersScreen(client)
    screen.resize(1280, 800)
    heap.set_start_aside()  # as the app does once its window is built
    model = screen.controller.members
    table = screen.table
    target = int(config["rows"])

    beat.enter("first page")
    shown = time.perf_counter()
    screen.show()
    wait_until(lambda: model.rowCount() > 0, PAGE_TIMEOUT_S, "the first page")
    first_page_s = time.perf_counter() - shown
    progress(f"first page after {first_page_s * 1000:.0f} ms; scrolling to row {target:,}")

    beat.enter("scrolling")
    scroll_started = time.perf_counter()
    bar = table.verticalScrollBar()
    last_report = last_row = scroll_started
    rows = model.rowCount()
    while model.rowCount() < target:
        if not model.loading:
            if not model.canFetchMore():
                break  # the end of the list, or a page failed
            # At the bottom the view asks the model for more (QAbstractItemView), once the
            # rows that arrived have made the scroll bar longer (a layout pass later).
            bar.setValue(bar.maximum())
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        now = time.perf_counter()
        if model.rowCount() != rows:
            rows, last_row = model.rowCount(), now
        elif now - last_row > PAGE_TIMEOUT_S:
            raise TimeoutError(f"no page after row {rows:,} in {PAGE_TIMEOUT_S:g} s")
        if now - last_report > 10:
            last_report = now
            progress(f"{rows:,} rows, {own_memory()['rss_mb']:.0f} MB")
    reached = min(model.rowCount(), target)
    table.scrollTo(model.index(reached - 1, 0))
    beat.enter("settled")
    scroll_s = time.perf_counter() - scroll_started
    progress(f"row {reached:,} shown after {scroll_s:.1f} s")
    for _ in range(20):
        beat.enter("settled")
    json.dump(
        {
            "rows": reached,
            "loaded_rows": model.rowCount(),
            "first_page_ms": first_page_s * 1000,
            "scroll_seconds": scroll_s,
            "late_ms": beat.late,
            "memory_start": started_memory,
            "memory_end": own_memory(),
            "gc_ms": collections.ms,
        },
        sys.stdout,
    )
    sys.stdout.flush()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
