"""The cards on top of the Members screen: total members, new in 7 days, members by level."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from backend_client import schemas
from omo_desktop.design.tokens import SPACE
from omo_desktop.members import words
from omo_desktop.screens.base import label
from omo_desktop.widgets import named

# Levels beyond this many share the last card ("Others"): the row stays one row at 1280 px.
MAX_LEVEL_CARDS = 4


class _Card(QFrame):
    def __init__(self, name: str) -> None:
        super().__init__()
        named(self, "overview_card")
        self.figure = label(f"{name}_figure", "heading", wrap=False)
        self.caption = label(f"{name}_caption", "caption", wrap=False)
        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["m"], SPACE["s"])
        column.setSpacing(0)
        column.addWidget(self.figure)
        column.addWidget(self.caption)

    def show_figure(self, figure: str, caption: str) -> None:
        self.figure.setText(figure)
        self.caption.setText(caption)


class OverviewCards(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overview")
        self._overview: schemas.MemberOverview | None = None
        self._levels: dict[str, schemas.Level] = {}
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(SPACE["m"])
        self.total = _Card("total")
        self.new_7d = _Card("new_7d")
        self._row.addWidget(self.total, 1)
        self._row.addWidget(self.new_7d, 1)
        self._level_cards: list[_Card] = []
        self._draw()

    def set_levels(self, levels: list[schemas.Level]) -> None:
        self._levels = {level.code: level for level in levels}
        self._draw()

    def show_overview(self, overview: schemas.MemberOverview) -> None:
        self._overview = overview
        self._draw()

    def level_cards(self) -> list[QLabel]:
        return [card.caption for card in self._level_cards]

    def _draw(self) -> None:
        overview = self._overview
        unknown = "…"
        self.total.show_figure(
            f"{overview.total:,}" if overview else unknown, self.tr("Members in all")
        )
        self.new_7d.show_figure(
            f"{overview.new_7d:,}" if overview else unknown, self.tr("New in the last 7 days")
        )
        counts = list(overview.by_level) if overview else []
        shown = counts[:MAX_LEVEL_CARDS]
        rest = sum(count.members for count in counts[MAX_LEVEL_CARDS:])
        while len(self._level_cards) < len(shown) + (1 if rest else 0):
            card = _Card(f"level_{len(self._level_cards)}")
            self._level_cards.append(card)
            self._row.addWidget(card, 1)
        for card in self._level_cards:
            card.hide()
        for card, count in zip(self._level_cards, shown, strict=False):
            card.show_figure(f"{count.members:,}", words.level(count.level, self._levels))
            card.show()
        if rest:
            card = self._level_cards[len(shown)]
            card.show_figure(f"{rest:,}", self.tr("Other levels"))
            card.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._draw()
        super().changeEvent(event)
