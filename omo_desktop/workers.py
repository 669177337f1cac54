"""The one way to run a backend call off the UI thread (Anki's ``QueryOp`` idea).

    BackendOp(parent=screen, op=lambda: client.search_customers(phone=p),
              success=screen.show_result).failure(screen.show_error).busy(screen.set_busy).run()

``op`` runs on a worker thread and must not touch widgets. ``success`` and ``failure`` come
back on the UI thread, and not at all once ``parent`` is gone. ``busy(True)`` is called only if
the call takes longer than ~150 ms, so quick answers don't flash a spinner. Nobody starts a raw
``QThread`` in a screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from backend_client.errors import ApiError

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_AFTER_MS = 150
# Long-polls hold a worker for up to ~25 s each: a pool of our own, so they never starve the
# calls a staff member is waiting for (Qt's global pool has one thread per core).
_pool = QThreadPool()
_pool.setMaxThreadCount(8)
# Running ops, so Python keeps their relays alive until they report.
_running: set[BackendOp[object]] = set()


class _Relay(QObject):
    """Lives on the UI thread; its signals carry the worker's outcome there."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, op: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._op = op
        self._relay = relay

    def run(self) -> None:
        try:
            outcome, value = self._relay.succeeded, self._op()
        except ApiError as error:
            outcome, value = self._relay.failed, error
        except Exception as exc:  # a bug, not a backend answer: still reported, never lost
            log.exception("backend operation failed unexpectedly")
            outcome, value = self._relay.failed, ApiError("unexpected", type(exc).__name__)
        try:
            outcome.emit(value)
        except RuntimeError:
            # The app is shutting down (a long-poll outlived it): nobody is left to tell.
            log.debug("backend operation finished after the app closed")


class BackendOp(Generic[T]):
    def __init__(
        self, *, parent: QObject, op: Callable[[], T], success: Callable[[T], None]
    ) -> None:
        self._parent = parent
        self._op = op
        self._success = success
        self._failure: Callable[[ApiError], None] = _log_failure
        self._busy: Callable[[bool], None] | None = None
        self._busy_shown = False
        self._done = False
        self._relay: _Relay | None = None

    def failure(self, handler: Callable[[ApiError], None]) -> BackendOp[T]:
        self._failure = handler
        return self

    def busy(self, show: Callable[[bool], None]) -> BackendOp[T]:
        self._busy = show
        return self

    def run(self) -> None:
        relay = _Relay()
        relay.succeeded.connect(self._on_success)
        relay.failed.connect(self._on_failure)
        self._relay = relay
        _running.add(self)  # type: ignore[arg-type]
        if self._busy is not None:
            QTimer.singleShot(BUSY_AFTER_MS, self._show_busy)
        _pool.start(_Task(self._op, relay))

    def _show_busy(self) -> None:
        if not self._done and self._busy is not None and self._alive():
            self._busy_shown = True
            self._busy(True)

    def _finish(self) -> bool:
        self._done = True
        _running.discard(self)
        if not self._alive():
            return False
        if self._busy_shown and self._busy is not None:
            self._busy(False)
        return True

    def _alive(self) -> bool:
        return shiboken6.isValid(self._parent)

    def _on_success(self, result: object) -> None:
        if self._finish():
            self._success(result)  # type: ignore[arg-type]

    def _on_failure(self, error: object) -> None:
        if self._finish():
            assert isinstance(error, ApiError)
            self._failure(error)


def _log_failure(error: ApiError) -> None:
    log.warning("backend call failed: %s", error.code)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """For shutdown and tests: wait until no backend call is running."""
    return _pool.waitForDone(timeout_ms)
