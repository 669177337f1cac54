"""The pane beside the member list: one member's profile (editable, never the phone), points
with grant and deduct, orders, referral, LINE, consents and the audit trail.

It draws what the controller hands it and says what staff asked for; personal data is shown
as the backend sends it (masked when the role may not see it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from backend_client.errors import ApiError
from omo_desktop.design.tokens import SPACE
from omo_desktop.members import words
from omo_desktop.messages import describe
from omo_desktop.screens.base import button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import MessageLine, Tone


class Where(enum.Enum):
    """The section a message is about: it shows there."""

    SUMMARY = "summary"
    PROFILE = "profile"
    POINTS = "points"
    ERASE = "erase"


# Lines shown of each history (the newest): the pane is a summary, not a report.
HISTORY_LINES = 8


def _section(name: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
    frame = named(QFrame(), "detail_section")
    frame.setProperty("section", name)
    column = QVBoxLayout(frame)
    column.setContentsMargins(SPACE["m"], SPACE["m"], SPACE["m"], SPACE["m"])
    column.setSpacing(SPACE["s"])
    # Wrapped: a long heading in a narrow pane takes two lines rather than widening the pane.
    heading = label(f"{name}_heading", "heading")
    column.addWidget(heading)
    return frame, column, heading


def compact_field(name: str) -> QLineEdit:
    """A one-line field of the Members screen's denser forms (44 px, body text)."""
    field = named(QLineEdit(), name)
    field.setProperty("role", "compact")
    return field


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class _Lines(QWidget):
    """A short list of one-line texts (ledger entries, orders, audit entries)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(SPACE["xs"])
        self._labels: list[QLabel] = []

    def show_lines(self, lines: list[str]) -> None:
        while len(self._labels) < len(lines):
            line = label(f"{self.objectName()}_line", "body")
            self._labels.append(line)
            self._column.addWidget(line)
        for line, text in zip(self._labels, lines, strict=False):
            line.setText(text)
            line.show()
        for line in self._labels[len(lines) :]:
            line.hide()

    def texts(self) -> list[str]:
        return [line.text() for line in self._labels if not line.isHidden()]


class DetailPane(QScrollArea):
    save_requested = Signal(object)  # MemberPatch
    points_requested = Signal(int, str, object)  # delta, reason, expires_at | None
    erase_requested = Signal(str)  # the reason (kept in the audit record)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detail_scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = named(QWidget(), "detail")
        self.setWidget(body)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, SPACE["s"], 0)
        column.setSpacing(SPACE["m"])
        self._member: schemas.Member | None = None
        self._ledger: schemas.PointsLedger | None = None
        self._orders: schemas.MemberOrders | None = None
        self._audit: schemas.MemberAudit | None = None
        self._levels: list[schemas.Level] = []
        # The one thing said, in the section it is about (a refused deduction by the points).
        self._said: tuple[Where, Callable[[], str], Tone] | None = None

        self.placeholder = label("detail_placeholder", "hint")
        column.addWidget(self.placeholder)

        # Who: name, contact, level.
        self.header, head, self.name = _section("summary")
        self.name.setObjectName("detail_name")
        self.contact = label("detail_contact", "body")
        self.facts = label("detail_facts", "hint")
        head.addWidget(self.contact)
        head.addWidget(self.facts)
        self.message = MessageLine("detail_message")
        head.addWidget(self.message)

        # Profile: name, birthday, e-mail, level; the phone only shown.
        self.profile, profile, self.profile_heading = _section("profile")
        form = QFormLayout()
        form.setSpacing(SPACE["s"])
        form.setHorizontalSpacing(SPACE["m"])
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.name_edit = compact_field("name_edit")
        self.birthday_edit = compact_field("birthday_edit")
        self.email_edit = compact_field("email_edit")
        self.level_edit = named(QComboBox(), "level_edit")
        self.phone_shown = label("phone_shown", "body")
        self._form_labels = [label(f"form_label_{n}", "hint", wrap=False) for n in range(5)]
        for caption, field in zip(
            self._form_labels,
            (
                self.name_edit,
                self.birthday_edit,
                self.email_edit,
                self.level_edit,
                self.phone_shown,
            ),
            strict=True,
        ):
            form.addRow(caption, field)
        profile.addLayout(form)
        self.profile_message = MessageLine("profile_message")
        profile.addWidget(self.profile_message)
        self.save = button("save_profile")
        self.save.clicked.connect(self._save)
        profile.addWidget(self.save, 0, Qt.AlignmentFlag.AlignRight)

        # Points: balance, grant or deduct, the ledger.
        self.points, points, self.points_heading = _section("points")
        self.balance = label("points_balance", "display", wrap=False)
        points.addWidget(self.balance)
        amount_row = QHBoxLayout()
        amount_row.setSpacing(SPACE["s"])
        self.points_amount = compact_field("points_amount")
        self.points_expiry = compact_field("points_expiry")
        amount_row.addWidget(self.points_amount, 1)
        amount_row.addWidget(self.points_expiry, 2)
        points.addLayout(amount_row)
        self.points_reason = compact_field("points_reason")
        points.addWidget(self.points_reason)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.deduct = button("deduct_points")
        self.grant = button("grant_points")
        self.deduct.clicked.connect(lambda: self._points(-1))
        self.grant.clicked.connect(lambda: self._points(+1))
        actions.addWidget(self.deduct)
        actions.addWidget(self.grant)
        points.addLayout(actions)
        self.points_message = MessageLine("points_message")
        points.addWidget(self.points_message)
        self.ledger = _Lines("ledger")
        points.addWidget(self.ledger)

        self.orders, orders, self.orders_heading = _section("orders")
        self.order_lines = _Lines("orders")
        orders.addWidget(self.order_lines)

        self.links, links, self.links_heading = _section("links")
        self.referral = label("referral", "body")
        self.line = label("line_status", "body")
        self.consents = label("consents", "body")
        for widget in (self.referral, self.line, self.consents):
            links.addWidget(widget)

        self.audit, audit, self.audit_heading = _section("audit")
        self.audit_lines = _Lines("audit")
        audit.addWidget(self.audit_lines)

        # Erase on the member's request (an admin's alone): a reason, then a second tap.
        self.erase, erase, self.erase_heading = _section("erase")
        self.erase_hint = label("erase_hint", "hint")
        erase.addWidget(self.erase_hint)
        self.erase_reason = compact_field("erase_reason")
        self.erase_reason.setMaxLength(200)
        erase.addWidget(self.erase_reason)
        self.erase_message = MessageLine("erase_message")
        erase.addWidget(self.erase_message)
        erase_actions = QHBoxLayout()
        erase_actions.addStretch(1)
        self.erase_cancel = button("erase_cancel")
        self.erase_cancel.clicked.connect(lambda: self._erase_asked(False))
        self.erase_start = button("erase_start")
        self.erase_start.clicked.connect(lambda: self._erase_asked(True))
        self.erase_confirm = button("erase_confirm", "primary")
        self.erase_confirm.setProperty("danger", True)
        self.erase_confirm.clicked.connect(self._erase)
        for action in (self.erase_cancel, self.erase_start, self.erase_confirm):
            erase_actions.addWidget(action)
        erase.addLayout(erase_actions)
        self._admin = False
        self._erase_open = False

        self._sections = [self.header, self.profile, self.points, self.orders, self.links]
        self._sections += [self.audit, self.erase]
        for section in self._sections:
            column.addWidget(section)
        column.addStretch(1)
        self.clear()

    # --- what the screen hands over -------------------------------------------------------------

    def clear(self) -> None:
        self._member = self._ledger = self._orders = self._audit = None
        self._said = None
        for section in self._sections:
            section.hide()
        self.placeholder.show()
        self._draw()

    def set_admin(self, admin: bool) -> None:
        """An admin may erase a member; a manager never sees the section."""
        self._admin = admin
        self._draw_erase()

    def set_levels(self, levels: list[schemas.Level]) -> None:
        self._levels = levels
        self._draw()

    def show_member(self, member: schemas.Member) -> None:
        first = self._member is None or self._member.id != member.id
        self._member = member
        self.placeholder.hide()
        for section in self._sections:
            section.show()
        if first:
            self._fill_form(member)
            self._erase_open = False
            self.erase_reason.clear()
        self._draw()

    def loading(self, member_id: int) -> None:
        if self._member is not None and self._member.id != member_id:
            self.clear()
        self.placeholder.show()
        self.placeholder.setText(self.tr("Loading…"))

    def show_points(self, ledger: schemas.PointsLedger) -> None:
        self._ledger = ledger
        self._draw()

    def show_orders(self, orders: schemas.MemberOrders) -> None:
        self._orders = orders
        self._draw()

    def show_audit(self, audit: schemas.MemberAudit) -> None:
        self._audit = audit
        self._draw()

    def show_error(self, error: ApiError, where: Where = Where.SUMMARY) -> None:
        self._say(where, lambda: describe(error, typed=where != Where.SUMMARY))

    def show_saved(self, member: schemas.Member) -> None:
        self._said = (Where.PROFILE, lambda: self.tr("Profile saved."), Tone.INFO)
        self._member = member
        self._fill_form(member)
        self._draw()

    def show_points_changed(self, result: schemas.PointsChangeResult) -> None:
        self._said = (Where.POINTS, lambda: self.tr("Points changed."), Tone.INFO)
        if self._ledger is not None:
            self._ledger = self._ledger.model_copy(
                update={"balance": result.balance, "items": [result.entry, *self._ledger.items]}
            )
        for field in (self.points_amount, self.points_reason, self.points_expiry):
            field.clear()
        self._draw()

    def _fill_form(self, member: schemas.Member) -> None:
        self.name_edit.setText(member.name or "")
        self.birthday_edit.setText(_iso(member.birthday))
        # The e-mail may come masked: it is replaced only by what staff type.
        self.email_edit.clear()
        self.email_edit.setPlaceholderText(member.email_masked or "")
        self._fill_levels()

    def _fill_levels(self) -> None:
        current = self._member.level if self._member is not None else None
        self.level_edit.clear()
        self.level_edit.addItem(words.level(None), None)
        for level in self._levels:
            self.level_edit.addItem(words.level(level.code, {level.code: level}), level.code)
        index = self.level_edit.findData(current) if current is not None else 0
        self.level_edit.setCurrentIndex(max(0, index))

    # --- what staff asked for ---------------------------------------------------------------------

    def _save(self) -> None:
        member = self._member
        if member is None:
            return
        changes: dict[str, Any] = {}
        name = self.name_edit.text().strip()
        if name and name != (member.name or ""):
            changes["name"] = name
        birthday = self.birthday_edit.text().strip()
        if birthday != _iso(member.birthday):
            if birthday and parse_day(birthday) is None:
                self._say(
                    Where.PROFILE,
                    lambda: self.tr("Type the birthday as year-month-day, e.g. 1990-05-31."),
                )
                return
            changes["birthday"] = parse_day(birthday)  # None: the birthday is removed
        email = self.email_edit.text().strip()
        if email:
            changes["email"] = email
        level = self.level_edit.currentData()
        if level != member.level:
            changes["level"] = level  # None: "No level"
        if not changes:
            self._say(Where.PROFILE, lambda: self.tr("Nothing changed."), Tone.NOTICE)
            return
        try:
            update = schemas.MemberPatch(**changes)
        except ValueError:
            self._say(
                Where.PROFILE,
                lambda: self.tr("Check the name and e-mail: one of them can't be saved."),
            )
            return
        self.save_requested.emit(update)

    def _points(self, sign: int) -> None:
        text = self.points_amount.text().strip().replace(",", "")
        if not text.isdigit() or int(text) == 0 or int(text) > schemas.INT4_MAX:
            self._say(
                Where.POINTS, lambda: self.tr("Type how many points, a whole number above 0.")
            )
            return
        reason = self.points_reason.text().strip()
        if not reason:
            self._say(Where.POINTS, lambda: self.tr("Type the reason: it is kept with the points."))
            return
        expires: datetime | None = None
        expiry = self.points_expiry.text().strip()
        if expiry:
            day = parse_day(expiry)
            if day is None or day <= date.today() or sign < 0:
                self._say(
                    Where.POINTS,
                    lambda: self.tr("Expiry: a future date as year-month-day, for grants only."),
                )
                return
            expires = datetime.combine(day, time(23, 59, 59)).astimezone()
        self.points_requested.emit(sign * int(text), reason, expires)

    def _erase_asked(self, open_: bool) -> None:
        self._erase_open = open_
        if self._said is not None and self._said[0] == Where.ERASE:
            self._said = None
        self.erase_confirm.setEnabled(True)
        if not open_:
            self.erase_reason.clear()
        self._draw_erase()
        self._draw_message()
        if open_:
            self.erase_reason.setFocus()

    def _erase(self) -> None:
        reason = self.erase_reason.text().strip()
        if not reason:
            self._say(Where.ERASE, lambda: self.tr("Type why: the member's request is kept."))
            return
        if not schemas.is_single_line(reason):
            self._say(Where.ERASE, lambda: self.tr("The reason must be one line."))
            return
        self.erase_confirm.setEnabled(False)
        self.erase_requested.emit(reason)

    def erase_failed(self, error: ApiError) -> None:
        self.erase_confirm.setEnabled(True)
        self._say(Where.ERASE, lambda: describe(error, typed=True))

    def _say(self, where: Where, words: Callable[[], str], tone: Tone = Tone.ERROR) -> None:
        self._said = (where, words, tone)
        self._draw_message()

    # --- drawing ----------------------------------------------------------------------------------

    def _draw(self) -> None:
        self.placeholder.setText(self.tr("Choose a member in the list to see their details."))
        self.profile_heading.setText(self.tr("Profile"))
        self.points_heading.setText(self.tr("Points"))
        self.orders_heading.setText(self.tr("Orders"))
        self.links_heading.setText(self.tr("Referral, LINE and consents"))
        self.audit_heading.setText(self.tr("Changes"))
        for caption, text in zip(
            self._form_labels,
            (
                self.tr("Name"),
                self.tr("Birthday"),
                self.tr("E-mail"),
                self.tr("Level"),
                self.tr("Mobile"),
            ),
            strict=True,
        ):
            caption.setText(text)
        self.birthday_edit.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.save.setText(self.tr("Save profile"))
        self.points_amount.setPlaceholderText(self.tr("Points"))
        self.points_expiry.setPlaceholderText(self.tr("Expires YYYY-MM-DD (optional)"))
        self.points_reason.setPlaceholderText(self.tr("Reason (kept with the points)"))
        self.grant.setText(self.tr("Grant"))
        self.deduct.setText(self.tr("Deduct"))
        self._draw_message()
        member = self._member
        if member is None:
            return
        self.name.setText(words.name(member))
        contact = [c for c in (member.phone_masked, member.email_masked) if c]
        self.contact.setText("  ·  ".join(contact) or self.tr("No mobile or e-mail"))
        self.phone_shown.setText(
            (member.phone_masked or words.dash()) + "  " + self.tr("(can't be changed here)")
        )
        facts = [
            words.level(member.level, {lv.code: lv for lv in self._levels}),
            self.tr("member since %1").replace("%1", words.day(member.member_since)),
            self.tr("net spending %1").replace("%1", words.money(member.net_spend)),
            self.tr("orders: %1").replace("%1", f"{member.orders_count:,}"),
        ]
        self.facts.setText("  ·  ".join(facts))
        self._draw_points()
        self._draw_orders()
        self._draw_links(member)
        self._draw_audit()
        self._draw_erase()

    def _draw_erase(self) -> None:
        member = self._member
        self.erase.setVisible(self._admin and member is not None and member.erased_at is None)
        self.erase_heading.setText(self.tr("Erase personal data"))
        if self._erase_open:
            hint = self.tr(
                "%1: name, mobile, e-mail, birthday and LINE are removed for good. Orders stay "
                "for the totals and consents stay as facts, without the person. Type the "
                "reason, then erase."
            ).replace("%1", words.name(member) if member is not None else "")
        else:
            hint = self.tr("On the member's request only. This can't be undone.")
        self.erase_hint.setText(hint)
        self.erase_reason.setPlaceholderText(self.tr("Reason, e.g. asked by e-mail on 1 Dec"))
        self.erase_reason.setVisible(self._erase_open)
        self.erase_cancel.setVisible(self._erase_open)
        self.erase_confirm.setVisible(self._erase_open)
        self.erase_start.setVisible(not self._erase_open)
        self.erase_start.setText(self.tr("Erase…"))
        self.erase_cancel.setText(self.tr("Cancel"))
        self.erase_confirm.setText(self.tr("Erase for good"))

    def _draw_message(self) -> None:
        lines = {
            Where.SUMMARY: self.message,
            Where.PROFILE: self.profile_message,
            Where.POINTS: self.points_message,
            Where.ERASE: self.erase_message,
        }
        for line in lines.values():
            line.clear()
        if self._said is not None:
            where, words, tone = self._said
            lines[where].show_message(words(), tone)

    def _draw_points(self) -> None:
        ledger = self._ledger
        if ledger is None:
            self.balance.setText("…")
            self.ledger.show_lines([])
            return
        self.balance.setText(self.tr("%1 points").replace("%1", f"{ledger.balance:,}"))
        lines = []
        for entry in ledger.items[:HISTORY_LINES]:
            line = f"{entry.delta:+,}  {entry.reason}  ·  {words.day(entry.created_at)}"
            if entry.expires_at is not None:
                line += "  ·  " + self.tr("expires %1").replace("%1", words.day(entry.expires_at))
            lines.append(line)
        self.ledger.show_lines(lines or [self.tr("No points yet.")])

    def _draw_orders(self) -> None:
        if self._orders is None:
            self.order_lines.show_lines(["…"])
            return
        lines = [
            f"{words.day(order.placed_at or order.created_at)}  {words.money(order.amount)}"
            f"  ·  {self._order_status(order)}"
            for order in self._orders.items[:HISTORY_LINES]
        ]
        self.order_lines.show_lines(lines or [self.tr("No orders yet.")])

    def _draw_links(self, member: schemas.Member) -> None:
        referral = member.referral
        if referral is None:
            self.referral.setText(self.tr("Referral: none (not added at a counter)"))
        else:
            staff = referral.staff.name if referral.staff is not None else words.dash()
            self.referral.setText(
                self.tr("Referral: %1, by %2, on %3")
                .replace("%1", referral.store.name)
                .replace("%2", staff)
                .replace("%3", words.day_time(referral.bound_at))
            )
        self.line.setText(
            self.tr("LINE: linked") if member.line_bound else self.tr("LINE: not linked")
        )
        self.consents.setText(
            self.tr("Consents: %1").replace("%1", self._consents(member.consents))
        )

    def _draw_audit(self) -> None:
        if self._audit is None:
            self.audit_lines.show_lines(["…"])
            return
        lines = []
        for entry in self._audit.items[:HISTORY_LINES]:
            who = entry.staff.name if entry.staff is not None else words.dash()
            lines.append(
                f"{words.day_time(entry.at)}  {who}  ·  {words.audit_action(entry.action)}"
            )
        self.audit_lines.show_lines(lines or [self.tr("No changes recorded.")])

    def _order_status(self, order: schemas.OrderOut) -> str:
        names = {
            schemas.OrderStatus.PAID: self.tr("paid"),
            schemas.OrderStatus.UNPAID: self.tr("unpaid"),
            schemas.OrderStatus.REFUNDED: self.tr("refunded"),
            schemas.OrderStatus.CANCELLED: self.tr("cancelled"),
        }
        status = names[order.status]
        if order.refunded_amount and order.status != schemas.OrderStatus.REFUNDED:
            refunded = words.money(order.refunded_amount)
            status += "  " + self.tr("(refunded %1)").replace("%1", refunded)
        return status

    def _consents(self, consents: list[schemas.ConsentOut]) -> str:
        """What the member agreed to, each purpose once (the latest answer counts)."""
        latest: dict[str, bool] = {}
        for consent in sorted(consents, key=lambda c: c.created_at):
            latest[consent.purpose] = consent.granted
        agreed = [words.consent(purpose) for purpose, granted in latest.items() if granted]
        return ", ".join(agreed) if agreed else self.tr("none recorded")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._fill_levels()
            self._draw()
        super().changeEvent(event)
