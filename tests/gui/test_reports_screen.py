"""The Reports section against the real backend: a manager opens it from the rail, the charts
and their tables show the backend's numbers, the days change by preset or by picking two days,
in English and Chinese; and the gallery's pictures of it, checked for touch and contrast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QHorizontalBarSeries, QPieSeries
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from backend_client.schemas import RegistrationRow, Role
from omo_backend.models import Customer, Message, Referral, Staff, Store, utcnow
from omo_desktop.screens.reports.date_picker import DatePicker
from omo_desktop.screens.reports.panels import RegistrationsByStore
from omo_desktop.screens.reports.screen import ReportsScreen
from omo_desktop.shell import Shell
from tests.gui.design_checks import contrast_problems, shoot, touch_problems
from tests.gui.test_counter_app import WAIT_MS, log_in
from tests.gui.test_navigation import open_shell
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "reports"
MANAGER = ("2001", "654321")
# Store, its members in the last 30 days by staff (None: no staff recorded), and of those how
# many in the last 7 days; then its sent SMS as (messages, segments).
SHOP = [
    ("TPE01", "台北總店", {"陳怡君": 18, "林志明": 14, None: 2}, 9, (40, 52)),
    ("TPE02", "信義旗艦店", {"王小美": 16, "張家豪": 9}, 6, (28, 31)),
    ("TCH01", "台中公益店", {"黃淑芬": 11, "李建宏": 4}, 3, (17, 20)),
    ("KHH01", "高雄夢時代店", {"吳佩珊": 8}, 1, (9, 12)),
    ("TNN01", "台南中西店", {"蔡宗翰": 3}, 0, (4, 4)),
]


def seed(live: LiveBackend) -> None:
    """The shop's stores, staff, members and SMS, bound and sent over the last 30 days."""
    now = utcnow()
    with live.db.transaction() as session:
        for code, name, by_staff, recent, (messages, segments) in SHOP:
            store = Store(code=code, name=name)
            session.add(store)
            session.flush()
            placed = 0
            for who, members in by_staff.items():
                staff_id = None
                if who is not None:
                    person = Staff(store_id=store.id, code=f"{code[-2:]}{placed}", name=who)
                    person.pin_hash = "x"
                    session.add(person)
                    session.flush()
                    staff_id = person.id
                for _ in range(members):
                    # The store's first ``recent`` members joined in the last 7 days.
                    # Three days back at least: "today and yesterday" picked below must hold
                    # nobody in the store's own time zone too, whatever the hour here.
                    ago = timedelta(days=3 if placed < recent else 12, hours=placed % 5)
                    member = Customer(is_member=True, name="m")
                    session.add(member)
                    session.flush()
                    session.add(
                        Referral(
                            customer_id=member.id,
                            store_id=store.id,
                            staff_id=staff_id,
                            bound_at=now - ago,
                            via="qr",
                        )
                    )
                    placed += 1
            for n in range(messages):
                session.add(
                    Message(
                        channel="sms",
                        purpose="invitation",
                        to_address="+886912345678",
                        body="x",
                        status="sent",
                        provider="outbox",
                        segments=2 if n < segments - messages else 1,
                        cost_units=2 if n < segments - messages else 1,
                        store_id=store.id,
                        sent_at=now - timedelta(days=3),
                        created_at=now - timedelta(days=3),
                    )
                )


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        seed(live)
        live.add_staff("TPE01", MANAGER[0], "Mia", pin=MANAGER[1], role=Role.MANAGER)
        yield live


