"""The Members screen for managers and admins: overview cards, the searchable, filterable
member list, a member's details, adding members, inviting past buyers, exporting.

``MembersScreen(client)`` is all the shell needs: a logged-in ``OmoClient`` of a manager or
an admin. The screen loads when first shown (or on ``start()``), and never waits on the
network: pages, details and the export run on workers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QScroller,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from backend_client.client import MemberQuery, OmoClient
from backend_client.errors import ApiError, UnauthorizedError
from omo_desktop.design import fonts
from omo_desktop.design.tokens import BUTTON_HEIGHT, SPACE
from omo_desktop.members import words
from omo_desktop.members.detail import MemberDetail
from omo_desktop.members.directory import MembersController
from omo_desktop.members.export import MemberExport
from omo_desktop.members.imports import ImportController
from omo_desktop.members.merge import MergeController
from omo_desktop.members.table import Column, MemberTableModel
from omo_desktop.messages import describe, invite_skipped
from omo_desktop.screens.base import button, label
from omo_desktop.screens.members.add_member import AddMemberDialog
from omo_desktop.screens.members.detail import DetailPane, Where
from omo_desktop.screens.members.filters import FilterBar
from omo_desktop.screens.members.import_wizard import ImportWizard
from omo_desktop.screens.members.merge import MergeDialog
from omo_desktop.screens.members.overview import OverviewCards
from omo_desktop.widgets import named
from omo_desktop.widgets.fitted_columns import FittedColumns
from omo_desktop.widgets.layout import MessageLine, Tone

ROW_HEIGHT = BUTTON_HEIGHT
# At the counter's 1280 px: the seven columns beside a member's details.
TABLE_WIDTH = 54 * SPACE["m"]
DETAIL_WIDTH = 23 * SPACE["m"]
# A typical longest value of each column: it is measured in the table's font, never in a
# million rows. A longer one is cut with "…" (the details show it whole).
COLUMN_SAMPLE = {
    Column.NAME: "Alice Wang",
    Column.PHONE: "+886 9•••••678",
    Column.LEVEL: "Platinum",
    Column.POINTS: "12,345",
    Column.NET_SPEND: "NT$123,456",
    Column.REFERRAL_STORE: "台北總店",
    Column.MEMBER_SINCE: "2026-11-28",
}
# Past buyers show fewer columns, and their e-mail (whom the invitation goes to) whole.
# When the seven columns do not fit beside a member's details, these make room first (the
# details show them), in this order; the name and the store share whatever width is left.
DROP_FIRST = (Column.POINTS, Column.MEMBER_SINCE, Column.REFERRAL_STORE, Column.LEVEL)
PAST_BUYER_SAMPLE = COLUMN_SAMPLE | {
    Column.NAME: "Alice Wang-Chen",
    Column.PHONE: "a••••••••@e••••••••.com",
}

SavePathChooser = Callable[[QWidget], Path | None]


def ask_save_path(parent: QWidget) -> Path | None:
    """Where to save the export: the system's save dialog."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("MembersScreen", "Export members"),
        "members.csv",
        QCoreApplication.translate("MembersScreen", "CSV files (*.csv)"),
    )
    return Path(chosen) if chosen else None


