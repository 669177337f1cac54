"""A customer as staff may see them at the counter: masked contact details only."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.levels import level_name

SEPARATOR = " · "


def referral_text(store: schemas.StoreOut, staff: schemas.StaffOut | None) -> str:
    """ "台北總店 · Amy": who the member's referral is bound to (the staff may be unknown)."""
    return store.name if staff is None else f"{store.name}{SEPARATOR}{staff.name}"


def local_date(moment: datetime) -> str:
    """ "2026-11-23" in this computer's time zone (the counter stands in the store)."""
    return moment.astimezone().strftime("%Y-%m-%d")


class CustomerCard(QFrame):
    """Name, masked phone / e-mail, and "Member" (level, points, referral) or "Bought before"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_card")
        self._customer: schemas.CustomerSummary | None = None
        self.name = self._label("card_name")
        self.contact = self._label("card_contact")
        self.status = self._label("card_status")
        self.referral = self._label("card_referral")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)
        for widget in (self.name, self.contact, self.status, self.referral):
            layout.addWidget(widget)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        # Taps go to whatever holds the card (a result row is one big button).
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        return label

    def show_customer(self, customer: schemas.CustomerSummary) -> None:
        self._customer = customer
        self.name.setText(customer.name or self.tr("Name not given"))
        contact = [text for text in (customer.phone_masked, customer.email_masked) if text]
        self.contact.setText(SEPARATOR.join(contact) or self.tr("No phone or e-mail on file"))
        self.contact.setVisible(True)
        self.status.setProperty("member", customer.is_member)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        if customer.is_member:
            parts = [self.tr("Member")]
            if customer.level:
                parts.append(level_name(customer.level))
            parts.append(self.tr("%1 points").replace("%1", f"{customer.points:,}"))
            if customer.line_friend:
                parts.append(self.tr("LINE friend"))
            elif customer.line_bound and customer.line_friend is False:
                parts.append(self.tr("LINE linked · not a friend"))
            elif customer.line_bound:
                parts.append(self.tr("LINE linked"))
            self.status.setText(SEPARATOR.join(parts))
        elif customer.orders_count > 0:
            orders = (
                self.tr("1 order")
                if customer.orders_count == 1
                else self.tr("%1 orders").replace("%1", str(customer.orders_count))
            )
            self.status.setText(
                SEPARATOR.join([self.tr("Bought before, not a member yet"), orders])
            )
        else:
            self.status.setText(self.tr("Not a member yet"))
        referral = customer.referral
        self.referral.setVisible(referral is not None)
        if referral is not None:
            # Binding never moves a referral: the date says it is settled, and since when.
            self.referral.setText(
                self.tr("Referral: %1 since %2")
                .replace("%1", referral_text(referral.store, referral.staff))
                .replace("%2", local_date(referral.bound_at))
            )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._customer is not None:
            self.show_customer(self._customer)
        super().changeEvent(event)
