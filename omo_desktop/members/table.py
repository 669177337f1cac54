"""The member list as a Qt table model that pages through the API's cursor as staff scroll.

Nothing is loaded up front and nothing ever blocks: ``fetchMore`` starts one page on a worker
(``BackendOp``) and returns at once; the rows are inserted when the page arrives. ``data()``
only reads rows already here. A new query (``set_query``) resets the model; a page of the old
query arriving late is dropped (each query has a generation number).

Staff may scroll past a hundred thousand rows, so each row is kept as a plain tuple of what the
table shows (strings, ints, None: ``_Row``), made on the worker as the page arrives, never as
the page's pydantic ``MemberRow``. A model with its nested referral, store, staff and
datetimes is some ten objects that Python's cyclic garbage collector tracks; a tuple of atoms
is untracked by the collector the first time it sees it, so a full collection no longer walks
the rows (with ``MemberRow`` it walked every one: stalls of 0.4–1 s at 100,000 rows) and the
rows take about a sixth of the memory. What the detail pane shows is fetched by id, as before.
No ``gc.freeze()`` after a page: it would also keep for good whatever cyclic garbage is
waiting at that moment, and with the rows untracked there is little left for it to spare.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

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


class Listed(NamedTuple):
    """A row of the list as the table keeps it (``_Row``: the same fields, a plain tuple)."""

    id: int
    name: str | None
    phone_masked: str | None
    email_masked: str | None
    level: str | None  # a level's code
    points: int
    net_spend: int  # minor units
    referral_store: str | None  # the referral store's name
    day: str  # member since (a past buyer: first recorded), as words.day shows it


# A plain tuple, not ``Listed``: the collector untracks only exact tuples of untracked items.
_Row = tuple[int, str | None, str | None, str | None, str | None, int, int, str | None, str]


def _row(member: schemas.MemberRow) -> _Row:
    """What the table keeps of a member (on the worker, as the page arrives)."""
    referral = member.referral
    # Store names, level codes and days repeat from row to row: one string each.
    store = sys.intern(referral.store.name) if referral is not None else None
    level = sys.intern(member.level) if member.level is not None else None
    return (
        member.id,
        member.name,
        member.phone_masked,
        member.email_masked,
        level,
        member.points,
        member.net_spend,
        store,
        sys.intern(words.day(member.member_since or member.created_at)),
    )


class _Page(NamedTuple):
    rows: list[_Row]
    next_cursor: str | None
    total: int
    total_exact: bool


def _page(page: schemas.MemberList) -> _Page:
    return _Page(
        [_row(item) for item in page.items], page.next_cursor, page.total, page.total_exact
    )


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_NUMBERS = {Column.POINTS, Column.NET_SPEND}


class MemberTableModel(QAbstractTableModel):
    """Rows of members (``Listed``); ``total`` is the number of matches the backend counted."""

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
        self._rows: list[_Row] = []
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
            return row[0]
        return None

    def _text(self, row: _Row, column: Column) -> str:
        _id, name, phone, email, level, points, net_spend, store, day = row
        match column:
            case Column.NAME:
                return words.display_name(name)
            case Column.PHONE:
                if self.past_buyers:
                    return email or words.dash()
                return phone or email or words.dash()
            case Column.LEVEL:
                if level is None:
                    return words.dash()
                return words.level(level, self.levels)
            case Column.POINTS:
                return f"{points:,}"
            case Column.NET_SPEND:
                return words.money(net_spend)
            case Column.REFERRAL_STORE:
                return store or words.dash()
            case Column.MEMBER_SINCE:
                # A past buyer has no membership: when they were first recorded.
                return day

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
            op=lambda: _page(self._fetch(query, cursor, PAGE_SIZE)),
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

    def row(self, number: int) -> Listed | None:
        return Listed._make(self._rows[number]) if 0 <= number < len(self._rows) else None

    def replace(self, member: schemas.MemberRow) -> None:
        """A member changed (profile, points): their row shows it without a reload."""
        for number, row in enumerate(self._rows):
            if row[0] == member.id:
                self._rows[number] = _row(member)
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

    def _arrived(self, generation: int, page: _Page) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        self._cursor = page.next_cursor
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        if len(self._rows) == len(page.rows) or page.total != self.total:
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
