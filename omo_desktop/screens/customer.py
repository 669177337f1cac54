"""The search's answer: a member ("Bind now"), a past buyer or nobody ("Sign up")."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from backend_client.masking import mask_typed_phone
from omo_desktop.flows.counter import CustomerFound, NobodyFound
from omo_desktop.messages import describe
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets.customer_card import CustomerCard


class CustomerScreen(FlowScreen[CustomerFound | NobodyFound]):
    screen_name = "customer"
    bind_requested = Signal()
    sign_up_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("title", "title")
        self.card = CustomerCard()
        self.lead = label("lead", "lead")
        self.hint = label("hint", "hint")
        self.error = label("error", "error")
        self.bind_now = button("bind_now", "primary")
        self.bind_now.clicked.connect(self.bind_requested.emit)
        self.sign_up = button("sign_up", "primary")
        self.sign_up.clicked.connect(self.sign_up_requested.emit)
        self.new_search = button("new_search")
        self.new_search.clicked.connect(self.back_requested.emit)
        for action in (self.bind_now, self.sign_up):
            action.setMinimumWidth(320)

        actions = QHBoxLayout()
        actions.setSpacing(16)
        actions.addWidget(self.bind_now)
        actions.addWidget(self.sign_up)
        actions.addStretch(1)
        actions.addWidget(self.new_search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(18)
        layout.addWidget(self.title)
        layout.addWidget(self.card)
        layout.addWidget(self.lead)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(actions)

    def draw(self, state: CustomerFound | NobodyFound) -> None:
        sign_up_hint = self.tr("Sign up sends a registration SMS (link valid 2 hours).")
        if isinstance(state, CustomerFound):
            customer = state.customer
            self.card.show_customer(customer)
            self.card.show()
            member = customer.is_member
            self.title.setText(self.tr("Member found") if member else self.tr("Customer found"))
            # The card says "Bought before, not a member yet" for a past buyer.
            self.lead.hide()
            self.hint.setText(
                self.tr("Bind now shows a QR code for the customer to scan.")
                if member
                else sign_up_hint
            )
        else:
            member = False
            self.card.hide()
            self.title.setText(
                self.tr("No customer with %1").replace("%1", mask_typed_phone(state.phone))
            )
            self.lead.setText(self.tr("This number has not bought or registered before."))
            self.lead.show()
            self.hint.setText(sign_up_hint)
        wait = self.tr("Please wait…")
        self.bind_now.setVisible(member)
        self.bind_now.setEnabled(not state.busy)
        self.bind_now.setText(wait if state.busy else self.tr("Bind now"))
        self.sign_up.setVisible(not member)
        self.sign_up.setEnabled(not state.busy)
        self.sign_up.setText(wait if state.busy else self.tr("Sign up"))
        self.error.setText(describe(state.error) if state.error is not None else "")
        self.error.setVisible(state.error is not None)
        self.new_search.setText(self.tr("New search"))
