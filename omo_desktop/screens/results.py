"""Several customers match an e-mail or name: staff tap the right one (or search by phone).

The list fills the room between the title and the action bar; with no match, the room shows
one centred message (nothing to tap in a hole) and the way forward is the main action.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from omo_desktop.design.icons import Icon, pixmap
from omo_desktop.design.tokens import SPACE, TOUCH_MIN, TYPE_SCALE
from omo_desktop.flows.counter import Choosing, SearchBy
from omo_desktop.screens.base import FlowScreen, button, label
from omo_desktop.widgets import named
from omo_desktop.widgets.customer_card import CustomerCard
from omo_desktop.widgets.layout import ActionBar, centred, screen_layout

ROW_MIN_HEIGHT = 72  # px: one tap target per customer, well above 44
CHEVRON_SIZE = TYPE_SCALE["title"]
# The picture over "No customer matches": large enough to be seen from the customer's side.
NO_MATCH_SIZE = 2 * TYPE_SCALE["display"]


class CustomerRow(QPushButton):
    """A whole customer card as one button, with a chevron: tapping opens that customer."""

    def __init__(self, customer: schemas.CustomerSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_row")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.customer = customer
        self.card = CustomerCard(self)
        self.card.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.card.show_customer(customer)
        self.chevron = named(QLabel(self), "row_chevron")
        self.chevron.setPixmap(pixmap(Icon.CHEVRON, CHEVRON_SIZE, "ink_muted"))
        self.chevron.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, SPACE["m"], 0)
        layout.setSpacing(0)
        layout.addWidget(self.card, 1)
        layout.addWidget(self.chevron)

    def sizeHint(self) -> QSize:
        # A button sizes itself by its text; this one is as tall as its card.
        return self.card.sizeHint().expandedTo(QSize(TOUCH_MIN, ROW_MIN_HEIGHT))

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

        # Some matches: a hint and the list, scrolling when long.
        self.hint = label("hint", "hint")
        self.list = named(QWidget(), "results_list")
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, SPACE["s"], 0)
        self.list_layout.setSpacing(SPACE["s"] + SPACE["xs"])
        self.list_layout.addStretch(1)
        self.scroller = named(QScrollArea(), "results_scroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.list)
        # A finger on a touch screen drags the list; a mouse keeps its wheel and clicks.
        QScroller.grabGesture(self.scroller.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        matches = QWidget()
        column = QVBoxLayout(matches)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["m"])
        column.addWidget(self.hint)
        column.addWidget(self.scroller, 1)

        # No match: one message in the middle of the room.
        self.no_match_mark = named(QLabel(), "no_match_mark")
        self.no_match_mark.setPixmap(pixmap(Icon.NO_MATCH, NO_MATCH_SIZE, "ink_muted"))
        self.no_match_mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match_hint = label("no_match_hint", "lead")
        self.no_match_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nothing = QWidget()
        middle = QVBoxLayout(nothing)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(SPACE["l"])
        group = QVBoxLayout()
        group.setSpacing(SPACE["l"])
        group.addWidget(self.no_match_mark)
        group.addWidget(self.no_match_hint)
        centred(group, middle)

        self.body = QStackedWidget()
        self.body.addWidget(matches)
        self.body.addWidget(nothing)

        self.new_search = button("new_search")
        self.new_search.clicked.connect(self.back_requested.emit)
        self.by_phone = button("search_by_phone", "primary")
        self.by_phone.clicked.connect(lambda: self.method_requested.emit(SearchBy.PHONE.value))
        actions = ActionBar()
        actions.add_leading(self.new_search)
        actions.add_trailing(self.by_phone)

        layout = screen_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body, 1)
        layout.addWidget(actions)

    def rows(self) -> list[CustomerRow]:
        return list(self._rows)

    def draw(self, state: Choosing) -> None:
        count = len(state.matches)
        if count == 0:
            self.title.setText(self.tr("No customer matches"))
            self.no_match_hint.setText(
                self.tr("To sign up a new customer, search by their mobile number.")
            )
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
        self.body.setCurrentIndex(0 if count else 1)

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
