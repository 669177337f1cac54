"""Bind now: a large QR code for the customer, the time it has left and their progress.

Before the scan the code, its countdown and "Can't scan?" are what matter. Once the customer
has scanned (or opened the SMS link) there is nothing left to scan: the code gives way to a
panel saying the customer goes on on their phone, and the steps tell where they are. An
expired or cancelled code says so and offers "New code" as the main action.
"""

from __future__ import annotations

import enum
from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.flows.counter import Binding
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label, set_role
from omo_desktop.widgets import named
from omo_desktop.widgets.countdown import Countdown
from omo_desktop.widgets.customer_card import SEPARATOR
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, screen_layout
from omo_desktop.widgets.qr_view import QrView
from omo_desktop.widgets.steps import Mark, Steps, StepWords

BindingStatus = schemas.BindingStatus
LineOutcome = schemas.LineOutcome
QR_SIZE = 420  # px: scanned at arm's length across the counter
_PANEL_ICON = 96

# LINE went wrong on the phone: the customer tries again or goes on without it.
_LINE_PROBLEMS = {LineOutcome.CANCELLED, LineOutcome.TAKEN, LineOutcome.FAILED}


class Step(enum.Enum):
    """What the customer does on their phone, in order (LINE only when the store has it)."""

    SCAN = "scan"
    SIGN_IN = "sign_in"
    LINE = "line"
    CONFIRM = "confirm"


