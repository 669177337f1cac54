"""Merging accounts (an admin): pick up to five accounts of one customer by searching, choose
the primary one, add a points award or deduction, see the accounts and the merged result side
by side, then confirm a second time: the merge cannot be undone.

The dialog draws what ``MergeController`` hands it and says what the admin asked for.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from backend_client.errors import ApiError
from omo_desktop.design.tokens import SPACE
from omo_desktop.members import words
from omo_desktop.members.merge import MAX_ACCOUNTS, MergeController
from omo_desktop.messages import describe
from omo_desktop.screens.base import button, label
from omo_desktop.screens.members.detail import compact_field, parse_day
from omo_desktop.screens.members.steps import StepDialog, page
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import Tone


class Step(enum.IntEnum):
    PICK = 0
    PREVIEW = 1
    CONFIRM = 2
    DONE = 3


class Row(enum.IntEnum):
    """The side-by-side table's rows."""

    NAME = 0
    ORDERS = 1
    NET_SPEND = 2
    POINTS = 3
    MOBILE = 4
    EMAIL = 5
    LINE = 6
    LEVEL = 7
    REFERRAL = 8


def _contact(row: schemas.MemberRow) -> str:
    parts = [p for p in (row.phone_masked, row.email_masked) if p]
    return "  ·  ".join(parts) or words.dash()


class _Picked(QFrame):
    """One picked account: who, and its "Primary" and "Remove" buttons."""

    def __init__(self, row: schemas.MemberRow) -> None:
        super().__init__()
        self.setObjectName("merge_account")
        self.member_id = row.id
        self.row = row
        self.who = label("merge_account_who", "body")
        self.primary = button("merge_primary", "chip")
        self.primary.setCheckable(True)
        self.remove = button("merge_remove", "link")
        line = QHBoxLayout(self)
        line.setContentsMargins(SPACE["m"], SPACE["xs"], SPACE["s"], SPACE["xs"])
        line.setSpacing(SPACE["m"])
        line.addWidget(self.who, 1)
        line.addWidget(self.primary)
        line.addWidget(self.remove)


