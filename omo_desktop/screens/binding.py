"""Bind now: a large QR code for the customer, the time it has left and their progress."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from omo_desktop.flows.counter import Binding
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.countdown import Countdown
from omo_desktop.widgets.customer_card import SEPARATOR
from omo_desktop.widgets.qr_view import QrView
from omo_desktop.widgets.steps import Mark, Steps, marks_for

BindingStatus = schemas.BindingStatus
LineOutcome = schemas.LineOutcome
QR_SIZE = 440  # px: scanned at arm's length across the counter

_ORDER = [
    BindingStatus.PENDING,
    BindingStatus.SCANNED,
    BindingStatus.SIGNED_IN,
    BindingStatus.LINE_LINKED,
    BindingStatus.COMPLETED,
]
# LINE went wrong on the phone: the customer tries again or goes on without it.
_LINE_PROBLEMS = {LineOutcome.CANCELLED, LineOutcome.TAKEN, LineOutcome.FAILED}


class BindingScreen(FlowScreen[Binding]):
    screen_name = "binding"
    cant_scan = Signal()
    new_code = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._line_enabled = False
        # The countdown reached zero before the server said so: the code is as good as gone.
        self._timed_out = False
        self._code: tuple[int, datetime] | None = None  # the code the countdown is for

        self.qr = QrView()
        self.qr.setMinimumSize(QR_SIZE, QR_SIZE)
        self.expired_panel = named(QFrame(), "qr_expired")
        self.expired_panel.setMinimumSize(QR_SIZE, QR_SIZE)
        self.expired_text = label("expired_text", "lead")
        self.expired_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.show_new_code = button("new_code", "primary")
        self.show_new_code.clicked.connect(self.new_code.emit)
        panel = QVBoxLayout(self.expired_panel)
        panel.setContentsMargins(32, 32, 32, 32)
        panel.setSpacing(24)
        panel.addStretch(1)
        panel.addWidget(self.expired_text)
        panel.addWidget(self.show_new_code)
        panel.addStretch(1)
        self.code_area = named(QStackedWidget(), "code_area")
        self.code_area.addWidget(self.qr)
        self.code_area.addWidget(self.expired_panel)

        self.title = label("title", "title")
        self.who = label("who", "lead")
        self.lead = label("scan_hint", "hint")
        self.valid_for = label("valid_for", "hint", wrap=False)
        self.countdown = Countdown()
        self.countdown.expired.connect(self._countdown_expired)
        self.steps = Steps()
        # What went wrong with LINE and what to tell the customer, under the steps.
        self.line_problem = label("line_problem", "notice")
        self.by_sms = button("cant_scan", "link")
        self.by_sms.clicked.connect(self.cant_scan.emit)
        self.error = label("error", "error")
        self.cancel = button("cancel")
        self.cancel.setMinimumWidth(200)
        self.cancel.clicked.connect(self.back_requested.emit)

        timer = QHBoxLayout()
        timer.setSpacing(12)
        timer.addWidget(self.valid_for)
        timer.addWidget(self.countdown)
        timer.addStretch(1)
        side = QVBoxLayout()
        side.setSpacing(14)
        side.addWidget(self.title)
        side.addWidget(self.who)
        side.addWidget(self.lead)
        side.addLayout(timer)
        side.addSpacing(6)
        side.addWidget(self.steps)
        side.addWidget(self.line_problem)
        side.addStretch(1)
        side.addWidget(self.by_sms, alignment=Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.error)
        side.addWidget(self.cancel, alignment=Qt.AlignmentFlag.AlignLeft)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(40, 32, 48, 32)
        layout.setSpacing(40)
        layout.addWidget(self.code_area, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(side, 1)

    def set_line_enabled(self, enabled: bool) -> None:
        self._line_enabled = enabled
        if self.state is not None:
            self.draw(self.state)

    def leave(self) -> None:
        super().leave()
        self.countdown.stop()
        self.qr.set_url(None)
        self._timed_out = False
        self._code = None

    def is_expired(self) -> bool:
        """The code can no longer be scanned (the server said so, or its time ran out)."""
        state = self.state
        if state is None:
            return False
        ended = state.binding.status in (BindingStatus.EXPIRED, BindingStatus.CANCELLED)
        return ended or (self._timed_out and not state.binding.status.is_final)

    def draw(self, state: Binding) -> None:
        binding, customer = state.binding, state.customer
        if self._code != (binding.id, binding.expires_at):
            self._code = (binding.id, binding.expires_at)
            self._timed_out = False
        expired = self.is_expired()
        phone = binding.phone_masked or customer.phone_masked
        self.title.setText(self.tr("Scan to bind"))
        who = [text for text in (customer.name, phone) if text]
        self.who.setText(SEPARATOR.join(who))
        self.lead.setText(self.tr("Ask the customer to scan this code with their phone's camera."))
        self.valid_for.setText(self.tr("Code valid for"))
        if expired:
            self.countdown.stop()
            self.qr.set_url(None)
            self.code_area.setCurrentWidget(self.expired_panel)
            self.expired_text.setText(
                self.tr("This QR code was cancelled")
                if binding.status is BindingStatus.CANCELLED
                else self.tr("This QR code has expired")
            )
            self.show_new_code.setText(self.tr("Show a new code"))
        else:
            self.qr.set_url(state.qr_url)
            self.code_area.setCurrentWidget(self.qr)
            if not binding.status.is_final:
                self.countdown.start(binding.expires_at)
        live = not binding.status.is_final and not expired
        self.valid_for.setVisible(live)
        self.countdown.setVisible(live)
        self.steps.set_steps(self._steps(binding))
        self.steps.setVisible(not expired)
        problem = self._line_problem(binding) if live else ""
        self.line_problem.setText(problem)
        self.line_problem.setVisible(bool(problem))

        sms_sent = state.sms_key is not None or binding.sms_sent
        self.by_sms.setVisible(phone is not None and (live or sms_sent))
        self.by_sms.setEnabled(not sms_sent)
        self.by_sms.setText(
            self.tr("SMS sent to %1").replace("%1", phone or "")
            if sms_sent
            else self.tr("Can't scan? Try SMS invitation")
        )
        self.error.setText(describe(state.error) if state.error is not None else "")
        self.error.setVisible(state.error is not None)
        self.cancel.setText(self.tr("Cancel"))

    def _steps(self, binding: schemas.Binding) -> list[tuple[str, Mark]]:
        status, outcome = binding.status, binding.line_outcome
        names = {
            BindingStatus.PENDING: self.tr("Waiting for scan"),
            BindingStatus.SCANNED: self.tr("Scanned"),
            BindingStatus.SIGNED_IN: self.tr("Signed in"),
            BindingStatus.LINE_LINKED: self.tr("LINE linked"),
            BindingStatus.COMPLETED: self.tr("Completed"),
        }
        order = [s for s in _ORDER if self._line_enabled or s is not BindingStatus.LINE_LINKED]
        if status is BindingStatus.COMPLETED:
            marks = marks_for(len(order), len(order), finished=True)
        elif status in order:
            # Pending is a wait, not a step taken: it is the current one; any other status
            # is done and the next step is under way.
            reached = order.index(status)
            marks = marks_for(len(order), reached if reached == 0 else reached + 1)
        elif status is BindingStatus.LINE_LINKED:
            marks = marks_for(len(order), order.index(BindingStatus.COMPLETED))
        else:
            marks = marks_for(len(order), -1)
        steps = [(names[s], mark) for s, mark in zip(order, marks, strict=True)]
        if self._line_enabled and status in order:
            line = order.index(BindingStatus.LINE_LINKED)
            if status is BindingStatus.SIGNED_IN and outcome in _LINE_PROBLEMS:
                steps[line] = (self.tr("LINE not linked"), Mark.PROBLEM)
            elif outcome is LineOutcome.SKIPPED and status in (
                BindingStatus.SIGNED_IN,
                BindingStatus.COMPLETED,
            ):
                # Gone on without LINE: the last step is under way (or done).
                steps[line] = (self.tr("LINE skipped"), Mark.SKIPPED)
                last = Mark.DONE if status is BindingStatus.COMPLETED else Mark.CURRENT
                steps[-1] = (steps[-1][0], last)
            elif status in (BindingStatus.LINE_LINKED, BindingStatus.COMPLETED) or (
                outcome is LineOutcome.LINKED and status is BindingStatus.SIGNED_IN
            ):
                steps[line] = (self._line_linked(binding.line_friend), Mark.DONE)
                if status is BindingStatus.SIGNED_IN:
                    steps[-1] = (steps[-1][0], Mark.CURRENT)
        return steps

    def _line_linked(self, friend: bool | None) -> str:
        if friend is None:
            return self.tr("LINE linked")
        if friend:
            return self.tr("LINE linked · added as friend")
        return self.tr("LINE linked · not a friend yet")

    def _line_problem(self, binding: schemas.Binding) -> str:
        """What staff tell the customer when LINE went wrong on the phone (or "")."""
        if not self._line_enabled or binding.status is not BindingStatus.SIGNED_IN:
            return ""
        match binding.line_outcome:
            case LineOutcome.CANCELLED:
                return self.tr(
                    "The customer cancelled LINE on their phone. "
                    "They can try again or continue without LINE."
                )
            case LineOutcome.TAKEN:
                return self.tr(
                    "This LINE account is linked to another member. "
                    "The customer can continue without LINE."
                )
            case LineOutcome.FAILED:
                return self.tr(
                    "LINE could not be reached. "
                    "The customer can try again or continue without LINE."
                )
        return ""

    def _countdown_expired(self) -> None:
        self._timed_out = True
        if self.state is not None:
            self.draw(self.state)
