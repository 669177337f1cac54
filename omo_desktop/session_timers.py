"""The counter's clocks: staff idle, end of the staff session, and the shorter customer idle.

Any touch, click or key anywhere in the app counts as activity; so does a customer's step
arriving from the backend (the shell calls ``touched`` on each state change), because a
customer filling in the form on their phone is not idle even if nobody touches the counter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QApplication

CUSTOMER_IDLE_SECONDS = 60

_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


def _single_shot(parent: QObject, signal: SignalInstance) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.timeout.connect(signal)
    return timer


class SessionTimers(QObject):
    staff_idle = Signal()
    session_expired = Signal()
    customer_idle = Signal()

    def __init__(
        self, parent: QObject | None = None, *, customer_idle_seconds: int = CUSTOMER_IDLE_SECONDS
    ) -> None:
        super().__init__(parent)
        self._customer_idle_ms = customer_idle_seconds * 1000
        self._staff = _single_shot(self, self.staff_idle)
        self._expiry = _single_shot(self, self.session_expired)
        self._customer = _single_shot(self, self.customer_idle)
        self.running = False

    def start(self, *, idle_timeout_seconds: int, expires_at: datetime) -> None:
        self._staff.setInterval(max(1, idle_timeout_seconds) * 1000)
        left = (expires_at - datetime.now(UTC)).total_seconds()
        # QTimer takes a 32-bit int of ms: a shift is hours, well inside it.
        self._expiry.start(int(max(0.0, min(left, 86400.0)) * 1000))
        self.running = True
        self.touched()

    def stop(self) -> None:
        self.running = False
        for timer in (self._staff, self._expiry, self._customer):
            timer.stop()

    def touched(self) -> None:
        if self.running:
            self._staff.start()
            self._customer.start(self._customer_idle_ms)


class ActivityFilter(QObject):
    """Installed on the application: sees every input event, never consumes one."""

    def __init__(self, timers: SessionTimers) -> None:
        super().__init__(timers)
        self._timers = timers
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._timers.touched()
        return False
