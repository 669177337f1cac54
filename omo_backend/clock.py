"""The server's clock: UTC wall time, which tests move forward instead of sleeping.

Every rule with a time window (rate limits, idempotency keys, link expiry) reads the time here,
and so do the rows' timestamps (``models.utcnow``), so moving the clock moves the whole server
consistently: a test waits a rate-limit window out in no time at all.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Real UTC time plus an offset that only ever grows (a test moves it forward).

    A test may also stop it (``freeze``), so that a boundary (the very microsecond a window
    ends) can be reached exactly; it then moves only when the test moves it.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return base + self._offset

    def freeze(self) -> datetime:
        """Stop the clock at the current time; returns that time."""
        with self._lock:
            self._frozen_at = datetime.now(UTC) + self._offset
            self._offset = timedelta(0)
            return self._frozen_at

    def advance(self, by: timedelta) -> None:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += by

    def reset(self) -> None:
        """Back to real time (after a test)."""
        with self._lock:
            self._offset = timedelta(0)
            self._frozen_at = None


clock = Clock()
