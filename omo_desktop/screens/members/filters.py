"""The search box and the filter chips over the member list. It only says what staff chose
(``search_typed``, ``filters_changed``); the controller asks the backend."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from backend_client.client import MemberQuery
from omo_desktop.design.tokens import SPACE
from omo_desktop.members import words
from omo_desktop.screens.base import button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.clear_button import ClearButton

# The "any" entry of a chip's list: no filter.
ANY = ""


class FilterBar(QWidget):
    search_typed = Signal(str)
    filters_changed = Signal(dict)  # MemberQuery field -> value
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filter_bar")
        self._levels: list[schemas.Level] = []
        self._stores: list[tuple[str, str]] = []

        self.search = named(QLineEdit(), "member_search")
        ClearButton(self.search)
        self.search.textChanged.connect(self.search_typed.emit)
        self.count = label("member_count", "hint", wrap=False)

        self.level = named(QComboBox(), "level_filter")
        self.level.activated.connect(self._level_chosen)
        self.store = named(QComboBox(), "store_filter")
        self.store.activated.connect(self._store_chosen)
        self.new_7d = self._chip("new_7d_chip")
        self.new_7d.toggled.connect(lambda on: self._status(schemas.MemberStatusFilter.NEW_7D, on))
        self.open_cart = self._chip("open_cart_chip")
        self.open_cart.toggled.connect(
            lambda on: self._status(schemas.MemberStatusFilter.OPEN_CART, on)
        )
        self.line = self._chip("line_chip")
        self.line.toggled.connect(
            lambda on: self.filters_changed.emit({"line": True if on else None})
        )
        self.spend_min = named(QLineEdit(), "spend_min")
        self.spend_max = named(QLineEdit(), "spend_max")
        for box in (self.spend_min, self.spend_max):
            box.setProperty("role", "compact")
            box.editingFinished.connect(self._spending)
        self.clear = button("clear_filters", "link")
        self.clear.clicked.connect(self.clear_requested.emit)

        top = QHBoxLayout()
        top.setSpacing(SPACE["m"])
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.clear)
        self.chips = QWidget()
        chips = QHBoxLayout(self.chips)
        chips.setContentsMargins(0, 0, 0, 0)
        chips.setSpacing(SPACE["s"])
        for widget in (self.level, self.new_7d, self.open_cart, self.line, self.store):
            chips.addWidget(widget)
        chips.addWidget(self.spend_min)
        chips.addWidget(self.spend_max)
        chips.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["s"])
        column.addLayout(top)
        column.addWidget(self.chips)
        self.retranslate()

    def _chip(self, name: str) -> QPushButton:
        chip = button(name, "chip")
        chip.setCheckable(True)
        return chip

    # --- what the controller tells ------------------------------------------------------------

    def set_levels(self, levels: list[schemas.Level]) -> None:
        self._levels = levels
        self._fill_levels()

    def set_stores(self, stores: list[tuple[str, str]]) -> None:
        """(code, name) of the stores members were added at."""
        self._stores = stores
        self._fill_stores()

    def show_chips(self, shown: bool) -> None:
        self.chips.setVisible(shown)
        self.clear.setVisible(shown)

    def set_count(self, total: int, exact: bool, loading: bool) -> None:
        if loading and total == 0:
            self.count.setText(self.tr("Searching…"))
        elif not exact:
            self.count.setText(self.tr("More than %1").replace("%1", f"{total:,}"))
        else:
            self.count.setText(self.tr("Found: %1").replace("%1", f"{total:,}"))

    def show_query(self, query: MemberQuery) -> None:
        """Draw the chips as ``query`` has them (after Clear filters)."""
        for chip, on in (
            (self.new_7d, query.status == "new_7d"),
            (self.open_cart, query.status == "open_cart"),
            (self.line, query.line is True),
        ):
            chip.blockSignals(True)
            chip.setChecked(on)
            chip.blockSignals(False)
        self.level.setCurrentIndex(max(0, self.level.findData(query.level or ANY)))
        self.store.setCurrentIndex(max(0, self.store.findData(query.store or ANY)))
        if query.q != self.search.text().strip():
            self.search.blockSignals(True)
            self.search.setText(query.q)
            self.search.blockSignals(False)
        if query.spend_min is None:
            self.spend_min.clear()
        if query.spend_max is None:
            self.spend_max.clear()

    # --- what staff chose -----------------------------------------------------------------------

    def _status(self, status: schemas.MemberStatusFilter, on: bool) -> None:
        # The list filters by one status at a time: choosing one lets go of the other.
        new_7d = status == schemas.MemberStatusFilter.NEW_7D
        other = self.open_cart if new_7d else self.new_7d
        if on and other.isChecked():
            other.blockSignals(True)
            other.setChecked(False)
            other.blockSignals(False)
        self.filters_changed.emit({"status": status if on else None})

    def _level_chosen(self, index: int) -> None:
        code = self.level.itemData(index)
        self.filters_changed.emit({"level": code or None})

    def _store_chosen(self, index: int) -> None:
        code = self.store.itemData(index)
        self.filters_changed.emit({"store": code or None})

    def _spending(self) -> None:
        low = words.dollars_to_minor(self.spend_min.text())
        high = words.dollars_to_minor(self.spend_max.text())
        self.filters_changed.emit({"spend_min": low, "spend_max": high})

    # --- words -------------------------------------------------------------------------------

    def _fill_levels(self) -> None:
        current = self.level.currentData()
        self.level.clear()
        self.level.addItem(self.tr("All levels"), ANY)
        for level in self._levels:
            self.level.addItem(words.level(level.code, {level.code: level}), level.code)
        self.level.setCurrentIndex(max(0, self.level.findData(current or ANY)))

    def _fill_stores(self) -> None:
        current = self.store.currentData()
        self.store.clear()
        self.store.addItem(self.tr("All stores"), ANY)
        for code, name in self._stores:
            self.store.addItem(name, code)
        self.store.setCurrentIndex(max(0, self.store.findData(current or ANY)))

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search by name, mobile or e-mail"))
        self.new_7d.setText(self.tr("New in 7 days"))
        self.open_cart.setText(self.tr("Open cart"))
        self.line.setText(self.tr("LINE linked"))
        self.spend_min.setPlaceholderText(self.tr("Min spend"))
        self.spend_max.setPlaceholderText(self.tr("Max spend"))
        for box in (self.spend_min, self.spend_max):
            # As wide as its words in either language, never "Min sp…".
            words_wide = box.fontMetrics().horizontalAdvance(box.placeholderText())
            box.setMinimumWidth(words_wide + 2 * SPACE["l"])
        self.clear.setText(self.tr("Clear filters"))
        self._fill_levels()
        self._fill_stores()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
