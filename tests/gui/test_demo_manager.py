"""The README's manager walk-through on the demo: Amy (a manager) logs in, finds a member among
the demo crowd, opens their details, and sees the reports' charts; screenshots of each, in
both languages, for the README."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from omo_desktop.app import App, build, parse_args
from omo_desktop.screens.members import MembersScreen
from omo_desktop.screens.reports.screen import ReportsScreen
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.gui.settled import wait_until_settled
from tests.gui.test_counter_app import log_in

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "app"
WAIT_MS = 30_000


@pytest.fixture(params=["en", "zh_TW"])
def demo(
    request: pytest.FixtureRequest,
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    monkeypatch.setenv("OMO_DATA_DIR", str(tmp_path))
    app = build(parse_args(["--demo", "--locale", request.param]))
    qtbot.addWidget(app.shell)
    try:
        yield app
    finally:
        # The next tests read English: the demo's translator goes with it.
        app.shell.languages.switch("en")
        app.close()


def shoot(qtbot: QtBot, app: App, name: str) -> None:
    shell = app.shell
    locale = "zh_TW" if QCoreApplication.translate("CounterPage", "Members") != "Members" else "en"
    wait_until_settled(qtbot, shell)
    image = shell.grab().toImage()
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / f"demo-{name}-{locale}.png"))
    assert touch_problems(shell) == []
    assert contrast_problems(shell, image) == []


def test_a_manager_finds_a_member_and_sees_the_reports(demo: App, qtbot: QtBot):
    shell = demo.shell
    shell.resize(1280, 800)
    log_in_button = shell.login.findChild(QPushButton, "primary")
    assert log_in_button is not None
    qtbot.waitUntil(lambda: log_in_button.isEnabled() and demo.phone is not None, timeout=WAIT_MS)
    log_in(qtbot, shell)  # Amy, 1001: a manager at the demo's Taipei store
    assert shell.counter.section_keys() == ["counter", "members", "reports"]

    qtbot.mouseClick(shell.counter.rail.button("members"), Qt.MouseButton.LeftButton)
    members = shell.counter.sections.currentWidget()
    assert isinstance(members, MembersScreen)
    model = members.controller.members
    qtbot.waitUntil(lambda: model.rowCount() > 20, timeout=WAIT_MS)
    # The overview comes in its own reply ("…" until then).
    qtbot.waitUntil(lambda: members.overview.total.figure.text() != "…", timeout=WAIT_MS)
    total = int(members.overview.total.figure.text().replace(",", ""))
    assert total >= 300, "the demo has a crowd of members"

    # Find a member by part of their name, as a manager would.
    first_name = str(model.data(model.index(0, 0)))
    part = first_name[-2:]
    search = members.findChild(QLineEdit, "member_search")
    assert search is not None
    search.setText(part)
    qtbot.waitUntil(
        lambda: (
            0 < model.rowCount() < total
            and all(part in str(model.data(model.index(r, 0))) for r in range(model.rowCount()))
        ),
        timeout=WAIT_MS,
    )
    members.table.selectionModel().setCurrentIndex(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: members.detail.placeholder.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "…" not in members.detail.balance.text(), timeout=WAIT_MS)
    shoot(qtbot, demo, "members")

    qtbot.mouseClick(shell.counter.rail.button("reports"), Qt.MouseButton.LeftButton)
    reports = shell.counter.sections.currentWidget()
    assert isinstance(reports, ReportsScreen)
    qtbot.waitUntil(lambda: reports.by_store.table.rowCount() > 1, timeout=WAIT_MS)
    shoot(qtbot, demo, "reports")
