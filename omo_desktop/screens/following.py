"""After "SMS received": the customer's registration, step by step, until done or ended."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.design.tokens import ACTION_WIDTH, MAIN_ACTION_WIDTH, SPACE
from omo_desktop.flows.counter import FollowingRegistration
from omo_desktop.flows.delivery import Problem, Step, delivered_to_phone, next_steps, problem
from omo_desktop.messages import sms_problem
from omo_desktop.screens.base import FlowScreen, button, label, set_role
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, centred, screen_layout
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
    send_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.steps = Steps()
        self.lead = label("lead", "lead")
        self.problem = MessageLine("problem")
        self.hint = label("check_hint", "hint")
        self.again = button("check_again")
        self.again.clicked.connect(self.check_again.emit)
        self.check_number = button("check_number")
        self.check_number.clicked.connect(self.check_again.emit)
        self.resend = button("send_again")
        self.resend.clicked.connect(self.send_again.emit)

        content = QVBoxLayout()
        content.setSpacing(SPACE["l"])
        content.addWidget(self.steps)
        content.addWidget(self.problem)
        content.addWidget(self.lead)
        bar = ActionBar()
        bar.add_leading(self.again)
        bar.add_trailing(self.check_number)
        bar.add_trailing(self.resend)
        layout = screen_layout(self)
        layout.addWidget(self.title)
        centred(content, layout)
        layout.addWidget(self.hint)
        layout.addWidget(bar)

    def draw(self, state: FollowingRegistration) -> None:
        invitation = state.invitation
        status = invitation.status
        # The server's number, masked: the SMS has arrived, the number is checked.
        self.title.setText(self.tr("Registration for %1").replace("%1", invitation.phone_masked))
        sms_done = (
            self.tr("Delivered to the phone")
            if delivered_to_phone(invitation)
            else self.tr("SMS sent")
        )
        done = [sms_done, self.tr("Link opened"), self.tr("Registration complete")]
        under_way = [
            self.tr("Sending the SMS"),
            self.tr("Waiting for the customer to open the link"),
            self.tr("The customer is registering"),
        ]
        found = problem(invitation)
        if status in _REACHED:
            marks = marks_for(len(done), _REACHED[status])
        elif status is InvitationStatus.REGISTERED:
            marks = marks_for(len(done), len(done), finished=True)
        else:
            # Ended: only what is known to have happened stays ticked.
            sent = invitation.message_status is schemas.MessageStatus.SENT
            marks = [Mark.DONE if sent else Mark.TODO, Mark.TODO, Mark.TODO]
        texts = [
            now if mark is Mark.CURRENT else then
            for now, then, mark in zip(under_way, done, marks, strict=True)
        ]
        self.steps.set_steps(list(zip(texts, marks, strict=True)))
        if found is None:
            self.problem.clear()
            self.lead.setText(self.tr("Waiting for the customer to finish registering…"))
        else:
            what, todo = sms_problem(
                found, invitation.phone_masked, can_resend=state.phone is not None
            )
            # A member registered elsewhere is news; anything else stopped the registration.
            tone = Tone.INFO if found is Problem.REGISTERED_ELSEWHERE else Tone.ERROR
            self.problem.show_message(what, tone)
            self.lead.setText(todo)
        self.hint.setText(self.tr("Check again cancels the link already sent."))
        self.hint.setVisible(found is None)
        main, second = next_steps(invitation, phone_known=state.phone is not None)
        shown = {main, second}
        self.again.setVisible(Step.CHECK_AGAIN in shown)
        self.again.setText(self.tr("Check again"))
        self.again.setMinimumWidth(ACTION_WIDTH)
        checks = (Step.CHECK_NUMBER, Step.SEARCH_AGAIN)
        self.check_number.setVisible(bool(shown & set(checks)))
        self.check_number.setText(
            self.tr("Search again") if main is Step.SEARCH_AGAIN else self.tr("Check the number")
        )
        self.resend.setVisible(Step.SEND_AGAIN in shown)
        self.resend.setText(self.tr("Send again"))
        for action, is_main in (
            (self.check_number, main in checks),
            (self.resend, main is Step.SEND_AGAIN),
        ):
            set_role(action, "primary" if is_main else "")
            action.setMinimumWidth(MAIN_ACTION_WIDTH if is_main else ACTION_WIDTH)