@pytest.fixture
def shell(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[Shell]:
    app = open_shell(backend, qtbot, qapp, tmp_path)
    yield app
    app.switch_language("en")  # its own switcher: it holds the translator it installed
    app.close()
    qapp.setStyleSheet("")


def open_reports(qtbot: QtBot, shell: Shell) -> ReportsScreen:
    log_in(qtbot, shell, *MANAGER)
    button = shell.counter.rail.button("reports")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    screen = shell.counter.sections.currentWidget()
    assert isinstance(screen, ReportsScreen)
    wait_loaded(qtbot, screen, total=85)
    return screen


def table(screen: ReportsScreen, name: str) -> list[list[str]]:
    found = screen.findChild(QTableWidget, name)
    assert found is not None
    return table_of(found)


def table_of(where: QTableWidget | RegistrationsByStore) -> list[list[str]]:
    found = where.table if isinstance(where, RegistrationsByStore) else where
    return [
        [found.item(r, c).text() for c in range(found.columnCount())]  # type: ignore[union-attr]
        for r in range(found.rowCount())
    ]


def wait_loaded(qtbot: QtBot, screen: ReportsScreen, *, total: int) -> None:
    def shown() -> bool:
        rows = table(screen, "by_store_table")
        return bool(rows) and rows[-1][1] == f"{total:,}"

    qtbot.waitUntil(shown, timeout=WAIT_MS)


def tap(qtbot: QtBot, screen: ReportsScreen, name: str) -> None:
    found = [b for b in screen.findChildren(QPushButton, name) if b.isVisible()]
    assert len(found) == 1, name
    qtbot.mouseClick(found[0], Qt.MouseButton.LeftButton)


def test_a_manager_sees_the_last_30_days_by_store_by_staff_and_sms(shell: Shell, qtbot: QtBot):
    screen = open_reports(qtbot, shell)
    assert table(screen, "by_store_table") == [
        ["台北總店", "34", "40.0%"],
        ["信義旗艦店", "25", "29.4%"],
        ["台中公益店", "15", "17.7%"],
        ["高雄夢時代店", "8", "9.4%"],
        ["台南中西店", "3", "3.5%"],
        ["Total", "85", "100.0%"],
    ]
    (pie,) = screen.by_store.chart.series()
    assert isinstance(pie, QPieSeries)
    assert [s.value() for s in pie.slices()] == [34, 25, 15, 8, 3]
    assert screen.by_store.total.text() == "85"
    staff = table(screen, "by_staff_table")
    # Mia manages TPE01: its staff are named, the other stores' are one row each.
    assert staff[:3] == [
        ["All staff", "信義旗艦店", "25", "29.4%"],
        ["陳怡君", "台北總店", "18", "21.2%"],
        ["All staff", "台中公益店", "15", "17.6%"],
    ]
    assert ["Not recorded", "台北總店", "2", "2.4%"] in staff
    assert len(staff) == 7  # TPE01's three, and one row a store for the other four
    (bars,) = screen.by_staff.chart.series()
    assert isinstance(bars, QHorizontalBarSeries)
    sms = table(screen, "sms_table")
    assert sms[0] == ["台北總店", "40", "52", "—"]  # the costliest first
    assert sms[-1] == ["Total", "98", "119", "—"]
    assert "No price per SMS segment" in screen.sms.note.text()


def test_the_days_change_by_preset_and_by_picking_two_days(shell: Shell, qtbot: QtBot):
    screen = open_reports(qtbot, shell)
    tap(qtbot, screen, "preset_last_7_days")
    wait_loaded(qtbot, screen, total=19)
    assert table(screen, "by_store_table")[0] == ["台北總店", "9", "47.4%"]

    tap(qtbot, screen, "preset_custom")
    today = date.today()
    assert screen.first_day.isVisible()
    tap(qtbot, screen, "reports_from")
    picker = screen.picker
    assert isinstance(picker, DatePicker)
    assert touch_problems(picker) == []
    first = today - timedelta(days=1)
    picker.calendar.setSelectedDate(QDate(first.year, first.month, first.day))
    qtbot.mouseClick(picker.findChild(QPushButton, "date_picker_choose"), Qt.MouseButton.LeftButton)
    # Only today and yesterday: nobody joined then.
    qtbot.waitUntil(lambda: screen.by_store.empty.isVisible(), timeout=WAIT_MS)
    assert screen.days.first == first
    assert screen.days.last == today
    assert table(screen, "by_store_table")[-1] == ["Total", "0", "0.0%"]
    shoot(shell, SHOTS / "en-05-no-members-these-days.png")


def test_reports_in_chinese(shell: Shell, qtbot: QtBot):
    shell.switch_language("zh_TW")
    screen = open_reports(qtbot, shell)
    assert screen.title.text() == "報表"
    assert table(screen, "by_store_table")[-1][0] == "合計"
    assert "全體人員" in [row[0] for row in table(screen, "by_staff_table")]
    assert "尚未設定" in screen.sms.note.text()
    # Switched back while the reports are open: every word and date follows at once.
    shell.switch_language("en")
    assert screen.title.text() == "Reports"
    assert table(screen, "by_store_table")[-1][0] == "Total"
    assert (
        "Nov" in screen.shown_days.text()
        or "Dec" in screen.shown_days.text()
        or ("day" in screen.shown_days.text())
    )


@pytest.mark.parametrize("language", ["en", "zh_TW"])
def test_gallery_of_the_reports(shell: Shell, qtbot: QtBot, backend: LiveBackend, language: str):
    """Each report card at the counter's size, with a price set, for people to look at."""
    from tests.api.test_cli import omo

    omo(backend.settings.database_url, "settings", "set", "sms-segment-price", "150")
    shell.switch_language(language)
    screen = open_reports(qtbot, shell)
    for index, panel in enumerate((screen.by_store, screen.by_staff, screen.sms), start=1):
        screen.show_panel(panel)
        qtbot.waitUntil(panel.isVisible)
        QApplication.processEvents()
        shoot(shell, SHOTS / f"{language}-{index:02d}-{panel.objectName()}.png")
        assert touch_problems(shell) == [], panel.objectName()
        assert contrast_problems(shell) == [], panel.objectName()
    tap(qtbot, screen, "preset_custom")
    tap(qtbot, screen, "reports_from")
    assert screen.picker is not None
    qtbot.waitUntil(screen.picker.isVisible)
    shoot(screen.picker, SHOTS / f"{language}-04-date-picker.png")
    screen.picker.reject()


def test_a_donut_shows_seven_stores_and_the_smaller_ones_as_one_slice(qtbot: QtBot):
    panel = RegistrationsByStore()
    qtbot.addWidget(panel)
    rows = [
        RegistrationRow(store=f"S{n:02d}", store_name=f"Store {n}", members=20 - n, percent=0)
        for n in range(10)
    ]
    panel.draw(rows)
    (pie,) = panel.chart.series()
    assert isinstance(pie, QPieSeries)
    slices = pie.slices()
    assert [s.value() for s in slices] == [20, 19, 18, 17, 16, 15, 14, 13 + 12 + 11]
    assert slices[-1].label().startswith("Other stores")
    # The table still lists every store, each with its slice's colour or the others' one.
    assert len(table_of(panel)) == 11  # ten stores and the total


def test_a_report_that_cannot_be_fetched_says_why_and_keeps_the_last_one(
    shell: Shell, qtbot: QtBot
):
    screen = open_reports(qtbot, shell)
    assert shell.client is not None
    shell.client.base_url = "http://127.0.0.1:9"  # the backend is out of reach
    tap(qtbot, screen, "reports_refresh")
    qtbot.waitUntil(lambda: bool(screen.message.message()), timeout=WAIT_MS)
    assert "reach" in screen.message.message() or "connect" in screen.message.message()
    assert table(screen, "by_store_table")[-1] == ["Total", "85", "100.0%"]
    assert screen.refresh.isEnabled()
    shoot(shell, SHOTS / "en-06-offline.png")
