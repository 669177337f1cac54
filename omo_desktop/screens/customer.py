"""The search's answer: a member ("Bind now"), a past buyer or nobody ("Sign up").

Before "Sign up" sends an SMS, the number staff typed is shown in full, grouped, so they can
read it back to the customer; what the server sends about the customer stays masked.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from backend_client.masking import group_typed_phone
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import ACTION_WIDTH, MAIN_ACTION_WIDTH, SPACE, TYPE_SCALE
from omo_desktop.flows.counter import CustomerFound, NobodyFound
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets.customer_card import CustomerCard, referral_text
from omo_desktop.widgets.layout import ActionBar, MessageLine, centred, screen_layout
from omo_desktop.widgets.retry_wait import RetryWait


class CustomerScreen(FlowScreen[CustomerFound | NobodyFound]):
    screen_name = "customer"
    bind_requested = Signal()
    sign_up_requested = Signal()
    back_requested = Signal()
    wait_over = Signal()  # a refused "Sign up" may be tapped again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.card = CustomerCard()
        self.lead = label("lead", "lead")
        self.number_icon = label("number_icon", wrap=False)
        self.number_icon.setPixmap(pixmap(Icon.PHONE, TYPE_SCALE["display"], "ink_muted"))
        self.number = label("number", "display", wrap=False)
        self.hint = label("sign_up_hint", "hint")
        self.error = MessageLine("error")
        self.bind_now = button("bind_now", "primary")
        self.bind_now.clicked.connect(self.bind_requested.emit)
        self.sign_up = button("sign_up", "primary")
        self.sign_up.clicked.connect(self.sign_up_requested.emit)
        self.new_search = button("new_search")
        self.new_search.clicked.connect(self.back_requested.emit)
        # The card keeps its own height: the room left goes around the group, not into it.
        self.card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.wait = RetryWait(self)
        self.wait.ticked.connect(self._label_actions)
        self.wait.over.connect(self.wait_over.emit)

        number_row = QHBoxLayout()
        number_row.setSpacing(SPACE["s"])
        number_row.addWidget(self.number_icon)
        number_row.addWidget(self.number)
        number_row.addStretch(1)
        content = QVBoxLayout()
        content.setSpacing(SPACE["m"])
        content.addWidget(self.card)
        content.addLayout(number_row)
        content.addWidget(self.lead)
        content.addWidget(self.hint)
        bar = ActionBar()
        bar.add_leading(self.new_search)
        bar.add_trailing(self.bind_now)
        bar.add_trailing(self.sign_up)
        layout = screen_layout(self)
        layout.addWidget(self.title)
        centred(content, layout)
        layout.addWidget(self.error)
        layout.addWidget(bar)

    def draw(self, state: CustomerFound | NobodyFound) -> None:
        typed = state.phone
        if isinstance(state, CustomerFound):
            customer = state.customer
            self.card.show_customer(customer)
            self.card.show()
            member = customer.is_member
            self.title.setText(self.tr("Member found") if member else self.tr("Customer found"))
            # The card says "Bought before, not a member yet" for a past buyer.
            self.lead.hide()
            if member and customer.referral is not None:
                # Referrals never change once bound: staff hear it before tapping, not after.
                self.hint.setText(
                    self.tr(
                        "Bind now shows a QR code for the customer to scan. The referral stays "
                        "with %1: binding here does not change it."
                    ).replace("%1", referral_text(customer.referral.store, customer.referral.staff))
                )
            elif member:
                self.hint.setText(self.tr("Bind now shows a QR code for the customer to scan."))
            elif typed is None:
                self.hint.setText(self.tr("Sign up sends a registration SMS (link valid 2 hours)."))
            else:
                self.hint.setText(self._sign_up_hint())
        elif state.merged_into is not None:
            # A merged account's number is retired: it names the member it now belongs to.
            member = False
            self.card.hide()
            owner = state.merged_into
            self.title.setText(self.tr("This number was merged into another member"))
            self.lead.setText(
                self.tr("It now belongs to member %1 (%2).")
                .replace("%1", str(owner.member_id))
                .replace("%2", owner.name or self.tr("no name"))
            )
            self.lead.show()
            self.hint.setText(
                self.tr(
                    "A merged number can't sign up again. Search for that member by their "
                    "mobile, e-mail or name to bind them."
                )
            )
        else:
            member = False
            self.card.hide()
            self.title.setText(self.tr("No customer with this number"))
            self.lead.setText(self.tr("It has not bought or registered before."))
            self.lead.show()
            self.hint.setText(self._sign_up_hint())
        # The number staff typed, to be read back before the SMS goes to it.
        show_number = not member and typed is not None
        self.number.setText(group_typed_phone(typed) if typed is not None else "")
        self.number.setVisible(show_number)
        self.number_icon.setVisible(show_number)
        self.bind_now.setVisible(member)
        retired = isinstance(state, NobodyFound) and state.merged_into is not None
        self.sign_up.setVisible(not member and not retired)
        self.error.show_message(describe(state.error) if state.error is not None else "")
        self.new_search.setText(self.tr("New search"))
        # Set when drawn: the theme's own minimum applies when a button is first styled.
        for action in (self.bind_now, self.sign_up):
            action.setMinimumWidth(MAIN_ACTION_WIDTH)
        self.new_search.setMinimumWidth(ACTION_WIDTH)
        self._label_actions()
        # Last: a wait already over is reported at once, and may bring a new state.
        self.wait.follow(state.retry_at)

    def _sign_up_hint(self) -> str:
        return self.tr(
            "Sign up sends a registration SMS to this number (link valid 2 hours). "
            "Check it with the customer first."
        )

    def _label_actions(self) -> None:
        state = self.state
        if state is None:
            return
        wait = self.tr("Please wait…")
        self.bind_now.setEnabled(not state.busy)
        self.bind_now.setText(wait if state.busy else self.tr("Bind now"))
        # Refused for a while (rate limit): counted down, and not tappable until it is over.
        self.wait.label(
            self.sign_up,
            until=state.retry_at,
            busy=wait if state.busy else None,
            counting=self.tr("Sign up (%1)"),
            ready=self.tr("Sign up"),
        )

    def leave(self) -> None:
        self.wait.follow(None)
        super().leave()
