"""The member table pages through the API's cursor as staff scroll, never on the UI thread.

The pages here come from a function standing in for ``GET /members`` over a million members
(the list's own behaviour is tested against the real backend in test_members_screen.py):
what is checked is the model's side, that scrolling to the end of a million rows loads only
the pages scrolled past, that ``data()`` never asks for anything, and that a page of an old
query arriving late is dropped.
"""

from __future__ import annotations

import gc
import threading
import time
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QScroller
from pytestqt.qtbot import QtBot

from backend_client import schemas
from backend_client.client import MemberQuery
from backend_client.errors import OfflineError
from omo_desktop.members.table import PAGE_SIZE, Column, MemberTableModel
from omo_desktop.screens.members.screen import ROW_HEIGHT, member_table

MILLION = 1_000_000
WAIT_MS = 10_000


def row(number: int) -> schemas.MemberRow:
    return schemas.MemberRow(
        id=number + 1,
        name=f"會員 {number}",
        phone_masked="0912-***-678",
        email_masked=None,
        level=None,
        points=number % 500,
        net_spend=number * 100,
        orders_count=1,
        open_cart=False,
        referral=None,
        line_bound=False,
        member_since=datetime(2026, 1, 1, tzinfo=UTC),
    )


class MillionMembers:
    """Pages of a million members, cursor = offset; records the threads it was called on."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[tuple[MemberQuery, str | None]] = []
        self.threads: set[str] = set()
        self.delay = delay
        self.fail = False

    def __call__(self, query: MemberQuery, cursor: str | None, limit: int) -> schemas.MemberList:
        self.calls.append((query, cursor))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)
        if self.fail:
            raise OfflineError("offline", "down")
        start = int(cursor or 0)
        end = min(MILLION, start + limit)
        return schemas.MemberList(
            items=[row(n) for n in range(start, end)],
            next_cursor=str(end) if end < MILLION else None,
            total=10_000,
            total_exact=False,
        )


def test_scrolling_a_million_members_loads_only_the_pages_scrolled_past(qtbot: QtBot):
    source = MillionMembers()
    model = MemberTableModel(source)
    table = member_table(model, "member_table")
    table.resize(900, 600)
    qtbot.addWidget(table)
    table.show()
    model.set_query(MemberQuery())
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=WAIT_MS)
    assert model.total == 10_000
    assert not model.total_exact

    for _ in range(5):
        loaded = model.rowCount()
        table.scrollToBottom()
        QApplication.processEvents()
        qtbot.waitUntil(lambda n=loaded: model.rowCount() > n, timeout=WAIT_MS)
    # Six pages for six screens' worth of scrolling, not a million rows.
    assert model.rowCount() == 6 * PAGE_SIZE
    assert len(source.calls) == 6
    assert [cursor for _q, cursor in source.calls] == [None] + [
        str(PAGE_SIZE * n) for n in range(1, 6)
    ]
    # Scrolling itself never waits for a page: the pages come on workers (how long a scroll
    # step takes is the bench's figure, not a test's).
    assert threading.main_thread().name not in source.threads
    assert model.data(model.index(0, Column.NAME)) == "會員 0"
    assert model.data(model.index(1, Column.NET_SPEND)) == "NT$1"
    assert model.data(model.index(499, Column.POINTS)) == "499"


def test_the_rows_kept_are_not_walked_by_the_garbage_collector(qtbot: QtBot):
    # A hundred thousand rows scrolled past stay in the model: as pydantic rows each was some
    # ten objects a full collection walks (with the GIL held: a stall), as tuples of atoms none.
    model = MemberTableModel(MillionMembers())
    model.set_query(MemberQuery())
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=WAIT_MS)
    gc.collect()
    kept = model._rows  # what the model holds is the point here
    assert len(kept) == PAGE_SIZE
    assert not any(gc.is_tracked(row) for row in kept)
    listed = model.row(3)
    assert listed is not None
    assert (listed.id, listed.name, listed.points) == (4, "會員 3", 3)
    assert model.data(model.index(3, Column.MEMBER_SINCE)) == listed.day != ""
    assert model.data(model.index(3, Column.REFERRAL_STORE)) == "—"
    assert model.data(model.index(3, Column.LEVEL)) == "—"


def test_rows_are_tall_enough_to_tap_and_swipe_scrolls(qtbot: QtBot):
    model = MemberTableModel(MillionMembers())
    table = member_table(model, "member_table")
    qtbot.addWidget(table)
    assert table.verticalHeader().defaultSectionSize() == ROW_HEIGHT >= 44
    assert ROW_HEIGHT >= 44
    # A finger's swipe scrolls with momentum (QScroller), the mouse wheel as usual.
    assert QScroller.hasScroller(table.viewport())


def test_a_new_query_starts_over_and_drops_the_old_querys_late_page(qtbot: QtBot):
    source = MillionMembers(delay=0.3)
    model = MemberTableModel(source)
    model.set_query(MemberQuery(q="old"))
    model.set_query(MemberQuery(q="new"))
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=WAIT_MS)
    time.sleep(0.5)
    QApplication.processEvents()
    assert model.rowCount() == PAGE_SIZE
    assert model.query == MemberQuery(q="new")


def test_a_failed_page_is_not_asked_again_until_retried(qtbot: QtBot):
    source = MillionMembers()
    source.fail = True
    model = MemberTableModel(source)
    errors: list[object] = []
    model.failed.connect(errors.append)
    model.set_query(MemberQuery())
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert not model.canFetchMore(QModelIndex())
    assert len(source.calls) == 1
    source.fail = False
    model.retry()
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=WAIT_MS)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"


def test_columns_fit_the_width_dropping_points_then_joined_never_scrolling_sideways(
    qtbot: QtBot,
):
    model = MemberTableModel(MillionMembers())
    table = member_table(model, "member_table")
    qtbot.addWidget(table)
    table.show()
    model.set_query(MemberQuery())
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT_MS)
    hidden = {}
    for width in (1400, 900, 760, 640):
        table.resize(width, 600)
        QApplication.processEvents()
        hidden[width] = {c for c in Column if table.isColumnHidden(c)}
        assert table.horizontalScrollBar().maximum() == 0, width
        shown = sum(table.columnWidth(c) for c in Column if not table.isColumnHidden(c))
        assert shown == table.viewport().width(), width  # the name and store take the rest
    assert hidden[1400] == set()
    # Each narrower table hides more, in the order the details pane makes up for.
    assert hidden[1400] <= hidden[900] <= hidden[760] <= hidden[640]
    assert Column.POINTS in hidden[640]
    assert Column.NAME not in hidden[640]
    assert Column.NET_SPEND not in hidden[640]
