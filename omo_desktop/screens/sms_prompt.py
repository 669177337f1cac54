"""After "Sign up": did the SMS arrive? "SMS received" follows the registration, "Check again"
goes back to the number."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.flows.counter import SmsSent
from omo_desktop.screens.base import FlowScreen, button, label, local_time

InvitationStatus = schemas.InvitationStatus
MessageStatus = schemas.MessageStatus


class SmsPromptScreen(FlowScreen[SmsSent]):
    screen_name = "sms_prompt"
    sms_received = Signal()
    check_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.question = label("question", "lead")
        self.valid_until = label("valid_until", "hint")
        self.delivery = label("delivery", "hint")
        self.problem = label("problem", "error")
        self.check_hint = label("check_hint", "hint")
        self.received = button("sms_received", "primary")
        self.received.setMinimumWidth(320)
        self.received.clicked.connect(self.sms_received.emit)
        self.again = button("check_again")
        self.again.setMinimumWidth(240)
        self.again.clicked.connect(self.check_again.emit)

        actions = QHBoxLayout()
        actions.setSpacing(16)
        actions.addWidget(self.received)
        actions.addWidget(self.again)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(18)
        for widget in (self.title, self.question, self.valid_until, self.delivery, self.problem):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.check_hint)
        layout.addLayout(actions)

    def draw(self, state: SmsSent) -> None:
        invitation = state.invitation
        self.title.setText(
            self.tr("Registration SMS sent to %1").replace("%1", invitation.phone_masked)
        )
        self.question.setText(self.tr("Ask the customer: did the SMS arrive?"))
        self.valid_until.setText(
            self.tr("The link works until %1").replace("%1", local_time(invitation.expires_at))
        )
        delivery, problem = self.delivery_lines(invitation)
        self.delivery.setText(delivery)
        self.delivery.setVisible(bool(delivery))
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.check_hint.setText(
            self.tr("No SMS? Check again lets you check the number and send a new one.")
        )
        self.received.setText(self.tr("SMS received"))
        # A message that never left (or a link that ended) cannot have arrived.
        self.received.setEnabled(not problem)
        self.again.setText(self.tr("Check again"))

    def delivery_lines(self, invitation: schemas.Invitation) -> tuple[str, str]:
        """(how the SMS is doing, what went wrong): one of the two is empty."""
        status = invitation.status
        if status is InvitationStatus.EXPIRED:
            return "", self.tr("The registration link has expired.")
        if status is InvitationStatus.CANCELLED:
            return "", self.tr("This invitation was cancelled.")
        if status is InvitationStatus.FAILED or invitation.message_status is MessageStatus.FAILED:
            if invitation.failure_code:
                return "", self.tr("The SMS could not be sent (code %1).").replace(
                    "%1", invitation.failure_code
                )
            return "", self.tr("The SMS could not be sent.")
        if invitation.message_status is MessageStatus.SENT:
            return self.tr("Delivered to the carrier"), ""
        if invitation.message_status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return self.tr("Sending…"), ""
        return "", ""
