"""After "Sign up": the SMS as it really is, and what staff can do about it.

Sending: the heading says so and "SMS received" waits. Sent: "did the SMS arrive?" with
"SMS received" or "Check again", and "Delivered to the phone." once the provider's receipt
says so. Failed or ended: what happened in words, what to do, and the
action that helps first ("Send again" or "Check the number").
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from backend_client import schemas
from backend_client.masking import group_typed_phone
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import ACTION_WIDTH, MAIN_ACTION_WIDTH, SPACE, TYPE_SCALE
from omo_desktop.flows.counter import SmsSent
from omo_desktop.flows.delivery import (
    Delivery,
    Problem,
    Step,
    delivered_to_phone,
    delivery,
    next_steps,
    problem,
)
from omo_desktop.messages import describe, sms_problem
from omo_desktop.screens.base import FlowScreen, button, label, local_time, set_role
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine, centred, screen_layout
from omo_desktop.widgets.retry_wait import RetryWait

InvitationStatus = schemas.InvitationStatus


def sent_to(state: SmsSent) -> str:
    """The number as staff typed it (in full, grouped), or as the server has it (masked)."""
    if state.phone is not None:
        return group_typed_phone(state.phone)
    return state.invitation.phone_masked


# The mark above the words: what state the SMS is in, seen from across the counter.
_MARK = {
    Delivery.SENDING: (Icon.SENDING, "brand"),
    Delivery.SENT: (Icon.SMS, "brand"),
    Delivery.FAILED: (Icon.SMS_FAILED, "danger"),
    Delivery.ENDED: (Icon.PROBLEM, "warning_mark"),
}
MARK_SIZE = 2 * TYPE_SCALE["display"]


class SmsPromptScreen(FlowScreen[SmsSent]):
    screen_name = "sms_prompt"
    sms_received = Signal()
    check_again = Signal()
    send_again = Signal()
    wait_over = Signal()  # a refused "Send again" may be tapped again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.mark = label("mark", wrap=False)
        self.busy = named(QProgressBar(), "busy")
        self.busy.setRange(0, 0)  # no end known: Qt draws it moving
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(480)
        # The question, or what happened; then what to do, or until when the link works.
        self.question = label("question", "lead")
        self.next_step = label("next_step", "body")
        self.valid_until = label("valid_until", "hint")
        self.error = MessageLine("error")
        self.check_hint = label("check_hint", "hint")
        # "Check again" at the left end; the main action at the right end, after its second.
        self.again = button("check_again")
        self.again.clicked.connect(self.check_again.emit)
        self.check_number = button("check_number")
        self.check_number.clicked.connect(self.check_again.emit)
        self.resend = button("send_again")
        self.resend.clicked.connect(self.send_again.emit)
        self.received = button("sms_received")
        self.received.clicked.connect(self.sms_received.emit)
        self.wait = RetryWait(self)
        self.wait.ticked.connect(self._label_actions)
        self.wait.over.connect(self.wait_over.emit)

        content = QVBoxLayout()
        content.setSpacing(SPACE["m"])
        content.addWidget(self.mark)
        content.addWidget(self.busy)
        for widget in (self.question, self.next_step, self.valid_until):
            content.addWidget(widget)
        bar = ActionBar()
        bar.add_leading(self.again)
        for action in (self.check_number, self.resend, self.received):
            bar.add_trailing(action)
        layout = screen_layout(self)
        layout.addWidget(self.title)
        centred(content, layout)
        layout.addWidget(self.error)
        layout.addWidget(self.check_hint)
        layout.addWidget(bar)

    def draw(self, state: SmsSent) -> None:
        invitation = state.invitation
        number = sent_to(state)
        how = delivery(invitation)
        found = problem(invitation)
        icon, colour = _MARK[how]
        if how is Delivery.SENDING:
            self.title.setText(self.tr("Sending the SMS to %1…").replace("%1", number))
            self.question.setText(
                self.tr("It takes a few seconds. Then ask the customer whether it arrived.")
            )
            self.next_step.setText("")
        elif how is Delivery.SENT:
            self.title.setText(self.tr("SMS sent to %1").replace("%1", number))
            self.question.setText(self.tr("Ask the customer: did the SMS arrive?"))
            if invitation.status is InvitationStatus.OPENED:
                self.next_step.setText(self.tr("The customer has opened the link."))
            elif delivered_to_phone(invitation):
                self.next_step.setText(self.tr("Delivered to the phone."))
            else:
                self.next_step.setText("")
        else:
            assert found is not None
            what, todo = sms_problem(found, number, can_resend=state.phone is not None)
            if invitation.message_delivery is schemas.MessageDelivery.UNDELIVERED:
                # Sent, and the carrier's receipt says it never arrived.
                self.title.setText(self.tr("The SMS did not reach the phone"))
            elif how is Delivery.FAILED:
                self.title.setText(self.tr("The SMS could not be sent"))
            elif found is Problem.REGISTERED_ELSEWHERE:
                self.title.setText(self.tr("The customer is a member now"))
                icon, colour = Icon.SUCCESS, "brand"
            else:
                self.title.setText(self.tr("This registration link no longer works"))
            self.question.setText(what)
            self.next_step.setText(todo)
        self.mark.setPixmap(pixmap(icon, MARK_SIZE, colour))
        self.next_step.setVisible(bool(self.next_step.text()))
        live = how in (Delivery.SENDING, Delivery.SENT)
        self.valid_until.setText(
            self.tr("The link works until %1").replace("%1", local_time(invitation.expires_at))
        )
        self.valid_until.setVisible(live)
        self.busy.setVisible(how is Delivery.SENDING or state.busy)
        self.check_hint.setText(
            self.tr("Check again cancels this SMS and its link.")
            if how is Delivery.SENDING
            else self.tr("Check again cancels the link already sent.")
        )
        self.check_hint.setVisible(live)
        self.error.show_message(describe(state.error) if state.error is not None else "")
        self._arrange(state)
        self._label_actions()
        # Last: a wait already over is reported at once, and may bring a new state.
        self.wait.follow(state.retry_at)

    def _arrange(self, state: SmsSent) -> None:
        """Which actions show, and which one is the main (large, at the right end)."""
        main, second = next_steps(state.invitation, phone_known=state.phone is not None)
        shown = {main, second}
        checks = (Step.CHECK_NUMBER, Step.SEARCH_AGAIN)
        self.again.setVisible(Step.CHECK_AGAIN in shown)
        self.received.setVisible(Step.SMS_RECEIVED in shown)
        self.resend.setVisible(Step.SEND_AGAIN in shown)
        self.check_number.setVisible(bool(shown & set(checks)))
        for action, steps in (
            (self.received, (Step.SMS_RECEIVED,)),
            (self.resend, (Step.SEND_AGAIN,)),
            (self.check_number, checks),
        ):
            is_main = main in steps
            set_role(action, "primary" if is_main else "")
            action.setMinimumWidth(MAIN_ACTION_WIDTH if is_main else ACTION_WIDTH)
        self.again.setMinimumWidth(ACTION_WIDTH)
        self.check_number.setText(
            self.tr("Search again") if main is Step.SEARCH_AGAIN else self.tr("Check the number")
        )
        self.again.setText(self.tr("Check again"))

    def _label_actions(self) -> None:
        state = self.state
        if state is None:
            return
        # An SMS not yet sent (or never sent) cannot have arrived.
        self.received.setEnabled(delivery(state.invitation) is Delivery.SENT)
        self.received.setText(self.tr("SMS received"))
        self.wait.label(
            self.resend,
            until=state.retry_at,
            busy=self.tr("Please wait…") if state.busy else None,
            counting=self.tr("Send again (%1)"),
            ready=self.tr("Send again"),
        )

    def leave(self) -> None:
        self.wait.follow(None)
        super().leave()
