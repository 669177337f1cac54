"""Runs the counter flow: staff intents in, the flow's commands out to workers, answers back.

The flow (``flows/counter.py``) decides; this object only carries out what it says, off the UI
thread, and tells the screens when the state changed. It owns the three things the flow must
not: time (retries, the busy delay), the disk (sign-up taps kept across a restart) and threads.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.flows import counter as f
from omo_desktop.flows.pending import PendingSignUp, PendingSignUps
from omo_desktop.flows.runner import BackendCommand, deliver, execute, is_backend
from omo_desktop.workers import BUSY_AFTER_MS, BackendOp

log = logging.getLogger(__name__)

# A long-poll that failed (backend gone, 5xx) starts again after this, not in a tight loop.
FOLLOW_RETRY_MS = 2000


def _follow_key(command: f.Command) -> tuple[str, int] | None:
    if isinstance(command, f.FollowInvitation):
        return ("invitation", command.invitation_id)
    if isinstance(command, f.FollowBinding):
        return ("binding", command.binding_id)
    return None


class CounterController(QObject):
    state_changed = Signal(object)  # f.State
    session_ended = Signal(object)  # the ApiError that ended it

    def __init__(
        self,
        client: OmoClient,
        pending: PendingSignUps,
        parent: QObject | None = None,
        *,
        offline_retry_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._pending = pending
        self._offline_retry_ms = offline_retry_ms
        self.flow = f.CounterFlow()
        self._following: set[tuple[str, int]] = set()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self._last_error: ApiError | None = None
        self._stopped = False

    @property
    def state(self) -> f.State:
        return self.flow.state

    # --- staff intents (the screens' signals end here) -------------------------------------

    def start(self) -> None:
        """After log-in: a fresh search, and any sign-up kept from before is sent again."""
        self.flow = f.CounterFlow()
        kept = self._pending.all()
        commands: list[f.Command] = []
        if kept:
            newest = kept[-1]
            commands += self.flow.resume_pending(newest.phone, newest.key)
            # Older ones (rare: the screen moved on, then the app closed) go out in the
            # background with their own keys; the flow forgets them when answered.
            commands += [f.SendInvitation(p.phone, p.key) for p in kept[:-1]]
        self._apply(commands)

    def confirm_search(self, text: str) -> None:
        self._apply(self.flow.confirm_search(text))

    def switch_search(self, by: str) -> None:
        self._apply(self.flow.switch_search(f.SearchBy(by)))

    def choose(self, customer: object) -> None:
        assert isinstance(customer, schemas.CustomerSummary)
        self._apply(self.flow.choose(customer))

    def sign_up(self) -> None:
        self._apply(self.flow.sign_up())

    def sms_received(self) -> None:
        self._apply(self.flow.sms_received())

    def check_again(self) -> None:
        self._apply(self.flow.check_again())

    def send_again(self) -> None:
        self._apply(self.flow.send_again())

    def wait_over(self) -> None:
        self._apply(self.flow.wait_over(datetime.now(UTC)))

    def bind_now(self) -> None:
        self._apply(self.flow.bind_now())

    def cant_scan(self) -> None:
        self._apply(self.flow.cant_scan())

    def new_code(self) -> None:
        self._apply(self.flow.new_code(datetime.now(UTC)))

    def back_to_search(self) -> None:
        self._apply(self.flow.back_to_search())

    def end_session(self) -> list[BackendCommand]:
        """Log-out: clear the screen; what must reach the backend first (a binding to cancel)."""
        commands = self.flow.back_to_search()
        self._publish()
        return [c for c in commands if is_backend(c)]  # type: ignore[misc]

    # --- carrying out commands -------------------------------------------------------------

    def _apply(self, commands: list[f.Command], *, failed: f.Command | None = None) -> None:
        self._publish()
        for command in commands:
            # A long-poll the flow restarts after it failed waits a little: no tight loop.
            again = command == failed and _follow_key(command) is not None
            self._run(command, delay_ms=FOLLOW_RETRY_MS if again else 0)

    def _publish(self) -> None:
        """Busy states are drawn only if the answer takes longer than ~150 ms: no flicker."""
        state = self.flow.state
        busy_kinds = f.Searching | f.CustomerFound | f.NobodyFound | f.SmsSent
        if isinstance(state, busy_kinds) and state.busy:
            self.state_changed.emit(dataclasses.replace(state, busy=False))
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.state_changed.emit(state)

    def _show_busy(self) -> None:
        if getattr(self.flow.state, "busy", False):
            self.state_changed.emit(self.flow.state)

    def stop(self) -> None:
        """The app is closing: nothing more goes out (kept sign-ups wait on disk)."""
        self._stopped = True

    def _run(self, command: f.Command, *, delay_ms: int = 0) -> None:
        if self._stopped:
            return
        if delay_ms:
            QTimer.singleShot(delay_ms, self, lambda: self._run(command))
            return
        match command:
            case f.KeepPendingSignUp(phone=phone, key=key):
                self._pending.keep(PendingSignUp(phone, key))
            case f.ForgetPendingSignUp(key=key):
                self._pending.forget(key)
            case f.RetryLater(command=send, seconds=seconds):
                wait_ms = self._offline_retry_ms or int(seconds * 1000)
                QTimer.singleShot(wait_ms, self, lambda: self._retry_sign_up(send))
            case f.LogOut():
                self.session_ended.emit(self._last_error)
            case _ if is_backend(command):
                self._call(command)

    def _retry_sign_up(self, send: f.SendInvitation) -> None:
        # "Check again" forgets a waiting tap: then it must not go out after all.
        if any(p.key == send.key for p in self._pending.all()):
            self._call(send)

    def _call(self, command: BackendCommand) -> None:
        follow = _follow_key(command)
        if follow is not None:
            if follow in self._following:
                return  # one long-poll per invitation or binding is enough
            self._following.add(follow)

        def succeeded(answer: object) -> None:
            if follow is not None:
                self._following.discard(follow)
            self._apply(deliver(self.flow, command, answer))  # type: ignore[arg-type]

        def failed(error: ApiError) -> None:
            if follow is not None:
                self._following.discard(follow)
            self._last_error = error
            log.info("%s failed: %s", type(command).__name__, error.code)
            self._apply(self.flow.failed(command, error, datetime.now(UTC)), failed=command)

        op: Callable[[], object] = lambda: execute(self._client, command)  # noqa: E731
        BackendOp(parent=self, op=op, success=succeeded).failure(failed).run()
