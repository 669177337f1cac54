"""Qt Charts in the design system's colours and type: a chart sets no colour or size of its own.

The chart's own text (slice labels, axis labels) is drawn by Qt Charts, not by the style
sheet, so it takes its fonts and colours from here.
"""

from __future__ import annotations

from PySide6.QtCharts import QAbstractAxis, QChart, QChartView
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap

from omo_desktop.design import fonts
from omo_desktop.design.tokens import (
    CHART_GRID,
    CHART_MUTED,
    CHART_SERIES,
    CHART_TEXT,
    PALETTE,
    SPACE,
    TYPE_SCALE,
    WEIGHT_BOLD,
)

# A slice edge in the surface's colour parts neighbouring slices.
SLICE_EDGE_WIDTH = 2


def colour(token: str) -> QColor:
    return QColor(PALETTE[token])


def series_colour(index: int) -> QColor:
    """The ``index``-th series colour; past the last, the last (the "others" slate)."""
    return QColor(CHART_SERIES[min(index, len(CHART_SERIES) - 1)])


def chart_font(size: str = "caption", *, bold: bool = False) -> QFont:
    font = fonts.app_font()
    font.setPixelSize(TYPE_SCALE[size])
    if bold:
        font.setWeight(QFont.Weight(WEIGHT_BOLD))
    return font


def text_colour(*, muted: bool = False) -> QColor:
    return colour(CHART_MUTED if muted else CHART_TEXT)


def slice_edge() -> QPen:
    return QPen(colour("surface"), SLICE_EDGE_WIDTH)


def new_chart() -> QChart:
    """A chart on the surface of its card: no legend (the table beside it is the legend), no
    title (the card has one), no animation (a report is read, not watched)."""
    chart = QChart()
    chart.setBackgroundVisible(False)
    chart.setPlotAreaBackgroundVisible(False)
    chart.legend().setVisible(False)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(SPACE["s"], SPACE["s"], SPACE["s"], SPACE["s"]))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    return chart


def style_axis(axis: QAbstractAxis, *, grid: bool) -> None:
    axis.setLabelsFont(chart_font("caption"))
    axis.setLabelsColor(text_colour(muted=True))
    axis.setLinePen(QPen(colour(CHART_GRID), 1))
    axis.setGridLineVisible(grid)
    axis.setGridLinePen(QPen(colour(CHART_GRID), 1))
    axis.setTitleVisible(False)


def chart_view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
    view.setFrameShape(QChartView.Shape.NoFrame)
    return view


def swatch(index: int, size: int = TYPE_SCALE["body"]) -> QPixmap:
    """A square of a series colour: the table's row names its slice or bar with it."""
    square = QPixmap(size, size)
    square.fill(series_colour(index))
    return square
