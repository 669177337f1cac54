"""The Reports section's controller: the screen's intents, run through the client off the UI
thread; and the factory the shell builds the section with at a manager's log-in."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.flows.report_range import DayRange
from omo_desktop.messages import describe
from omo_desktop.screens.reports.screen import Reports, ReportsScreen
from omo_desktop.workers import BackendOp


class ReportsController(QObject):
    def __init__(self, screen: ReportsScreen, client: OmoClient) -> None:
        super().__init__(screen)
        self._screen = screen
        self._client = client
        screen.range_requested.connect(self.load)

    def load(self, days: DayRange) -> None:
        client = self._client

        def fetch() -> Reports:
            return Reports(
                days=days,
                by_store=client.registrations_report(
                    days.first, days.last, by=schemas.ReportGrouping.STORE
                ),
                by_staff=client.registrations_report(
                    days.first, days.last, by=schemas.ReportGrouping.STAFF
                ),
                sms=client.sms_usage_report(days.first, days.last),
            )

        BackendOp(parent=self._screen, op=fetch, success=self._screen.show_reports).failure(
            self._failed
        ).busy(self._screen.set_busy).run()

    def _failed(self, error: ApiError) -> None:
        self._screen.show_error(describe(error))


def reports_section(client: OmoClient, locale: str, today: date | None = None) -> ReportsScreen:
    """The Reports screen for a logged-in manager or admin, loading the last 30 days."""
    screen = ReportsScreen(today or date.today())
    screen.set_locale(locale)
    controller = ReportsController(screen, client)
    controller.load(screen.days)
    return screen
