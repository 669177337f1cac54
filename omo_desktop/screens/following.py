"""After "SMS received": the customer's registration, step by step, until done or ended."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.flows.counter import FollowingRegistration
from omo_desktop.screens.base import FlowScreen, button, label, set_role
from omo_desktop.widgets.steps import Mark, Steps, marks_for

InvitationStatus = schemas.InvitationStatus

# How far each live status has come: the index of the step now under way.
_REACHED = {
    InvitationStatus.QUEUED: 0,
    InvitationStatus.SENT: 1,
    InvitationStatus.OPENED: 2,
}


class FollowingScreen(FlowScreen[FollowingRegistration]):
    screen_name = "following"
    check_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.lead = label("lead", "lead")
        self.steps = Steps()
        self.problem = label("problem", "error")
        self.hint = label("hint", "hint")
        self.again = button("check_again")
        self.again.setMinimumWidth(240)
        self.again.clicked.connect(self.check_again.emit)

        actions = QHBoxLayout()
        actions.addWidget(self.again)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(20)
        layout.addWidget(self.title)
        layout.addWidget(self.lead)
        layout.addSpacing(8)
        layout.addWidget(self.steps)
        layout.addSpacing(8)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        layout.addLayout(actions)

    def draw(self, state: FollowingRegistration) -> None:
        invitation = state.invitation
        status = invitation.status
        self.title.setText(self.tr("Registration for %1").replace("%1", invitation.phone_masked))
        texts = [self.tr("SMS sent"), self.tr("Link opened"), self.tr("Registration complete")]
        problem = self.problem_text(invitation)
        if status in _REACHED:
            marks = marks_for(len(texts), _REACHED[status])
        elif status is InvitationStatus.REGISTERED:
            marks = marks_for(len(texts), len(texts), finished=True)
        else:
            # Ended: only what is known to have happened stays ticked.
            sent = invitation.message_status is schemas.MessageStatus.SENT
            marks = [Mark.DONE if sent else Mark.TODO, Mark.TODO, Mark.TODO]
        self.steps.set_steps(list(zip(texts, marks, strict=True)))
        self.lead.setText(
            "" if problem else self.tr("Waiting for the customer to finish registering…")
        )
        self.lead.setVisible(not problem)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.hint.setText(
            self.tr("Check again to check the number and send a new SMS.")
            if problem
            else self.tr("Customer stuck? Check again lets you re-enter the number.")
        )
        self.again.setText(self.tr("Check again"))
        set_role(self.again, "primary" if problem else "")

    def problem_text(self, invitation: schemas.Invitation) -> str:
        status = invitation.status
        if status is InvitationStatus.EXPIRED:
            return self.tr("The registration link has expired.")
        if status is InvitationStatus.CANCELLED:
            return self.tr("This invitation was cancelled.")
        if status is InvitationStatus.FAILED:
            if invitation.failure_code:
                return self.tr("The SMS could not be sent (code %1).").replace(
                    "%1", invitation.failure_code
                )
            return self.tr("The SMS could not be sent.")
        return ""
