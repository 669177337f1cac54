"""The wait before a refused action may be tried again (the server's Retry-After), once a second.

A screen shows the seconds left on the disabled button ("Sign up (0:42)") and tells the flow
when the wait is over; the flow then offers the action again. The clock can be replaced, so
tests move time themselves instead of waiting.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QPushButton

from omo_desktop.messages import wait_left


def utc_now() -> datetime:
    return datetime.now(UTC)


class RetryWait(QObject):
    """Counts down to ``retry_at``: ``ticked`` each second, ``over`` once when it is reached."""

    ticked = Signal()
    over = Signal()

    def __init__(
        self, parent: QObject | None = None, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self._until: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    def follow(self, until: datetime | None) -> None:
        """Count down to ``until`` (None: no wait); the same moment again changes nothing."""
        if until == self._until:
            return
        self._until = until
        if until is None:
            self._timer.stop()
            return
        self._timer.start()
        self.tick()

    def waiting(self) -> bool:
        return self._until is not None

    def seconds_left(self, until: datetime | None = None) -> int:
        """Whole seconds from now to ``until`` (default: the moment followed), never below 0."""
        moment = until if until is not None else self._until
        if moment is None:
            return 0
        return max(0, math.ceil((moment - self.clock()).total_seconds()))

    def is_running(self) -> bool:
        return self._timer.isActive()

    def label(
        self,
        action: QPushButton,
        *,
        until: datetime | None,
        busy: str | None,
        counting: str,
        ready: str,
    ) -> None:
        """Draw a refusable action: ``busy`` (its words) while under way, ``counting`` ("%1" is
        the time left) and disabled until ``until``, else ``ready`` and tappable."""
        action.setEnabled(busy is None and until is None)
        if busy is not None:
            action.setText(busy)
        elif until is not None:
            action.setText(counting.replace("%1", wait_left(self.seconds_left(until))))
        else:
            action.setText(ready)

    def tick(self) -> None:
        """One second passed (the timer's call; tests call it after moving the clock)."""
        if self._until is None:
            return
        self.ticked.emit()
        if self.seconds_left() == 0 and self._timer.isActive():
            self._timer.stop()
            self.over.emit()
