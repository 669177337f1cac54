"""Several customers match an e-mail or name: staff tap the right one (or search by phone)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from omo_desktop.flows.counter import Choosing, SearchBy
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets.customer_card import CustomerCard

ROW_MIN_HEIGHT = 72  # px: one tap target per customer, well above 48


class CustomerRow(QPushButton):
    """A whole customer card as one button."""

    def __init__(self, customer: schemas.CustomerSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_row")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.customer = customer
        self.card = CustomerCard(self)
        self.card.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.card.show_customer(customer)
        chevron = QLabel("›", self)
        chevron.setObjectName("row_chevron")
        chevron.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.card, 1)
        layout.addWidget(chevron)
        layout.addSpacing(16)

    def sizeHint(self) -> QSize:
        # A button sizes itself by its text; this one is as tall as its card.
        return self.card.sizeHint().expandedTo(QSize(0, ROW_MIN_HEIGHT))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class ResultsScreen(FlowScreen[Choosing]):
    screen_name = "results"
    chosen = Signal(object)
    method_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CustomerRow] = []
        self.title = label("title", "title")
        self.hint = label("hint", "hint")
        self.list = QWidget()
        self.list.setObjectName("results_list")
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 12, 0)
        self.list_layout.setSpacing(12)
        self.list_layout.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("results_scroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.list)
        self.by_phone = button("search_by_phone", "link")
        self.by_phone.clicked.connect(lambda: self.method_requested.emit(SearchBy.PHONE.value))
        self.new_search = button("new_search")
        self.new_search.clicked.connect(self.back_requested.emit)

        actions = QHBoxLayout()
        actions.addWidget(self.by_phone)
        actions.addStretch(1)
        actions.addWidget(self.new_search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(actions)

    def rows(self) -> list[CustomerRow]:
        return list(self._rows)

    def draw(self, state: Choosing) -> None:
        count = len(state.matches)
        if count == 0:
            self.title.setText(self.tr("No customer matches"))
            self.hint.setText(self.tr("To sign up a new customer, search by their mobile number."))
        else:
            self.title.setText(
                self.tr("1 customer matches")
                if count == 1
                else self.tr("%1 customers match").replace("%1", str(count))
            )
            self.hint.setText(self.tr("Tap the customer at the counter."))
        self.by_phone.setText(self.tr("Search by mobile number"))
        self.by_phone.setVisible(count == 0)
        self.new_search.setText(self.tr("New search"))
        if [row.customer for row in self._rows] != list(state.matches):
            self._fill(state.matches)
        self.scroller.setVisible(count > 0)

    def _fill(self, matches: tuple[schemas.CustomerSummary, ...]) -> None:
        for row in self._rows:
            self.list_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._rows = []
        for customer in matches:
            row = CustomerRow(customer, self.list)
            row.clicked.connect(lambda _=False, chosen=customer: self.chosen.emit(chosen))
            self.list_layout.insertWidget(self.list_layout.count() - 1, row)
            self._rows.append(row)
