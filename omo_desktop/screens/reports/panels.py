"""The three report cards: a chart with its numbers in a table beside it.

Each panel draws the rows it is given and keeps them, so a language switch draws them again
in the other language. The chart is Qt Charts (PySide6-Addons); its colours and fonts come
from ``design.charts``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QHorizontalBarSeries,
    QPieSeries,
    QPieSlice,
    QValueAxis,
)
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from omo_desktop.design import charts
from omo_desktop.design.tokens import CHART_SERIES, SPACE, TOUCH_MIN
from omo_desktop.screens.base import label
from omo_desktop.screens.reports import formatting
from omo_desktop.widgets import named

# Slices a donut shows on their own; the smaller stores share one "other stores" slice.
MAX_SLICES = len(CHART_SERIES) - 1
# A slice smaller than this has no label on the chart (the table names it).
LABELLED_SLICE_PERCENT = 4.0
# Bars a staff chart shows; the table lists everyone.
MAX_STAFF_BARS = 10
# Room above the longest bar for its number.
AXIS_HEADROOM = 1.2
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ReportPanel(QWidget):
    """A card: a title, a chart (or a sentence when there is nothing to draw) and a table."""

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        chart_share: int = 1,
        table_share: int = 1,
    ) -> None:
        """The chart's and the table's shares of the width (a donut's labels need room)."""
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("role", "card")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.language = "en"
        self.title = label(f"{name}_title", "heading")
        self.chart = charts.new_chart()
        self.view = named(charts.chart_view(self.chart), f"{name}_chart")
        self.empty = label(f"{name}_empty", "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chart_area = QWidget()
        self._chart_stack = QStackedLayout(chart_area)
        self._chart_stack.addWidget(self.view)
        self._chart_stack.addWidget(self.empty)
        self.table = named(QTableWidget(), f"{name}_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(TOUCH_MIN)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        body = QHBoxLayout()
        body.setSpacing(SPACE["l"])
        body.addWidget(chart_area, chart_share)
        body.addWidget(self.table, table_share)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["l"], SPACE["l"])
        layout.setSpacing(SPACE["m"])
        layout.addWidget(self.title)
        layout.addLayout(body, 1)

    def set_locale(self, locale: str) -> None:
        self.language = locale
        self.redraw()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.redraw()
        super().changeEvent(event)

    def redraw(self) -> None:
        raise NotImplementedError

    def _show_chart(self, shown: bool, empty_text: str) -> None:
        self.empty.setText(empty_text)
        self._chart_stack.setCurrentWidget(self.view if shown else self.empty)

    def _clear_chart(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)

    def _fill_table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        swatches: Sequence[int | None],
        total: Sequence[str] | None,
    ) -> None:
        """Text cells, numbers right-aligned (every column but the first few named ones)."""
        table = self.table
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        all_rows = [*rows, *([total] if total is not None else [])]
        table.setRowCount(len(all_rows))
        text_columns = self._text_columns()
        for r, cells in enumerate(all_rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= text_columns:
                    item.setTextAlignment(_NUMBER)
                if total is not None and r == len(rows):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, c, item)
            index = swatches[r] if r < len(swatches) else None
            if index is not None:
                first = table.item(r, 0)
                if first is not None:
                    first.setIcon(QIcon(charts.swatch(index)))
        header = table.horizontalHeader()
        # Names in full; the last text column takes the room left over.
        for c in range(len(headers)):
            mode = QHeaderView.ResizeMode.ResizeToContents
            if c == text_columns - 1:
                mode = QHeaderView.ResizeMode.Stretch
            header.setSectionResizeMode(c, mode)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for c in range(text_columns, len(headers)):
            heading = table.horizontalHeaderItem(c)
            if heading is not None:
                heading.setTextAlignment(_NUMBER)

    def _text_columns(self) -> int:
        return 1

    def _bar_axes(self, series: QHorizontalBarSeries, names: list[str], top: int) -> None:
        """Names down the left, a count scale along the bottom with room for the labels."""
        categories = QBarCategoryAxis()
        categories.append(names)
        charts.style_axis(categories, grid=False)
        categories.setLabelsColor(charts.text_colour())
        scale = QValueAxis()
        scale.setRange(0, max(1, top * AXIS_HEADROOM))
        scale.setLabelFormat("%d")
        scale.setTickCount(5)
        scale.applyNiceNumbers()
        charts.style_axis(scale, grid=True)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(scale, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(scale)


def _store_name(row: schemas.RegistrationRow | schemas.SmsUsageRow) -> str:
    return row.store_name or ""


class RegistrationsByStore(ReportPanel):
    """Each referral store's share of the members who joined: a donut, like Shoplytics'
    retail-store percentage, with the total in its hole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("by_store", parent, chart_share=3, table_share=2)
        self.rows: list[schemas.RegistrationRow] = []
        self.total = label("by_store_total", "display", wrap=False)
        self.total_caption = label("by_store_total_caption", "hint", wrap=False)
        for part in (self.total, self.total_caption):
            part.setAlignment(Qt.AlignmentFlag.AlignCenter)
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        centre = QVBoxLayout()
        centre.setSpacing(0)
        centre.addStretch(1)
        centre.addWidget(self.total)
        centre.addWidget(self.total_caption)
        centre.addStretch(1)
        over_chart = QGridLayout(self.view)
        over_chart.addLayout(centre, 0, 0, Qt.AlignmentFlag.AlignCenter)

    def draw(self, rows: list[schemas.RegistrationRow]) -> None:
        self.rows = rows
        self.redraw()

    def redraw(self) -> None:
        self.title.setText(self.tr("New members by store"))
        self._clear_chart()
        rows = self.rows
        total = sum(r.members for r in rows)
        self.total.setText(formatting.count(total, self.language))
        self.total_caption.setText(self.tr("new member") if total == 1 else self.tr("new members"))
        self._show_chart(total > 0, self.tr("No members joined on these days."))
        shown = [r for r in rows if r.members > 0]
        slices: list[tuple[str, int, float]] = [
            (_store_name(r), r.members, r.percent) for r in shown[:MAX_SLICES]
        ]
        rest = shown[MAX_SLICES:]
        if rest:
            slices.append(
                (
                    self.tr("Other stores"),
                    sum(r.members for r in rest),
                    round(sum(r.percent for r in rest), 1),
                )
            )
        series = QPieSeries()
        series.setHoleSize(0.6)
        series.setPieSize(0.7)
        for index, (name, members, share) in enumerate(slices):
            piece = series.append(name, members)
            colour = charts.series_colour(index if index < MAX_SLICES else len(CHART_SERIES) - 1)
            piece.setBrush(colour)
            piece.setPen(charts.slice_edge())
            piece.setLabel(f"{name}  {formatting.percent(share)}")
            piece.setLabelFont(charts.chart_font("caption"))
            piece.setLabelColor(charts.text_colour())
            piece.setLabelPosition(QPieSlice.LabelPosition.LabelOutside)
            piece.setLabelArmLengthFactor(0.1)
            piece.setLabelVisible(share >= LABELLED_SLICE_PERCENT)
        self.chart.addSeries(series)
        colour_of = {r.store: i for i, r in enumerate(shown[:MAX_SLICES])}
        self._fill_table(
            [self.tr("Store"), self.tr("Members"), self.tr("Share")],
            [
                [
                    _store_name(r),
                    formatting.count(r.members, self.language),
                    formatting.percent(r.percent),
                ]
                for r in rows
            ],
            [colour_of.get(r.store, len(CHART_SERIES) - 1 if r.members else None) for r in rows],
            [
                self.tr("Total"),
                formatting.count(total, self.language),
                formatting.percent(100.0 if total else 0.0),
            ],
        )


class RegistrationsByStaff(ReportPanel):
    """Who signed members up: a horizontal bar a person, the most first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("by_staff", parent)
        self.rows: list[schemas.RegistrationRow] = []

    def _text_columns(self) -> int:
        return 2

    def who(self, row: schemas.RegistrationRow) -> str:
        if row.staff_hidden:
            return self.tr("All staff")
        return row.staff or self.tr("Not recorded")

    def draw(self, rows: list[schemas.RegistrationRow]) -> None:
        self.rows = rows
        self.redraw()

    def redraw(self) -> None:
        self.title.setText(self.tr("New members by staff"))
        self._clear_chart()
        rows = self.rows
        total = sum(r.members for r in rows)
        self._show_chart(total > 0, self.tr("No members joined on these days."))
        bars = [r for r in rows if r.members > 0][:MAX_STAFF_BARS]
        # Qt draws the first category at the bottom: the most is listed last, to be on top.
        bars.reverse()
        members = QBarSet(self.tr("Members"))
        members.setColor(charts.series_colour(0))
        members.setBorderColor(charts.series_colour(0))
        members.setLabelColor(charts.text_colour())
        members.setLabelFont(charts.chart_font("caption", bold=True))
        for row in bars:
            members.append(row.members)
        series = QHorizontalBarSeries()
        series.append(members)
        series.setBarWidth(0.6)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsPrecision(12)
        self.chart.addSeries(series)
        top = max((r.members for r in bars), default=1)
        self._bar_axes(series, [f"{self.who(r)} · {_store_name(r)}" for r in bars], top)
        self._fill_table(
            [self.tr("Staff"), self.tr("Store"), self.tr("Members"), self.tr("Share")],
            [
                [
                    self.who(r),
                    _store_name(r),
                    formatting.count(r.members, self.language),
                    formatting.percent(r.percent),
                ]
                for r in rows
            ],
            [],
            None,
        )


class SmsUsage(ReportPanel):
    """What the counter's SMS cost: SMS and segments a store, and the money once a price per
    segment is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("sms", parent)
        self.rows: list[schemas.SmsUsageRow] = []
        self.note = label("sms_note", "hint")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(self.note)

    def store(self, row: schemas.SmsUsageRow) -> str:
        return row.store_name or self.tr("Not from a store")

    def draw(self, rows: list[schemas.SmsUsageRow]) -> None:
        self.rows = rows
        self.redraw()

    def cost(self, row: schemas.SmsUsageRow) -> str:
        if row.cost is None or row.currency is None:
            return "—"
        return formatting.money(row.cost, row.currency, self.language)

    def redraw(self) -> None:
        self.title.setText(self.tr("SMS sent and their cost"))
        self._clear_chart()
        rows = self.rows
        sent = [r for r in rows if r.messages > 0]
        self._show_chart(bool(sent), self.tr("No SMS were sent on these days."))
        # The costliest store on top (Qt draws the first category at the bottom).
        sent.sort(key=lambda r: (r.cost_units, r.messages), reverse=True)
        bars = list(reversed(sent))
        messages = QBarSet(self.tr("SMS"))
        segments = QBarSet(self.tr("Segments"))
        for index, bar_set in enumerate((segments, messages)):
            bar_set.setColor(charts.series_colour(1 - index))
            bar_set.setBorderColor(bar_set.color())
            bar_set.setLabelColor(charts.text_colour())
            bar_set.setLabelFont(charts.chart_font("caption", bold=True))
        for row in bars:
            messages.append(row.messages)
            segments.append(row.segments)
        series = QHorizontalBarSeries()
        # Segments below SMS within a store, so the legend (SMS, Segments) reads top down.
        series.append(segments)
        series.append(messages)
        series.setBarWidth(0.75)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(series)
        legend = self.chart.legend()
        legend.setVisible(True)
        legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        legend.setReverseMarkers(True)
        legend.setFont(charts.chart_font("caption"))
        legend.setLabelColor(charts.text_colour())
        top = max((r.segments for r in sent), default=1)
        self._bar_axes(series, [self.store(r) for r in bars], top)
        priced = next((r for r in rows if r.price_per_segment is not None), None)
        total_cost = "—"
        if priced is not None and priced.currency is not None:
            total_cost = formatting.money(
                sum(r.cost or 0 for r in rows), priced.currency, self.language
            )
            price = formatting.money(priced.price_per_segment or 0, priced.currency, self.language)
            self.note.setText(
                self.tr("Cost at %1 a segment, as set by head office.").replace("%1", price)
            )
        else:
            self.note.setText(
                self.tr(
                    "No price per SMS segment is set yet, so costs are not shown."
                    " Head office sets it."
                )
            )
        self._fill_table(
            [self.tr("Store"), self.tr("SMS"), self.tr("Segments"), self.tr("Cost")],
            [
                [
                    self.store(r),
                    formatting.count(r.messages, self.language),
                    formatting.count(r.segments, self.language),
                    self.cost(r),
                ]
                for r in [*sent, *(r for r in rows if r.messages == 0)]
            ],
            [],
            [
                self.tr("Total"),
                formatting.count(sum(r.messages for r in rows), self.language),
                formatting.count(sum(r.segments for r in rows), self.language),
                total_cost,
            ],
        )
