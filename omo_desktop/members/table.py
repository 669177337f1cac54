"""The member list as a Qt table model that pages through the API's cursor as staff scroll.

Nothing is loaded up front and nothing ever blocks: ``fetchMore`` starts one page on a worker
(``BackendOp``) and returns at once; the rows are inserted when the page arrives. ``data()``
only reads rows already here. A new query (``set_query``) resets the model; a page of the old
query arriving late is dropped (each query has a generation number).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from backend_client import schemas
from backend_client.client import MemberQuery
from backend_client.errors import ApiError
from omo_desktop.members import words
from omo_desktop.workers import BackendOp

# One page of the list (the API's most is 200): a screenful or two, one round trip.
PAGE_SIZE = 100

Fetch = Callable[[MemberQuery, str | None, int], schemas.MemberList]
Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    PHONE = 1
    LEVEL = 2
    POINTS = 3
    NET_SPEND = 4
    REFERRAL_STORE = 5
    MEMBER_SINCE = 6


def _headers(past_buyers: bool) -> dict[Column, str]:
    if past_buyers:
        # A past buyer is invited by e-mail and has no membership: what matters differs.
        return _headers(False) | {
            Column.PHONE: QCoreApplication.translate("Members", "E-mail"),
            Column.MEMBER_SINCE: QCoreApplication.translate("Members", "First seen"),
        }
    return {
        Column.NAME: QCoreApplication.translate("Members", "Name"),
        Column.PHONE: QCoreApplication.translate("Members", "Mobile"),
        Column.LEVEL: QCoreApplication.translate("Members", "Level"),
        Column.POINTS: QCoreApplication.translate("Members", "Points"),
        Column.NET_SPEND: QCoreApplication.translate("Members", "Net spend"),
        Column.REFERRAL_STORE: QCoreApplication.translate("Members", "Store"),
        Column.MEMBER_SINCE: QCoreApplication.translate("Members", "Joined"),
    }


# The columns the backend sorts by (``sort=``), ascending; descending is the same with "-".
SORTABLE = {
    Column.NAME: schemas.MemberSort.NAME,
    Column.NET_SPEND: schemas.MemberSort.NET_SPEND,
    Column.MEMBER_SINCE: schemas.MemberSort.MEMBER_SINCE,
}

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_NUMBERS = {Column.POINTS, Column.NET_SPEND}


class MemberTableModel(QAbstractTableModel):
    """Rows of ``MemberRow``; ``total`` is the number of matches the backend counted."""

    loading_changed = Signal(bool)
    sort_requested = Signal(str)  # a MemberSort value
    total_changed = Signal(int)
    failed = Signal(object)  # ApiError

    def __init__(
        self, fetch: Fetch, parent: QObject | None = None, *, past_buyers: bool = False
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.past_buyers = past_buyers
        self._query: MemberQuery | None = None
        self._rows: list[schemas.MemberRow] = []
        self._cursor: str | None = None
        self._started = False
        self._loading = False
        self._failed = False
        self._generation = 0
        self.total = 0
        # False when the backend stopped counting at its cap: "10,000+".
        self.total_exact = True
        self.levels: dict[str, schemas.Level] = {}

    # --- what the view asks ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or section >= len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _headers(self.past_buyers)[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if Column(section) in _NUMBERS else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _NUMBERS else _LEFT
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _text(self, row: schemas.MemberRow, column: Column) -> str:
        match column:
            case Column.NAME:
                return words.name(row)
            case Column.PHONE:
                if self.past_buyers:
                    return row.email_masked or words.dash()
                return row.phone_masked or row.email_masked or words.dash()
            case Column.LEVEL:
                if row.level is None:
                    return words.dash()
                return words.level(row.level, self.levels)
            case Column.POINTS:
                return f"{row.points:,}"
            case Column.NET_SPEND:
                return words.money(row.net_spend)
            case Column.REFERRAL_STORE:
                return words.referral_store(row)
            case Column.MEMBER_SINCE:
                # A past buyer has no membership: when they were first recorded.
                return words.day(row.member_since or row.created_at)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A tap on a sortable column's header: the backend sorts (a page is all that is here)."""
        if column not in SORTABLE:
            return
        key = SORTABLE[Column(column)].value
        if order == Qt.SortOrder.DescendingOrder:
            key = "-" + key
        self.sort_requested.emit(key)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._query is None or self._loading or self._failed:
            return False
        return not self._started or self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._query is not None
        query, cursor, generation = self._query, self._cursor, self._generation
        self._set_loading(True)
        self._started = True
        BackendOp(
            parent=self,
            op=lambda: self._fetch(query, cursor, PAGE_SIZE),
            success=lambda page: self._arrived(generation, page),
        ).failure(lambda error: self._not_arrived(generation, error)).run()

    # --- what the screen does ----------------------------------------------------------------

    @property
    def query(self) -> MemberQuery | None:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(self, query: MemberQuery) -> None:
        """Show the members ``query`` finds, from the first page."""
        self.beginResetModel()
        self._generation += 1
        self._query = query
        self._rows = []
        self._cursor = None
        self._started = False
        self._loading = False
        self._failed = False
        self.endResetModel()
        self.fetchMore()

    def retry(self) -> None:
        """After a page failed: ask for it again."""
        self._failed = False
        self.fetchMore()

    def reload(self) -> None:
        if self._query is not None:
            self.set_query(self._query)

    def row(self, number: int) -> schemas.MemberRow | None:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def replace(self, member: schemas.MemberRow) -> None:
        """A member changed (profile, points): their row shows it without a reload."""
        for number, row in enumerate(self._rows):
            if row.id == member.id:
                self._rows[number] = schemas.MemberRow.model_validate(member.model_dump())
                self.dataChanged.emit(self.index(number, 0), self.index(number, len(Column) - 1))
                return

    def retranslate(self) -> None:
        """The language changed: the headers and the level names read anew."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1)
            )

    # --- pages arriving ------------------------------------------------------------------------

    def _arrived(self, generation: int, page: schemas.MemberList) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        self._cursor = page.next_cursor
        if page.items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.items) - 1)
            self._rows.extend(page.items)
            self.endInsertRows()
        if len(self._rows) == len(page.items) or page.total != self.total:
            self.total = page.total
            self.total_exact = page.total_exact
            self.total_changed.emit(page.total)

    def _not_arrived(self, generation: int, error: ApiError) -> None:
        if generation != self._generation:
            return
        # Not asked again by itself (the view would ask at once, in a loop while offline):
        # the screen says what happened and offers ``retry``.
        self._failed = True
        self._started = bool(self._rows)
        self._set_loading(False)
        self.failed.emit(error)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
