"""A table's columns fitted to its width, so a list beside a details pane never scrolls
sideways."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTableView


class FittedColumns(QObject):
    """Keeps ``table``'s columns as wide as each wants (``set_wanted``). When they do not all
    fit, the columns of ``drop`` are hidden in that order until the rest do (a person reads
    what they held in the row's details), and the ``stretch`` columns share whatever width
    is left over. Columns given to ``never_show`` stay hidden. Refitted whenever the table's
    viewport changes size; the width a person drags a column to holds until then."""

    def __init__(self, table: QTableView, *, stretch: Sequence[int], drop: Sequence[int]) -> None:
        super().__init__(table)
        self._table = table
        self._stretch = list(stretch)
        self._drop = list(drop)
        self._wanted: dict[int, int] = {}
        self._never: set[int] = set()
        table.horizontalHeader().setStretchLastSection(False)
        table.viewport().installEventFilter(self)

    def set_wanted(self, wanted: Mapping[int, int]) -> None:
        self._wanted = dict(wanted)
        self.fit()

    def never_show(self, columns: Iterable[int]) -> None:
        self._never = set(columns)
        self.fit()

    def shown(self) -> list[int]:
        """The columns that fit now, left to right."""
        width = self._table.viewport().width()
        shown = [c for c in sorted(self._wanted) if c not in self._never]
        for column in self._drop:
            if sum(self._wanted[c] for c in shown) <= width:
                break
            if column in shown:
                shown.remove(column)
        return shown

    def fit(self) -> None:
        shown = self.shown()
        for column in self._wanted:
            self._table.setColumnHidden(column, column not in shown)
        spare = max(0, self._table.viewport().width() - sum(self._wanted[c] for c in shown))
        stretch = [c for c in self._stretch if c in shown]
        share, rest = divmod(spare, len(stretch)) if stretch else (0, 0)
        header = self._table.horizontalHeader()
        for column in shown:
            extra = 0
            if column in stretch:
                extra = share + (rest if column == stretch[0] else 0)
            header.resizeSection(column, self._wanted[column] + extra)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
