"""Done: a new member registered, or a member bound; "Done" starts an empty search."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.flows.counter import Bound, Registered
from omo_desktop.screens.base import FlowScreen, button, label, local_date_time
from omo_desktop.widgets.customer_card import SEPARATOR, referral_text


class SuccessScreen(FlowScreen[Registered | Bound]):
    screen_name = "success"
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mark = label("success_mark", "success_mark", wrap=False)
        self.mark.setPixmap(pixmap(Icon.SUCCESS, 96, "brand"))
        self.title = label("title", "title")
        self.who = label("who", "lead")
        self.line = label("line_result", "lead")
        self.referral = label("referral", "lead")
        self.when = label("when", "hint")
        self.already = label("already_set", "notice")
        self.done = button("done", "primary")
        self.done.setMinimumWidth(320)
        self.done.clicked.connect(self.back_requested.emit)

        actions = QHBoxLayout()
        actions.addWidget(self.done)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(18)
        layout.addWidget(self.mark)
        for widget in (self.title, self.who, self.line, self.referral, self.when, self.already):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(actions)

    def draw(self, state: Registered | Bound) -> None:
        self.done.setText(self.tr("Done"))
        if isinstance(state, Registered):
            invitation = state.invitation
            self.title.setText(self.tr("%1 is now a member").replace("%1", invitation.phone_masked))
            self.who.hide()
            self.line.hide()
            self.referral.setText(
                self.tr("Referral: %1").replace(
                    "%1", referral_text(invitation.store, invitation.staff)
                )
            )
            self.referral.show()
            self.when.hide()
            self.already.hide()
            return
        customer, binding = state.customer, state.binding
        who = [
            text for text in (customer.name, binding.phone_masked or customer.phone_masked) if text
        ]
        self.who.setText(SEPARATOR.join(who))
        self.who.setVisible(bool(who))
        line = self._line_result(binding)
        self.line.setText(line)
        self.line.setVisible(bool(line))
        self.referral.hide()
        referral = binding.referral
        if referral is None:
            self.title.setText(self.tr("The member is bound"))
            self.when.hide()
            self.already.hide()
            return
        referred_by = referral_text(referral.store, referral.staff)
        self.title.setText(self.tr("Bound to %1").replace("%1", referred_by))
        self.when.setText(
            self.tr("Referral recorded %1").replace("%1", local_date_time(referral.bound_at))
        )
        self.when.show()
        earlier = referral.bound_at < binding.created_at
        self.already.setText(
            self.tr("This member's referral was already set and never changes: %1").replace(
                "%1", referred_by
            )
        )
        self.already.setVisible(earlier)

    def _line_result(self, binding: schemas.Binding) -> str:
        """How LINE went on the phone; "" when LINE never came up (the store has no channel)."""
        match binding.line_outcome:
            case None:
                return ""
            case schemas.LineOutcome.LINKED:
                if binding.line_friend is None:
                    return self.tr("LINE linked")
                if binding.line_friend:
                    return self.tr("LINE linked · added as friend")
                return self.tr("LINE linked · not a friend yet")
            case schemas.LineOutcome.SKIPPED:
                return self.tr("LINE skipped")
        return self.tr("LINE not linked")