class MergeDialog(StepDialog):
    def __init__(
        self,
        controller: MergeController,
        levels: list[schemas.Level],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("merge", parent)
        self.controller = controller
        self._levels = {level.code: level for level in levels}
        self._found: list[schemas.MemberRow] = []
        self._merged: schemas.Member | None = None

        # Step 1: pick the accounts and the primary one, and the points change.
        pick_column = page(self.pages)
        search_row = QHBoxLayout()
        search_row.setSpacing(SPACE["s"])
        self.search = compact_field("merge_search")
        self.search.returnPressed.connect(self._search)
        self.find_button = button("merge_find")
        self.find_button.clicked.connect(self._search)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.find_button)
        pick_column.addLayout(search_row)
        self.results = named(QWidget(), "merge_results")
        self.results_column = QVBoxLayout(self.results)
        self.results_column.setContentsMargins(0, 0, 0, 0)
        self.results_column.setSpacing(SPACE["xs"])
        pick_column.addWidget(self.results)
        self.picked_heading = label("merge_picked_heading", "heading")
        pick_column.addWidget(self.picked_heading)
        self.picked = named(QWidget(), "merge_picked")
        self.picked_column = QVBoxLayout(self.picked)
        self.picked_column.setContentsMargins(0, 0, 0, 0)
        self.picked_column.setSpacing(SPACE["xs"])
        self.primary_group = QButtonGroup(self)
        self.primary_group.setExclusive(True)
        pick_column.addWidget(self.picked)
        self.empty_picked = label("merge_none_picked", "hint")
        pick_column.addWidget(self.empty_picked)
        self._picked: list[_Picked] = []
        self.points_heading = label("merge_points_heading", "heading")
        pick_column.addWidget(self.points_heading)
        # Each field with its caption above it: the placeholder goes once something is typed.
        points_grid = QGridLayout()
        points_grid.setHorizontalSpacing(SPACE["s"])
        points_grid.setVerticalSpacing(SPACE["xs"])
        self.points_delta = compact_field("merge_points_delta")
        self.points_expiry = compact_field("merge_points_expiry")
        self.description = compact_field("merge_description")
        self.description.setMaxLength(200)
        self._captions = [label(f"merge_caption_{n}", "hint", wrap=False) for n in range(3)]
        fields = (self.points_delta, self.points_expiry, self.description)
        for place, (caption, field) in enumerate(zip(self._captions, fields, strict=True)):
            points_grid.addWidget(caption, 0, place)
            points_grid.addWidget(field, 1, place)
        points_grid.setColumnStretch(0, 1)
        points_grid.setColumnStretch(1, 1)
        points_grid.setColumnStretch(2, 2)
        pick_column.addLayout(points_grid)
        pick_column.addStretch(1)

        # Step 2: side by side, and the merged result.
        preview_column = page(self.pages)
        self.side_by_side = named(QTableWidget(), "merge_side_by_side")
        self.side_by_side.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.side_by_side.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.side_by_side.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.side_by_side.setWordWrap(True)
        self.side_by_side.setRowCount(len(Row))
        self.side_by_side.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.side_by_side.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        # Rows are read, not tapped: as tall as their text, so all nine fit beside each other.
        self.side_by_side.verticalHeader().setMinimumSectionSize(0)
        self.side_by_side.setCornerButtonEnabled(False)
        preview_column.addWidget(self.side_by_side, 1)
        self.retired = label("merge_retired", "notice")
        preview_column.addWidget(self.retired)
        self.points_line = label("merge_points_line", "body")
        preview_column.addWidget(self.points_line)

        # Step 3: the second, deliberate confirmation.
        confirm_column = page(self.pages, "m")
        self.confirm_text = label("merge_confirm_text", "lead")
        self.confirm_warning = label("merge_confirm_warning", "notice")
        confirm_column.addWidget(self.confirm_text)
        self.confirm_result = label("merge_confirm_result", "body")
        confirm_column.addWidget(self.confirm_result)
        confirm_column.addWidget(self.confirm_warning)
        confirm_column.addStretch(1)

        # Step 4: done.
        done_column = page(self.pages)
        self.done_text = label("merge_done_text", "lead")
        done_column.addWidget(self.done_text)
        done_column.addStretch(1)

        self.cancel = button("merge_cancel")
        self.cancel.clicked.connect(self.reject)
        self.back = button("merge_back")
        self.back.clicked.connect(self._back)
        self.next = button("merge_next", "primary")
        self.next.clicked.connect(self._next)
        self.bar.add_leading(self.cancel)
        self.bar.add_leading(self.back)
        self.bar.add_trailing(self.next)
        self.lay_out()
        self.setMinimumWidth(880)

        c = controller
        c.found.connect(self._show_found)
        c.accounts_changed.connect(self._accounts_changed)
        c.previewed.connect(self._previewed)
        c.merged.connect(self._done)
        c.failed.connect(self.show_error)
        c.busy_changed.connect(self._busy)
        self._draw_picked()
        self.retranslate()

    @property
    def step(self) -> Step:
        return Step(self.pages.currentIndex())

    # --- what the admin does ---------------------------------------------------------------------

    def _search(self) -> None:
        self.say(None)
        self.controller.search(self.search.text())

    def _add(self, row: schemas.MemberRow) -> None:
        if not self.controller.add(row):
            self.say(lambda: self.tr("At most 5 accounts are merged at a time."), Tone.NOTICE)
            return
        self._found = [found for found in self._found if found.id != row.id]
        self._draw_found()

    def _next(self) -> None:
        if self.step == Step.PICK:
            self._ask_preview()
        elif self.step == Step.PREVIEW:
            self.go(Step.CONFIRM)
        elif self.step == Step.CONFIRM:
            self.say(None)
            self.next.setEnabled(False)
            self.controller.merge()
        else:
            self.accept()

    def _back(self) -> None:
        self.say(None)
        if self.step == Step.CONFIRM:
            self.go(Step.PREVIEW)
        elif self.step == Step.PREVIEW:
            self.go(Step.PICK)

    def _ask_preview(self) -> None:
        if len(self.controller.accounts) < 2:
            self.say(lambda: self.tr("Add at least two accounts of the same customer."))
            return
        delta = self._points_delta()
        if delta is None:
            self.say(lambda: self.tr("Points: a whole number, e.g. 100 to award or -50 to deduct."))
            return
        expires: datetime | None = None
        expiry = self.points_expiry.text().strip()
        if expiry:
            day = parse_day(expiry)
            if day is None or day <= date.today() or delta <= 0:
                self.say(
                    lambda: self.tr("Expiry: a future date as year-month-day, for awards only.")
                )
                return
            expires = datetime.combine(day, time(23, 59, 59)).astimezone()
        description = self.description.text().strip()
        if description and not schemas.is_single_line(description):
            self.say(lambda: self.tr("The description must be one line."))
            return
        self.say(None)
        self.next.setEnabled(False)
        self.controller.preview(delta, expires, description or None)

    def _points_delta(self) -> int | None:
        text = self.points_delta.text().strip().replace(",", "").replace(" ", "")
        if not text:
            return 0
        sign = -1 if text.startswith(("-", "−")) else 1
        digits = text.lstrip("+-−")
        if not digits.isdigit() or int(digits) > schemas.INT4_MAX:
            return None
        return sign * int(digits)

    # --- what arrives ---------------------------------------------------------------------------

    def _show_found(self, rows: list[schemas.MemberRow]) -> None:
        self._found = rows
        self._draw_found()
        if not rows:
            self.say(lambda: self.tr("No other member matches that search."), Tone.NOTICE)

    def _accounts_changed(self) -> None:
        self._draw_picked()
        self._draw_found()

    def _previewed(self, preview: schemas.MergePreview) -> None:
        self.next.setEnabled(True)
        self.go(Step.PREVIEW)

    def _done(self, member: schemas.Member) -> None:
        self._merged = member
        self.next.setEnabled(True)
        self.say(None)
        self.go(Step.DONE)

    def show_error(self, error: ApiError) -> None:
        self.next.setEnabled(True)
        if error.code == "preview_stale":
            self.go(Step.PICK)
            self.say(
                lambda: self.tr(
                    "One of these accounts changed since the preview (an order, points, a "
                    "merge elsewhere). Nothing was merged: preview again."
                )
            )
            return
        self.say(lambda: describe(error, typed=True))

    def _busy(self, busy: bool) -> None:
        self.find_button.setEnabled(not busy)

    # --- drawing -------------------------------------------------------------------------------

    def _draw_found(self) -> None:
        while self.results_column.count():
            item = self.results_column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        picked = {a.id for a in self.controller.accounts}
        for row in self._found:
            if row.id in picked:
                continue
            add = button("merge_add_result")
            add.setText(
                self.tr("Add  %1  ·  %2")
                .replace("%1", words.name(row))
                .replace("%2", _contact(row))
            )
            add.setEnabled(not self.controller.full)
            add.clicked.connect(lambda _checked=False, r=row: self._add(r))
            self.results_column.addWidget(add)

    def _draw_picked(self) -> None:
        for old in self._picked:
            self.primary_group.removeButton(old.primary)
        while self.picked_column.count():
            item = self.picked_column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._picked = []
        self.empty_picked.hide()
        for row in self.controller.accounts:
            picked = _Picked(row)
            self.primary_group.addButton(picked.primary)
            picked.primary.setChecked(row.id == self.controller.primary_id)
            picked.primary.clicked.connect(
                lambda _checked=False, i=row.id: self.controller.set_primary(i)
            )
            picked.remove.clicked.connect(
                lambda _checked=False, i=row.id: self.controller.remove(i)
            )
            self.picked_column.addWidget(picked)
            self._picked.append(picked)
        self.empty_picked.setVisible(not self.controller.accounts)
        self._draw_picked_words()

    def _draw_picked_words(self) -> None:
        for picked in self._picked:
            row = picked.row
            picked.who.setText(
                self.tr("%1  ·  %2  ·  orders: %3  ·  %4 points")
                .replace("%1", words.name(row))
                .replace("%2", _contact(row))
                .replace("%3", f"{row.orders_count:,}")
                .replace("%4", f"{row.points:,}")
            )
            primary = row.id == self.controller.primary_id
            picked.primary.setText(self.tr("Primary") if primary else self.tr("Set as primary"))
            picked.remove.setText(self.tr("Remove"))
        self.empty_picked.setText(self.tr("No accounts yet: search above and add them."))
        self.picked_heading.setText(
            self.tr("Accounts to merge (%1 of %2)")
            .replace("%1", str(len(self.controller.accounts)))
            .replace("%2", str(MAX_ACCOUNTS))
        )

    def _draw_preview(self) -> None:
        preview = self.controller.preview_result
        table = self.side_by_side
        if preview is None:
            table.setColumnCount(0)
            return
        table.setVerticalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Orders"),
                self.tr("Net spending"),
                self.tr("Points"),
                self.tr("Mobile"),
                self.tr("E-mail"),
                self.tr("LINE"),
                self.tr("Level"),
                self.tr("Referral"),
            ]
        )
        accounts = sorted(preview.accounts, key=lambda a: a.id != preview.primary_id)
        table.setColumnCount(len(accounts) + 1)
        headers = []
        for number, account in enumerate(accounts):
            is_primary = account.id == preview.primary_id
            headers.append(self.tr("Primary") if is_primary else self.tr("Merged in"))
            orders = f"{account.orders_count:,}"
            if account.unpaid_orders:
                orders += "  " + self.tr("(%1 unpaid: they follow once paid)").replace(
                    "%1", f"{account.unpaid_orders:,}"
                )
            cells = {
                Row.NAME: words.display_name(account.name),
                Row.MOBILE: account.phone_masked or words.dash(),
                Row.EMAIL: account.email_masked or words.dash(),
                Row.LINE: self.tr("linked") if account.line_bound else self.tr("not linked"),
                Row.LEVEL: words.level(account.level, self._levels),
                Row.ORDERS: orders,
                Row.NET_SPEND: words.money(account.net_spend),
                Row.POINTS: f"{account.points:,}",
                Row.REFERRAL: self._referral(account.referral),
            }
            self._fill_column(number, cells)
        kept = {i.kind: i.value_masked for i in preview.identifiers_kept}
        result = {
            Row.NAME: words.display_name(accounts[0].name if accounts else None),
            Row.MOBILE: kept.get(schemas.IdentifierKind.PHONE, words.dash()),
            Row.EMAIL: kept.get(schemas.IdentifierKind.EMAIL, words.dash()),
            Row.LINE: self.tr("linked")
            if schemas.IdentifierKind.LINE in kept
            else self.tr("not linked"),
            Row.LEVEL: words.level(preview.level, self._levels),
            Row.ORDERS: f"{preview.orders_count:,}",
            Row.NET_SPEND: words.money(preview.net_spend),
            Row.POINTS: f"{preview.points_balance:,}",
            Row.REFERRAL: self._referral(preview.referral),
        }
        headers.append(self.tr("After the merge"))
        self._fill_column(len(accounts), result, bold=True)
        table.setHorizontalHeaderLabels(headers)
        retired = [i.value_masked for i in preview.identifiers_retired]
        self.retired.setText(
            self.tr(
                "Retired for good: %1. They can never sign up, sign in, be imported or be "
                "bound again."
            ).replace("%1", ", ".join(retired) if retired else words.dash())
        )
        if preview.points_delta:
            self.points_line.setText(
                self.tr("Points: %1 moved, %2 %3.")
                .replace("%1", f"{preview.points_moved:,}")
                .replace("%2", f"{preview.points_delta:+,}")
                .replace(
                    "%3",
                    self.tr("awarded") if preview.points_delta > 0 else self.tr("deducted"),
                )
            )
        else:
            self.points_line.setText(
                self.tr("Points: %1 moved.").replace("%1", f"{preview.points_moved:,}")
            )

    def _fill_column(self, column: int, cells: dict[Row, str], *, bold: bool = False) -> None:
        for row, text in cells.items():
            item = QTableWidgetItem(text)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.side_by_side.setItem(row, column, item)

    def _referral(self, referral: schemas.ReferralOut | None) -> str:
        if referral is None:
            return words.dash()
        return f"{referral.store.name}  ·  {words.day(referral.bound_at)}"

    def retranslate(self) -> None:
        step = self.step
        self.setWindowTitle(self.tr("Merge accounts"))
        self.title.setText(
            {
                Step.PICK: self.tr("Merge accounts"),
                Step.PREVIEW: self.tr("Check the merged account"),
                Step.CONFIRM: self.tr("Merge for good?"),
                Step.DONE: self.tr("Accounts merged"),
            }[step]
        )
        self.lead.setText(
            {
                Step.PICK: self.tr(
                    "Find one customer's accounts by name, e-mail or mobile and add them, up "
                    "to 5. The primary account's login becomes the only one."
                ),
                Step.PREVIEW: self.tr(
                    "Each account as it is now, and the merged account on the right."
                ),
                Step.CONFIRM: self.tr("Read this once more: a merge can't be undone."),
                Step.DONE: self.tr(
                    "The merged accounts' mobiles and e-mails are retired: searched at the "
                    "counter, they name this member."
                ),
            }[step]
        )
        self.search.setPlaceholderText(self.tr("Name, e-mail or mobile"))
        self.find_button.setText(self.tr("Search"))
        self.points_heading.setText(self.tr("Points award or deduction (optional)"))
        self.points_delta.setPlaceholderText(self.tr("Points, e.g. 100 or -50"))
        self.points_expiry.setPlaceholderText(self.tr("Expires YYYY-MM-DD"))
        self.description.setPlaceholderText(self.tr("Description (optional)"))
        for caption, text in zip(
            self._captions,
            (self.tr("Points"), self.tr("Expires"), self.tr("Description")),
            strict=True,
        ):
            caption.setText(text)
        self._draw_picked_words()
        self._draw_found()
        self._draw_preview()
        preview = self.controller.preview_result
        merged = len(preview.merged_ids) if preview is not None else 0
        primary = next(
            (a for a in self.controller.accounts if a.id == self.controller.primary_id), None
        )
        primary_name = words.name(primary) if primary is not None else ""
        others = [words.name(a) for a in self.controller.accounts if a is not primary]
        self.confirm_text.setText(
            self.tr("%1 will be merged into %2, which keeps its login.")
            .replace("%1", self.tr(", ", "between names").join(others))
            .replace("%2", primary_name)
        )
        if preview is not None:
            self.confirm_result.setText(
                self.tr("The merged account: %1 orders, %2 net spending, %3 points.")
                .replace("%1", f"{preview.orders_count:,}")
                .replace("%2", words.money(preview.net_spend))
                .replace("%3", f"{preview.points_balance:,}")
            )
        self.confirm_warning.setText(
            self.tr(
                "This can't be undone. Their orders and points move to the primary account; "
                "their mobiles, e-mails and LINE accounts can never be used again."
            )
        )
        if self._merged is not None:
            member = self._merged
            self.done_text.setText(
                self.tr("%1 now holds: orders %2, net spending %3, points %4.")
                .replace("%1", words.name(member))
                .replace("%2", f"{member.orders_count:,}")
                .replace("%3", words.money(member.net_spend))
                .replace("%4", f"{member.points:,}")
            )
        self.cancel.setText(self.tr("Cancel"))
        self.back.setText(self.tr("Back"))
        self.cancel.setVisible(step in (Step.PICK, Step.PREVIEW, Step.CONFIRM))
        self.back.setVisible(step in (Step.PREVIEW, Step.CONFIRM))
        self.next.setText(
            {
                Step.PICK: self.tr("Preview"),
                Step.PREVIEW: self.tr("Merge…"),
                Step.CONFIRM: self.tr("Merge %1 accounts for good").replace("%1", str(merged + 1)),
                Step.DONE: self.tr("Close"),
            }[step]
        )
        self.next.setProperty("danger", step == Step.CONFIRM)
        self.next.style().unpolish(self.next)
        self.next.style().polish(self.next)
        self.draw_message()
