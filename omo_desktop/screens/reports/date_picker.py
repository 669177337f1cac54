"""A day picked by touch: a month calendar as large as a dialog allows, and two big buttons."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QDialog, QVBoxLayout, QWidget

from omo_desktop.design import charts
from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.base import button, label
from omo_desktop.screens.reports import formatting
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar

# Seven columns and six rows of days at about 80 × 60 px each: a finger's width and more.
CALENDAR_SIZE = (600, 440)


class DatePicker(QDialog):
    """Opened with ``open()`` (never blocking); ``chosen_day`` holds the day once accepted."""

    def __init__(self, heading: str, day: date, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("date_picker")
        self.setModal(True)
        self._heading_text = heading
        self.language = language
        self.heading = label("date_picker_heading", "heading")
        self.calendar = named(QCalendarWidget(), "date_picker_calendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setHorizontalHeaderFormat(
            QCalendarWidget.HorizontalHeaderFormat.ShortDayNames
        )
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Sunday)
        # Qt paints weekends red by default: here every day is a day like any other.
        plain = QTextCharFormat()
        plain.setForeground(charts.colour("ink"))
        for weekend in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(weekend, plain)
        self.calendar.setMinimumSize(*CALENDAR_SIZE)
        self.calendar.setLocale(formatting.qt_locale(language))
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.setMaximumDate(QDate.currentDate())
        self.calendar.activated.connect(lambda _day: self.accept())
        self.cancel = button("date_picker_cancel")
        self.choose = button("date_picker_choose", "primary")
        self.cancel.clicked.connect(self.reject)
        self.choose.clicked.connect(self.accept)
        bar = ActionBar()
        bar.add_leading(self.cancel)
        bar.add_trailing(self.choose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["l"], SPACE["l"], SPACE["l"], SPACE["l"])
        layout.setSpacing(SPACE["m"])
        layout.addWidget(self.heading)
        layout.addWidget(self.calendar, 1)
        layout.addWidget(bar)
        self.retranslate()

    def chosen_day(self) -> date:
        picked = self.calendar.selectedDate()
        return date(picked.year(), picked.month(), picked.day())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self._heading_text)
        self.heading.setText(self._heading_text)
        self.cancel.setText(self.tr("Cancel"))
        self.choose.setText(self.tr("Choose this day"))
