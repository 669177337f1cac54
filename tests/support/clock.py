"""The server's clock, stopped for a test and moved by it: windows pass in no time at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from omo_backend.clock import clock


class StoppedClock:
    def __init__(self, at: datetime) -> None:
        self.start = at

    def advance(self, **delta: float) -> None:
        clock.advance(timedelta(**delta))

    def now(self) -> datetime:
        return clock.now()


@pytest.fixture
def stopped_clock() -> Iterator[StoppedClock]:
    """Stops the clock of every backend in this process; real time again afterwards."""
    at = clock.freeze()
    try:
        yield StoppedClock(at)
    finally:
        clock.reset()