def step_marks(binding: schemas.Binding, *, line_enabled: bool) -> list[tuple[Step, Mark]]:
    """Each step and its mark for where ``binding`` is (no words: the screen adds them)."""
    status, outcome = binding.status, binding.line_outcome
    order = [Step.SCAN, Step.SIGN_IN, *([Step.LINE] if line_enabled else []), Step.CONFIRM]
    if status is BindingStatus.COMPLETED:
        line = Mark.SKIPPED if outcome is LineOutcome.SKIPPED or outcome in _LINE_PROBLEMS else None
        return [(step, line if step is Step.LINE and line else Mark.DONE) for step in order]
    if status in (BindingStatus.EXPIRED, BindingStatus.CANCELLED):
        return [(step, Mark.TODO) for step in order]
    if status is BindingStatus.PENDING:
        now = Step.SCAN
    elif status is BindingStatus.SCANNED:
        now = Step.SIGN_IN
    elif (
        not line_enabled
        or status is BindingStatus.LINE_LINKED
        or outcome in (LineOutcome.LINKED, LineOutcome.SKIPPED)
    ):
        now = Step.CONFIRM  # LINE done, skipped, or not offered: the details are next
    else:
        now = Step.LINE  # signed in: LINE under way, or gone wrong
    reached = order.index(now)
    marks = [
        (step, Mark.DONE if index < reached else Mark.CURRENT if index == reached else Mark.TODO)
        for index, step in enumerate(order)
    ]
    if line_enabled and now is Step.LINE and outcome in _LINE_PROBLEMS:
        marks[reached] = (Step.LINE, Mark.PROBLEM)
    elif line_enabled and now is Step.CONFIRM and outcome is LineOutcome.SKIPPED:
        marks[order.index(Step.LINE)] = (Step.LINE, Mark.SKIPPED)
    return marks


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

        self.title = label("title", "title")
        self.who = label("who", "lead")

        self.qr = QrView()
        self.qr.setMinimumSize(QR_SIZE, QR_SIZE)
        self.expired_panel, self.expired_icon, self.expired_text = self._panel(
            "qr_expired", "expired"
        )
        self.on_phone, self.on_phone_icon, self.on_phone_text = self._panel("on_phone", "on_phone")
        self.on_phone_icon.setPixmap(pixmap(Icon.PHONE, _PANEL_ICON, "brand"))
        self.code_area = named(QStackedWidget(), "code_area")
        self.code_area.setFixedSize(QR_SIZE, QR_SIZE)
        for page in (self.qr, self.expired_panel, self.on_phone):
            self.code_area.addWidget(page)

        self.lead = label("scan_hint", "hint")
        self.valid_for = label("valid_for", "hint", wrap=False)
        self.countdown = Countdown()
        self.countdown.expired.connect(self._countdown_expired)
        self.steps = Steps()
        # What went wrong with LINE and what to tell the customer, under the steps.
        self.line_problem = label("line_problem", "notice")
        self.error = MessageLine("error")

        self.cancel = button("cancel")
        self.cancel.setMinimumWidth(200)
        self.cancel.clicked.connect(self.back_requested.emit)
        self.by_sms = button("cant_scan")
        self.by_sms.setIcon(icon(Icon.SMS, "brand"))
        self.by_sms.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.by_sms.clicked.connect(self.cant_scan.emit)
        self.show_new_code = button("new_code", "primary")
        self.show_new_code.setMinimumWidth(280)
        self.show_new_code.clicked.connect(self.new_code.emit)
        self.action_bar = ActionBar()
        self.action_bar.add_leading(self.cancel)
        self.action_bar.add_trailing(self.by_sms)
        self.action_bar.add_trailing(self.show_new_code)

        timer = QHBoxLayout()
        timer.setSpacing(SPACE["m"])
        timer.addWidget(self.valid_for)
        timer.addWidget(self.countdown)
        timer.addStretch(1)
        side = QVBoxLayout()
        side.setSpacing(SPACE["m"])
        side.addStretch(1)
        side.addWidget(self.lead)
        side.addLayout(timer)
        side.addWidget(self.steps)
        side.addWidget(self.line_problem)
        side.addStretch(1)
        content = QHBoxLayout()
        content.setSpacing(SPACE["xxl"])
        content.addWidget(self.code_area, 0, Qt.AlignmentFlag.AlignVCenter)
        content.addLayout(side, 1)

        layout = screen_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.who)
        layout.addStretch(1)
        layout.addLayout(content)
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(self.action_bar)

    def _panel(self, name: str, parts: str) -> tuple[QFrame, QLabel, QLabel]:
        """A square in the code's place: a large icon and a sentence ("<parts>_text")."""
        panel = named(QFrame(), name)
        icon = label(f"{parts}_icon", wrap=False)
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = label(f"{parts}_text", "heading")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QVBoxLayout(panel)
        column.setContentsMargins(SPACE["xl"], SPACE["xl"], SPACE["xl"], SPACE["xl"])
        column.setSpacing(SPACE["l"])
        column.addStretch(1)
        column.addWidget(icon)
        column.addWidget(text)
        column.addStretch(1)
        return panel, icon, text

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
        """The code can no longer be used (the server said so, or its time ran out)."""
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
        live = not binding.status.is_final and not expired
        # Scanned, or the SMS link opened: the customer is on the page, nothing is to scan.
        waiting_for_scan = live and binding.status is BindingStatus.PENDING
        phone = binding.phone_masked or customer.phone_masked
        who = [text for text in (customer.name, phone) if text]
        self.who.setText(SEPARATOR.join(who))
        self.who.setVisible(bool(who))

        if not binding.status.is_final:
            # Still counting once scanned (the customer's page ends with the code), not shown.
            self.countdown.start(binding.expires_at)
        else:
            self.countdown.stop()
        if expired:
            self.qr.set_url(None)
            self.code_area.setCurrentWidget(self.expired_panel)
            cancelled = binding.status is BindingStatus.CANCELLED
            self.expired_icon.setPixmap(
                pixmap(Icon.ERROR if cancelled else Icon.CLOCK, _PANEL_ICON, "ink_muted")
            )
            self.expired_text.setText(
                self.tr("This QR code was cancelled")
                if cancelled
                else self.tr("This QR code has expired")
            )
            self.title.setText(self.tr("Scan to bind"))
            # What to do now is the one thing to read: as large as the customer's name.
            set_role(self.lead, "lead")
            self.lead.setText(
                self.tr("It can no longer be scanned. Tap New code to show a fresh one.")
            )
        elif waiting_for_scan:
            set_role(self.lead, "hint")
            self.qr.set_url(state.qr_url)
            self.code_area.setCurrentWidget(self.qr)
            self.title.setText(self.tr("Scan to bind"))
            self.lead.setText(
                self.tr("Ask the customer to scan this code with their phone's camera.")
            )
        else:
            set_role(self.lead, "hint")
            self.qr.set_url(None)
            self.code_area.setCurrentWidget(self.on_phone)
            self.on_phone_text.setText(self.tr("The customer continues on their phone"))
            self.title.setText(self.tr("Binding on the customer's phone"))
            self.lead.setText(self.tr("Each step shows here as the customer completes it."))
        self.valid_for.setText(self.tr("Code valid for"))
        self.valid_for.setVisible(waiting_for_scan)
        self.countdown.setVisible(waiting_for_scan)
        self.steps.set_steps(self._steps(binding))
        self.steps.setVisible(not expired)
        problem = self._line_problem(binding) if live else ""
        self.line_problem.setText(problem)
        self.line_problem.setVisible(bool(problem))

        sms_sent = state.sms_key is not None or binding.sms_sent
        self.by_sms.setVisible(phone is not None and waiting_for_scan)
        self.by_sms.setEnabled(not sms_sent)
        self.by_sms.setText(
            self.tr("SMS sent to %1").replace("%1", phone or "")
            if sms_sent
            else self.tr("Can't scan? Try SMS invitation")
        )
        self.show_new_code.setText(self.tr("New code"))
        self.show_new_code.setVisible(expired)
        if state.error is None:
            self.error.clear()
        else:
            self.error.show_message(describe(state.error), Tone.ERROR)
        self.cancel.setText(self.tr("Cancel"))

    def _words(self) -> dict[Step, StepWords]:
        return {
            Step.SCAN: StepWords(
                self.tr("Scan the code"),
                self.tr("Waiting for the customer to scan"),
                self.tr("Scanned"),
            ),
            Step.SIGN_IN: StepWords(
                self.tr("Sign in"),
                self.tr("Waiting for the customer to sign in"),
                self.tr("Signed in"),
            ),
            Step.LINE: StepWords(self.tr("Link LINE"), self.tr("Linking LINE…"), ""),
            Step.CONFIRM: StepWords(
                self.tr("Confirm details"),
                self.tr("Waiting for the customer to confirm"),
                self.tr("Confirmed"),
            ),
        }

    def _steps(self, binding: schemas.Binding) -> list[tuple[str, Mark]]:
        words = self._words()
        steps = []
        for step, mark in step_marks(binding, line_enabled=self._line_enabled):
            if step is Step.LINE and mark is Mark.DONE:
                said = self._line_linked(binding.line_friend)
            elif step is Step.LINE and mark is Mark.PROBLEM:
                said = self.tr("LINE not linked")
            elif step is Step.LINE and mark is Mark.SKIPPED:
                said = (
                    self.tr("LINE skipped")
                    if binding.line_outcome is LineOutcome.SKIPPED
                    else self.tr("LINE not linked")
                )
            else:
                said = words[step].said(mark)
            steps.append((said, mark))
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
