"""Countdowns: to a moment (a QR code's expiry) as m:ss, and a few whole seconds (Done)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget


def utc_now() -> datetime:
    return datetime.now(UTC)


class Countdown(QLabel):
    """Shows the time left until ``deadline``; emits ``expired`` once when it reaches 0:00."""

    expired = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("countdown")
        self._clock = clock
        self._deadline: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def start(self, deadline: datetime) -> None:
        """Count down to ``deadline`` (aware, any zone); a deadline already past expires now."""
        if deadline == self._deadline:
            return  # already counting (or already at zero): a re-render changes nothing
        self._deadline = deadline
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        self._timer.stop()
        self._deadline = None

    def seconds_left(self) -> int:
        if self._deadline is None:
            return 0
        left = (self._deadline - self._clock()).total_seconds()
        return max(0, math.ceil(left))

    def is_running(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        left = self.seconds_left()
        minutes, seconds = divmod(left, 60)
        self.setText(f"{minutes}:{seconds:02d}")
        if left == 0:
            self._timer.stop()
            self.expired.emit()


class SecondsLeft(QObject):
    """Counts whole seconds down from ``start(n)``, one per tick of its QTimer, to ``finished``.

    It counts ticks, not the wall clock: a test drives it with ``tick()`` (or the timer's
    ``timeout``) and never waits, and a redraw between two ticks always reads the same number.
    """

    changed = Signal(int)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._left = 0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)

    def start(self, seconds: int) -> None:
        self._left = max(0, seconds)
        self.changed.emit(self._left)
        if self._left == 0:
            self.finished.emit()
            return
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def left(self) -> int:
        return self._left

    def is_running(self) -> bool:
        return self.timer.isActive()

    def tick(self) -> None:
        if not self.timer.isActive():
            return  # stopped (the screen was left): a late tick changes nothing
        self._left -= 1
        self.changed.emit(self._left)
        if self._left <= 0:
            self.timer.stop()
            self.finished.emit()
