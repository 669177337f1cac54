"""The Reports section: which days, then one of three report cards.

The screen draws what it is given and emits intents (``range_requested``); the controller
(``omo_desktop/reports_controller.py``) fetches the reports off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from backend_client import schemas
from omo_desktop.design.icons import Icon, icon
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.flows.report_range import DayRange, Preset, custom_range, preset_range
from omo_desktop.screens.base import button, label
from omo_desktop.screens.reports import formatting
from omo_desktop.screens.reports.date_picker import DatePicker
from omo_desktop.screens.reports.panels import (
    RegistrationsByStaff,
    RegistrationsByStore,
    ReportPanel,
    SmsUsage,
)
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import MessageLine, screen_layout


@dataclass(frozen=True)
class Reports:
    """The three reports of one range of days."""

    days: DayRange
    by_store: list[schemas.RegistrationRow]
    by_staff: list[schemas.RegistrationRow]
    sms: list[schemas.SmsUsageRow]


class ReportsScreen(QWidget):
    range_requested = Signal(object)  # DayRange: fetch the reports of these days

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reports")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.language = "en"
        self.today = today
        self.preset = Preset.LAST_30_DAYS
        self.days = preset_range(self.preset, today)
        self.picker: DatePicker | None = None

        self.title = label("reports_title", "title", wrap=False)
        self.shown_days = label("reports_days", "lead", wrap=False)
        self.refresh = button("reports_refresh")
        self.refresh.setIcon(icon(Icon.REFRESH))
        self.refresh.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.refresh.clicked.connect(lambda: self.range_requested.emit(self.days))

        self.presets = QButtonGroup(self)
        self.preset_buttons: dict[Preset, QPushButton] = {}
        preset_row = QHBoxLayout()
        preset_row.setSpacing(SPACE["s"])
        for preset in Preset:
            choice = self._segment(f"preset_{preset.value}", self.presets)
            choice.clicked.connect(lambda _c=False, p=preset: self.choose_preset(p))
            self.preset_buttons[preset] = choice
            preset_row.addWidget(choice)
        preset_row.addStretch(1)
        self.first_day = button("reports_from", "segment")
        self.last_day = button("reports_to", "segment")
        for end in (self.first_day, self.last_day):
            end.setIcon(icon(Icon.CALENDAR))
            end.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
            preset_row.addWidget(end)
        self.first_day.clicked.connect(lambda: self._pick(first=True))
        self.last_day.clicked.connect(lambda: self._pick(first=False))

        self.views = QButtonGroup(self)
        view_row = QHBoxLayout()
        view_row.setSpacing(0)
        self.by_store = RegistrationsByStore()
        self.by_staff = RegistrationsByStaff()
        self.sms = SmsUsage()
        self.panels = named(QStackedWidget(), "reports_panels")
        self.view_buttons: list[QPushButton] = []
        for panel in (self.by_store, self.by_staff, self.sms):
            self.panels.addWidget(panel)
            tab = self._segment(f"view_{panel.objectName()}", self.views, role="tab")
            tab.clicked.connect(lambda _c=False, p=panel: self.show_panel(p))
            self.view_buttons.append(tab)
            view_row.addWidget(tab)
        # Beside the tabs, not above the card: loading or a failure never moves the card.
        self.busy = named(QProgressBar(), "busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy_room = QStackedWidget()
        self.message = MessageLine()
        self.busy_room.addWidget(self.message)
        self.busy_room.addWidget(self.busy)
        view_row.addSpacing(SPACE["l"])
        view_row.addWidget(self.busy_room, 1, Qt.AlignmentFlag.AlignVCenter)

        top = QHBoxLayout()
        top.setSpacing(SPACE["m"])
        top.addWidget(self.title)
        top.addWidget(self.shown_days, 1, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.refresh)
        layout = screen_layout(self)
        layout.setContentsMargins(SPACE["xl"], SPACE["l"], SPACE["xl"], SPACE["l"])
        layout.addLayout(top)
        layout.addLayout(preset_row)
        layout.addLayout(view_row)
        layout.addWidget(self.panels, 1)

        self.preset_buttons[self.preset].setChecked(True)
        self.view_buttons[0].setChecked(True)
        self.retranslate()

    @staticmethod
    def _segment(name: str, group: QButtonGroup, role: str = "segment") -> QPushButton:
        """A choice of a row of which one is on: a range (pills) or a report (tabs)."""
        choice = button(name, role)
        choice.setCheckable(True)
        group.addButton(choice)
        return choice

    # --- intents ---------------------------------------------------------------------------

    def choose_preset(self, preset: Preset) -> None:
        self.preset = preset
        self.preset_buttons[preset].setChecked(True)
        if preset is not Preset.CUSTOM:
            self.days = preset_range(preset, self.today)
        self.retranslate()
        self.range_requested.emit(self.days)

    def choose_days(self, first: date, last: date) -> None:
        """Two days picked (either order): a custom range."""
        self.preset = Preset.CUSTOM
        self.preset_buttons[Preset.CUSTOM].setChecked(True)
        self.days = custom_range(first, last)
        self.retranslate()
        self.range_requested.emit(self.days)

    def _pick(self, *, first: bool) -> None:
        heading = self.tr("From which day?") if first else self.tr("To which day?")
        day = self.days.first if first else self.days.last
        picker = DatePicker(heading, day, self.language, self)
        other = self.days.last if first else self.days.first
        picker.accepted.connect(lambda: self.choose_days(picker.chosen_day(), other))
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()

    def show_panel(self, panel: ReportPanel) -> None:
        self.panels.setCurrentWidget(panel)
        index = [self.by_store, self.by_staff, self.sms].index(panel)
        self.view_buttons[index].setChecked(True)

    # --- what the controller tells it -----------------------------------------------------

    def show_reports(self, reports: Reports) -> None:
        if reports.days != self.days:
            return  # an answer to a range no longer asked for
        self.message.clear()
        self.by_store.draw(reports.by_store)
        self.by_staff.draw(reports.by_staff)
        self.sms.draw(reports.sms)

    def show_error(self, text: str) -> None:
        self.message.show_message(text)

    def set_busy(self, busy: bool) -> None:
        self.busy_room.setCurrentWidget(self.busy if busy else self.message)
        self.refresh.setEnabled(not busy)

    # --- language --------------------------------------------------------------------------

    def set_locale(self, locale: str) -> None:
        self.language = locale
        for panel in (self.by_store, self.by_staff, self.sms):
            panel.set_locale(locale)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Reports"))
        self.refresh.setText(self.tr("Refresh"))
        names = {
            Preset.LAST_7_DAYS: self.tr("Last 7 days"),
            Preset.LAST_30_DAYS: self.tr("Last 30 days"),
            Preset.THIS_MONTH: self.tr("This month"),
            Preset.CUSTOM: self.tr("Pick days"),
        }
        for preset, choice in self.preset_buttons.items():
            choice.setText(names[preset])
        tabs = [self.tr("By store"), self.tr("By staff"), self.tr("SMS and cost")]
        for tab, text in zip(self.view_buttons, tabs, strict=True):
            tab.setText(text)
        first = formatting.day(self.days.first, self.language)
        last = formatting.day(self.days.last, self.language)
        length = (
            self.tr("1 day")
            if self.days.days == 1
            else self.tr("%1 days").replace("%1", formatting.count(self.days.days, self.language))
        )
        self.shown_days.setText(
            self.tr("%1 to %2 · %3").replace("%1", first).replace("%2", last).replace("%3", length)
        )
        self.first_day.setText(self.tr("From %1").replace("%1", first))
        self.last_day.setText(self.tr("To %1").replace("%1", last))
        custom = self.preset is Preset.CUSTOM
        self.first_day.setVisible(custom)
        self.last_day.setVisible(custom)
