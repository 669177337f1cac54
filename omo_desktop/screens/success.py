"""Done: a new member registered, or a member bound. Centred and unmistakable, then gone.

A big success mark, what happened, the customer's name, the referral and LINE's result. After
a few seconds (the flow says how many) Member Search comes back by itself, counting down in
sight; "Done" goes at once. A referral set before this binding is not news of this counter:
it is said as information ("stays with … since …"), never as this counter's success.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.flows.counter import Bound, Registered
from omo_desktop.screens.base import FlowScreen, button, label, local_date_time
from omo_desktop.widgets.countdown import SecondsLeft
from omo_desktop.widgets.customer_card import SEPARATOR, local_date, referral_text
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, centred, screen_layout

MARK_SIZE = 112
# Wide enough for a long store name on one line, narrow enough to read as one group.
CONTENT_WIDTH = 880


class SuccessScreen(FlowScreen[Registered | Bound]):
    screen_name = "success"
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mark = label("success_mark", "success_mark", wrap=False)
        self.mark.setPixmap(pixmap(Icon.SUCCESS, MARK_SIZE, "brand"))
        self.title = label("title", "title")
        self.who = label("who", "lead")
        self.referral = label("referral", "body")
        self.when = label("when", "hint")
        self.line = label("line_result", "body")
        # An earlier referral elsewhere: information, in the frame every message uses.
        self.already = MessageLine("already_set")
        self.back_in = label("back_in", "hint", wrap=False)
        self.done = button("done", "primary")
        self.done.setMinimumWidth(240)
        self.done.clicked.connect(self.back_requested.emit)
        self.auto_return = SecondsLeft(self)
        self.auto_return.changed.connect(self._show_seconds)
        self.auto_return.finished.connect(self.back_requested.emit)

        group = QWidget()
        group.setObjectName("success_group")
        group.setMaximumWidth(CONTENT_WIDTH)
        column = QVBoxLayout(group)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["m"])
        column.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(SPACE["s"])
        for widget in (self.title, self.who, self.referral, self.when, self.line):
            widget.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            column.addWidget(widget)
        notice = QHBoxLayout()
        notice.addStretch(1)
        notice.addWidget(self.already)
        notice.addStretch(1)
        column.addSpacing(SPACE["s"])
        column.addLayout(notice)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(group, 4)
        middle.addStretch(1)

        self.action_bar = ActionBar()
        self.action_bar.add_trailing(self.back_in)
        self.action_bar.add_trailing(self.done)
        layout = screen_layout(self)
        centred(middle, layout)
        layout.addWidget(self.action_bar)

    # Shadows QWidget.render as FlowScreen does: a new state starts the way back to search.
    def render(self, state: Registered | Bound) -> None:  # type: ignore[override]
        fresh = state is not self.state
        super().render(state)
        if fresh:
            self.auto_return.start(state.back_in_seconds)

    def leave(self) -> None:
        super().leave()
        self.auto_return.stop()

    def draw(self, state: Registered | Bound) -> None:
        self.done.setText(self.tr("Done"))
        self._show_seconds(self.auto_return.left())
        if isinstance(state, Registered):
            self._draw_registered(state.invitation)
        else:
            self._draw_bound(state)

    def _draw_registered(self, invitation: schemas.Invitation) -> None:
        self._mark(Icon.SUCCESS)
        self.title.setText(self.tr("New member registered"))
        self._show_who(invitation.customer_name, invitation.phone_masked)
        self.referral.setText(
            self.tr("Referral: %1").replace("%1", referral_text(invitation.store, invitation.staff))
        )
        self.referral.show()
        self.when.hide()
        self.line.hide()
        self.already.clear()
        self.already.hide()

    def _draw_bound(self, state: Bound) -> None:
        customer, binding = state.customer, state.binding
        self._show_who(
            binding.customer_name or customer.name, binding.phone_masked or customer.phone_masked
        )
        line = self._line_result(binding)
        self.line.setText(line)
        self.line.setVisible(bool(line))
        self.referral.hide()
        referral = binding.referral
        # Set before this binding began: another counter's (or an earlier) referral, kept.
        earlier = referral is not None and referral.bound_at < binding.created_at
        # Not this counter's referral: no success mark, which staff would read as "bound to me".
        self._mark(Icon.INFO if earlier else Icon.SUCCESS)
        if referral is None or earlier:
            self.title.setText(self.tr("Member confirmed"))
            self.when.hide()
        else:
            self.title.setText(
                self.tr("Bound to %1").replace("%1", referral_text(referral.store, referral.staff))
            )
            self.when.setText(
                self.tr("Referral recorded %1").replace("%1", local_date_time(referral.bound_at))
            )
            self.when.show()
        if referral is not None and earlier:
            kept = (
                self.tr("The referral stays with %1, since %2: binding here does not change it.")
                .replace("%1", referral_text(referral.store, referral.staff))
                .replace("%2", local_date(referral.bound_at))
            )
            self.already.show_message(kept, Tone.INFO)
            # Centred as one piece: as wide as its sentence (a long one wraps in the group).
            text = self.already.text
            wanted = text.fontMetrics().horizontalAdvance(kept) + TYPE_SCALE["heading"] + SPACE["m"]
            self.already.setMinimumWidth(min(wanted, CONTENT_WIDTH))
            self.already.show()
        else:
            self.already.clear()
            self.already.hide()

    def _mark(self, name: Icon) -> None:
        self.mark.setPixmap(pixmap(name, MARK_SIZE, "brand"))

    def _show_who(self, name: str | None, phone: str | None) -> None:
        who = [text for text in (name, phone) if text]
        self.who.setText(SEPARATOR.join(who))
        self.who.setVisible(bool(who))

    def _show_seconds(self, left: int) -> None:
        self.back_in.setText(
            self.tr("Back to Member Search in %1 s").replace("%1", str(max(0, left)))
        )

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