def member_table(model: MemberTableModel, name: str) -> QTableView:
    """A list that pages as it scrolls: fixed row heights (no measuring a million rows),
    swiped with a finger (kinetic) or scrolled with a mouse wheel."""
    table = named(QTableView(), name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setMinimumHeight(ROW_HEIGHT)
    header.setHighlightSections(False)
    QScroller.grabGesture(table.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    FittedColumns(table, stretch=(Column.NAME, Column.REFERRAL_STORE), drop=DROP_FIRST)
    size_columns(table)
    return table


def columns_of(table: QTableView) -> FittedColumns:
    """The column fitting ``member_table`` gave ``table``."""
    fitted = table.findChild(FittedColumns)
    assert fitted is not None, "not a member_table"
    return fitted


def size_columns(table: QTableView, samples: dict[Column, str] = COLUMN_SAMPLE) -> None:
    """Each column as wide as its header's words or its sample value, whichever is wider."""
    header = table.horizontalHeader()
    # The rows are drawn in the body text's font (the theme's, whatever the table had before).
    metrics = QFontMetrics(fonts.app_font())
    padding = 3 * SPACE["s"]  # the cell's padding and its frame
    columns_of(table).set_wanted(
        {
            column: max(header.sectionSizeHint(column), metrics.horizontalAdvance(sample) + padding)
            for column, sample in samples.items()
        }
    )


class MembersScreen(QWidget):
    """``MembersScreen(client, parent=None, *, choose_save_path=ask_save_path)``.

    ``session_ended(ApiError)``: the backend no longer accepts the session (401): the shell
    logs out as it does for the counter.
    """

    session_ended = Signal(object)  # ApiError

    def __init__(
        self,
        client: OmoClient,
        parent: QWidget | None = None,
        *,
        choose_save_path: SavePathChooser = ask_save_path,
        role: schemas.Role = schemas.Role.MANAGER,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("members")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.client = client
        self.choose_save_path = choose_save_path
        self.admin = role.at_least(schemas.Role.ADMIN)
        self.controller = MembersController(client, self)
        self.detail_controller = MemberDetail(client, self)
        self.export = MemberExport(client, self)
        self._started = False
        self._dialog: AddMemberDialog | None = None
        self._merge: MergeDialog | None = None
        self._import: ImportWizard | None = None
        self._list_error: ApiError | None = None
        self._note: tuple[Callable[[], str], Tone] | None = None

        # Title row: which list, and the actions.
        self.title = label("members_title", "title", wrap=False)
        self.show_members = button("show_members", "chip")
        self.show_past_buyers = button("show_past_buyers", "chip")
        for tab in (self.show_members, self.show_past_buyers):
            tab.setCheckable(True)
        self.show_members.setChecked(True)
        self.show_members.clicked.connect(lambda: self.show_page(past_buyers=False))
        self.show_past_buyers.clicked.connect(lambda: self.show_page(past_buyers=True))
        self.export_button = button("export")
        self.export_button.clicked.connect(self.start_export)
        self.add_button = button("add_member", "primary")
        self.add_button.clicked.connect(self.open_add_member)
        # An admin's: merging one customer's accounts.
        self.merge_button = button("merge_accounts")
        self.merge_button.clicked.connect(self.open_merge)
        self.import_button = button("import_members")
        self.import_button.clicked.connect(self.open_import)
        top = QHBoxLayout()
        top.setSpacing(SPACE["m"])
        top.addWidget(self.title)
        top.addSpacing(SPACE["m"])
        top.addWidget(self.show_members)
        top.addWidget(self.show_past_buyers)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        top.addWidget(self.merge_button)
        top.addWidget(self.add_button)

        self.overview = OverviewCards()
        self.filters = FilterBar()
        self.message = MessageLine("members_message")
        self.retry = button("retry", "link")
        self.retry.clicked.connect(self._retry)
        self.retry.hide()

        # The export under way: progress and Cancel.
        self.export_panel = named(QWidget(), "export_panel")
        self.export_progress = named(QProgressBar(), "export_progress")
        self.export_progress.setTextVisible(False)
        self.export_text = label("export_text", "body", wrap=False)
        self.export_cancel = button("export_cancel")
        self.export_cancel.clicked.connect(self.export.cancel)
        export_row = QHBoxLayout(self.export_panel)
        export_row.setContentsMargins(0, 0, 0, 0)
        export_row.setSpacing(SPACE["m"])
        export_row.addWidget(self.export_text)
        export_row.addWidget(self.export_progress, 1)
        export_row.addWidget(self.export_cancel)
        self.export_panel.hide()
        self._export_rows = 0

        # The two lists: members (with a member's details beside) and past buyers.
        self.table = member_table(self.controller.members, "member_table")
        # Newest members first until a sortable header (name, net spend, joined) is tapped.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.detail = DetailPane()
        self.detail.set_admin(self.admin)
        split = named(QSplitter(Qt.Orientation.Horizontal), "members_split")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setSizes([TABLE_WIDTH, DETAIL_WIDTH])
        split.setChildrenCollapsible(False)
        self.past_table = member_table(self.controller.past_buyers, "past_buyer_table")
        self.past_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        columns_of(self.past_table).never_show((Column.LEVEL, Column.POINTS, Column.REFERRAL_STORE))
        self.past_hint = label("past_hint", "hint")
        self.invite = button("invite", "primary")
        self.invite.clicked.connect(self._invite)
        past_bar = QHBoxLayout()
        past_bar.addWidget(self.past_hint, 1)
        past_bar.addWidget(self.invite)
        past_page = QWidget()
        past_column = QVBoxLayout(past_page)
        past_column.setContentsMargins(0, 0, 0, 0)
        past_column.setSpacing(SPACE["s"])
        past_column.addWidget(self.past_table, 1)
        past_column.addLayout(past_bar)
        self.pages = named(QStackedWidget(), "members_pages")
        self.pages.addWidget(split)
        self.pages.addWidget(past_page)

        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignTop)

        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["l"], SPACE["m"])
        column.setSpacing(SPACE["s"])
        column.addLayout(top)
        column.addWidget(self.overview)
        column.addWidget(self.filters)
        column.addWidget(self.export_panel)
        column.addWidget(self.pages, 1)
        # Under the list: its kept room for a message is no hole between the filters and rows.
        column.addLayout(message_row)

        # An admin's only; hidden once laid out (a widget shown before it has a parent would
        # open as a window of its own).
        for action in (self.import_button, self.merge_button):
            action.setHidden(not self.admin)

        self._connect()
        self.retranslate()

    # --- wiring ------------------------------------------------------------------------------

    def _connect(self) -> None:
        c, d = self.controller, self.detail_controller
        c.overview_loaded.connect(self._overview)
        c.overview_failed.connect(self._show_error)
        c.levels_loaded.connect(self._levels)
        c.query_changed.connect(self.filters.show_query)
        c.query_changed.connect(self._show_sort)
        c.member_added.connect(self._added)
        c.add_failed.connect(self._add_failed)
        c.busy_changed.connect(self._dialog_busy)
        c.invited.connect(self._invited)
        c.invite_failed.connect(self._show_error)
        for model in (c.members, c.past_buyers):
            model.failed.connect(self._page_failed)
            model.total_changed.connect(lambda _total: self._count())
            model.loading_changed.connect(lambda _loading: self._count())
        c.members.modelReset.connect(self._list_reset)
        self.filters.search_typed.connect(c.search)
        self.filters.filters_changed.connect(lambda changes: c.set_filters(**changes))
        self.filters.clear_requested.connect(c.clear_filters)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.past_table.selectionModel().selectionChanged.connect(lambda *_: self._past_chosen())
        d.member_loaded.connect(self.detail.show_member)
        d.points_loaded.connect(self.detail.show_points)
        d.orders_loaded.connect(self.detail.show_orders)
        d.audit_loaded.connect(self.detail.show_audit)
        d.load_failed.connect(lambda error: self._detail_failed(error, Where.SUMMARY))
        d.saved.connect(self._saved)
        d.save_failed.connect(lambda error: self._detail_failed(error, Where.PROFILE))
        d.points_changed.connect(self.detail.show_points_changed)
        d.points_failed.connect(lambda error: self._detail_failed(error, Where.POINTS))
        d.member_loaded.connect(c.members.replace)
        self.detail.save_requested.connect(d.save)
        self.detail.points_requested.connect(d.change_points)
        self.detail.erase_requested.connect(d.erase)
        d.erased.connect(self._erased)
        d.erase_failed.connect(self._erase_failed)
        self.export.progress.connect(self._export_progress)
        self.export.done.connect(self._export_done)
        self.export.failed.connect(self._export_failed)
        self.export.cancelled.connect(self._export_cancelled)

    def _show_sort(self, query: MemberQuery) -> None:
        if query.sort is None:  # filters cleared: back to newest first, no column marked
            self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.DescendingOrder)

    def start(self) -> None:
        """Load the overview and the first pages (the shell may call it; showing does too)."""
        if not self._started:
            self._started = True
            self.controller.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    # --- the lists -------------------------------------------------------------------------------

    def show_page(self, *, past_buyers: bool) -> None:
        self.pages.setCurrentIndex(1 if past_buyers else 0)
        if self._note is not None:  # a note is about the page it was said on
            self._note = None
            self.message.clear()
        # The filters are the members' (levels, carts, LINE…): past buyers are only searched.
        self.filters.show_chips(not past_buyers)
        # The export is of the members list and its filters.
        self.export_button.setVisible(not past_buyers)
        self.show_members.setChecked(not past_buyers)
        self.show_past_buyers.setChecked(past_buyers)
        self._count()

    def _current_model(self) -> MemberTableModel:
        if self.pages.currentIndex() == 1:
            return self.controller.past_buyers
        return self.controller.members

    def _count(self) -> None:
        model = self._current_model()
        self.filters.set_count(model.total, model.total_exact, model.loading)

    def _list_reset(self) -> None:
        self.detail_controller.clear()
        self.detail.clear()

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.controller.members.row(current.row())
        if row is None:
            return
        self.detail.loading(row.id)
        self.detail_controller.show(row.id)

    def _page_failed(self, error: ApiError) -> None:
        self._list_error = error
        self._show_error(error)
        self.retry.show()

    def _retry(self) -> None:
        self.retry.hide()
        self.message.clear()
        self._list_error = None
        self._note = None
        self._current_model().retry()

    def _overview(self, overview: schemas.MemberOverview) -> None:
        self.overview.show_overview(overview)
        stores: list[tuple[str, str]] = []
        for count in overview.by_store:
            if count.store is not None:
                stores.append((count.store, count.store_name or count.store))
        self.filters.set_stores(stores)

    def _levels(self, levels: list[schemas.Level]) -> None:
        self.overview.set_levels(levels)
        self.filters.set_levels(levels)
        self.detail.set_levels(levels)

    def _saved(self, member: schemas.Member) -> None:
        self.detail.show_saved(member)
        self.controller.members.replace(member)

    # --- messages --------------------------------------------------------------------------------

    def _detail_failed(self, error: ApiError, where: Where) -> None:
        if isinstance(error, UnauthorizedError):
            self.session_ended.emit(error)
        self.detail.show_error(error, where)

    def _show_error(self, error: ApiError) -> None:
        if isinstance(error, UnauthorizedError):
            self.session_ended.emit(error)
        self._note = None
        self._list_error = error
        self.message.show_message(describe(error), Tone.ERROR)

    def _show_note(self, words: Callable[[], str], tone: Tone = Tone.INFO) -> None:
        self._note = (words, tone)
        self._list_error = None
        self.message.show_message(words(), tone)

    # --- importing, merging and erasing (an admin) ----------------------------------------------

    def open_import(self) -> ImportWizard:
        controller = ImportController(self.client, self)
        wizard = ImportWizard(controller, self)
        controller.imported.connect(self._imported)
        controller.failed.connect(self._session_check)
        wizard.finished.connect(lambda _code: self._import_closed(wizard, controller))
        self._import = wizard
        wizard.open()
        return wizard

    def _import_closed(self, wizard: ImportWizard, controller: ImportController) -> None:
        if self._import is wizard:
            self._import = None
        wizard.deleteLater()
        controller.deleteLater()

    def _imported(self, result: schemas.ImportResult) -> None:
        self.controller.members.reload()
        self.controller.refresh_overview()
        created, updated = f"{result.created:,}", f"{result.updated:,}"
        self._show_note(
            lambda: (
                self.tr("Imported: %1 new members, %2 changed.")
                .replace("%1", created)
                .replace("%2", updated)
            )
        )

    def open_merge(self) -> MergeDialog:
        """The merge dialog, with the member shown beside the list as its first account."""
        controller = MergeController(self.client, self)
        shown = self.detail_controller.member
        if shown is not None:
            controller.add(shown)
        dialog = MergeDialog(controller, self.controller.levels, self)
        controller.merged.connect(self._merged)
        controller.failed.connect(self._session_check)
        dialog.finished.connect(lambda _code: self._merge_closed(dialog, controller))
        self._merge = dialog
        dialog.open()
        return dialog

    def _merge_closed(self, dialog: MergeDialog, controller: MergeController) -> None:
        if self._merge is dialog:
            self._merge = None
        dialog.deleteLater()
        controller.deleteLater()

    def _merged(self, member: schemas.Member) -> None:
        # The merged accounts leave the list; the primary's totals changed.
        self.controller.members.reload()
        self.controller.refresh_overview()
        name = words.name(member)
        self._show_note(lambda: self.tr("Accounts merged into %1.").replace("%1", name), Tone.INFO)

    def _erased(self, member: schemas.Member) -> None:
        self.controller.members.reload()
        self.controller.refresh_overview()
        number = str(member.id)
        self._show_note(
            lambda: self.tr(
                "Member %1's personal data was erased. Their orders stay in the totals."
            ).replace("%1", number),
            Tone.INFO,
        )

    def _erase_failed(self, error: ApiError) -> None:
        self._session_check(error)
        self.detail.erase_failed(error)

    def _session_check(self, error: ApiError) -> None:
        """A dialog's call refused for the session (401): the shell logs out."""
        if isinstance(error, UnauthorizedError):
            self.session_ended.emit(error)

    # --- adding a member -------------------------------------------------------------------------

    def open_add_member(self) -> AddMemberDialog:
        dialog = AddMemberDialog(self.controller.levels, self)
        dialog.add_requested.connect(self.controller.add_member)
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self._dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: AddMemberDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()

    def _dialog_busy(self, busy: bool) -> None:
        if self._dialog is not None:
            self._dialog.set_busy(busy)

    def _added(self, member: schemas.MemberCreated) -> None:
        if self._dialog is not None:
            self._dialog.accept()
        name = member.name or member.phone_masked or member.email_masked or ""
        by_sms = member.first_login_channel == schemas.FirstLoginChannel.SMS

        def words() -> str:
            if by_sms:
                text = self.tr(
                    "%1 was added as a member. Their first-login link went by SMS to %2."
                )
            else:
                text = self.tr(
                    "%1 was added as a member. Their first-login link went by e-mail to %2."
                )
            return text.replace("%1", name).replace("%2", member.first_login_to)

        self._show_note(words)

    def _add_failed(self, error: ApiError) -> None:
        if self._dialog is not None:
            self._dialog.show_error(error)
        else:
            self._show_error(error)

    # --- inviting past buyers --------------------------------------------------------------------

    def selected_past_buyers(self) -> list[int]:
        model = self.controller.past_buyers
        ids = []
        for index in self.past_table.selectionModel().selectedRows():
            row = model.row(index.row())
            if row is not None:
                ids.append(row.id)
        return ids

    def select_past_buyers(self, rows: list[int]) -> None:
        """Select these rows of the past-buyer list (as tapping them does)."""
        selection = self.past_table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for number in rows:
            selection.select(self.controller.past_buyers.index(number, 0), flags)

    def _past_chosen(self) -> None:
        count = len(self.selected_past_buyers())
        self.invite.setEnabled(count > 0)
        self.invite.setText(self.tr("Invite by e-mail (%1)").replace("%1", str(count)))

    def _invite(self) -> None:
        ids = self.selected_past_buyers()
        if ids:
            self.controller.invite(ids)

    def _invited(self, result: schemas.InviteResult) -> None:
        self.past_table.clearSelection()
        sent, skipped = len(result.sent), list(result.skipped)

        def words() -> str:
            text = self.tr("Invitations sent: %1. Skipped: %2.")
            text = text.replace("%1", str(sent)).replace("%2", str(len(skipped)))
            reasons = sorted({invite_skipped(s.code.value) for s in skipped})
            for reason in reasons:
                # A sentence after a sentence: a space in English, none in Chinese.
                text = self.tr("%1 %2", "one sentence after another").replace("%1", text)
                text = text.replace("%2", reason)
            return text

        self._show_note(words, Tone.INFO if not skipped else Tone.NOTICE)

    # --- exporting -------------------------------------------------------------------------------

    def start_export(self) -> None:
        if self.export.running:
            return
        path = self.choose_save_path(self)
        if path is None:
            return
        query: MemberQuery = self.controller.query
        # How many rows the file will hold is not known up front (a manager's export holds
        # only their own store's referrals): the bar shows it is working, the words count.
        self.show_export_progress(0)
        self.export_button.setEnabled(False)
        self.export.start(query, path)

    def show_export_progress(self, rows: int) -> None:
        """The export panel as it is ``rows`` into the file (the gallery draws it so)."""
        self.export_progress.setRange(0, 0)
        self.export_panel.show()
        self._export_progress(rows)

    def _export_progress(self, rows: int) -> None:
        self._export_rows = rows
        self.export_text.setText(self.tr("Exporting: %1 members so far").replace("%1", f"{rows:,}"))

    def _export_ended(self) -> None:
        self.export_panel.hide()
        self.export_button.setEnabled(True)

    def _export_done(self, path: Path) -> None:
        self._export_ended()
        rows = f"{self._export_rows:,}"
        self._show_note(
            lambda: (
                self.tr("Members exported: %1. File: %2")
                .replace("%1", rows)
                .replace("%2", str(path))
            )
        )

    def _export_failed(self, error: ApiError) -> None:
        self._export_ended()
        self._show_error(error)

    def _export_cancelled(self) -> None:
        self._export_ended()
        self._show_note(lambda: self.tr("Export cancelled: no file was kept."), Tone.NOTICE)

    # --- words -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("Members"))
        self.show_members.setText(self.tr("Members"))
        self.show_past_buyers.setText(self.tr("Past buyers"))
        self.export_button.setText(self.tr("Export CSV"))
        self.add_button.setText(self.tr("Add member"))
        self.merge_button.setText(self.tr("Merge accounts"))
        self.import_button.setText(self.tr("Import CSV"))
        self.retry.setText(self.tr("Try again"))
        self.export_cancel.setText(self.tr("Cancel"))
        self.past_hint.setText(
            self.tr("Customers who bought but are not members. Tap rows to choose whom to invite.")
        )
        self._past_chosen()
        self._count()
        for model in (self.controller.members, self.controller.past_buyers):
            model.retranslate()
        size_columns(self.table)
        size_columns(self.past_table, PAST_BUYER_SAMPLE)
        if self._list_error is not None:
            self.message.show_message(describe(self._list_error), Tone.ERROR)
        elif self._note is not None:
            words, tone = self._note
            self.message.show_message(words(), tone)
        self._export_progress(self._export_rows)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
