"""The app's sections after log-in, against the real backend: counter staff see the counter
alone; a manager or an admin sees a rail to the other sections; a counter-only device shows the
counter alone whoever logs in on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from backend_client.schemas import Role
from omo_backend.models import Device
from omo_desktop.design import theme
from omo_desktop.device_store import DeviceStore
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.shell import SectionFactory, Shell, default_sections
from tests.gui.design_checks import touch_problems
from tests.gui.test_counter_app import enroll, log_in, staffed, tap
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

MANAGER = ("2001", "654321")
ADMIN = ("9001", "900900")


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    """TPE01 with Amy (counter staff, 1001), Mia (manager, 2001) and Ada (admin, 9001)."""
    with live_backend(sqlite_factory) as live:
        staffed(live)
        live.add_staff("TPE01", MANAGER[0], "Mia", pin=MANAGER[1], role=Role.MANAGER)
        live.add_staff("TPE01", ADMIN[0], "Ada", pin=ADMIN[1], role=Role.ADMIN)
        yield live


def open_shell(
    backend: LiveBackend,
    qtbot: QtBot,
    qapp: QApplication,
    data_dir: Path,
    sections: dict[str, SectionFactory] | None = None,
) -> Shell:
    """The themed app at the counter's size on a newly enrolled device."""
    theme.apply(qapp)
    app = Shell(
        device_store=DeviceStore(allow_plaintext=True),
        data_dir=data_dir,
        languages=LanguageSwitcher(qapp),
        sections=sections,
    )
    qtbot.addWidget(app)
    app.resize(1280, 800)
    with qtbot.waitExposed(app):
        app.show()
    app.use_device(enroll(backend))
    return app


@pytest.fixture
def shell(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[Shell]:
    app = open_shell(backend, qtbot, qapp, tmp_path, default_sections())
    yield app
    app.close()
    qapp.setStyleSheet("")


def rail_buttons(shell: Shell) -> list[str]:
    return [
        b.objectName()
        for b in shell.counter.rail.findChildren(QToolButton)
        if b.isVisibleTo(shell) and shell.counter.rail.isVisibleTo(shell)
    ]


def test_counter_staff_see_only_the_counter(shell: Shell, qtbot: QtBot):
    log_in(qtbot, shell)
    assert shell.counter.section_keys() == ["counter"]
    assert not shell.counter.rail.isVisible()
    assert rail_buttons(shell) == []
    assert shell.counter.section() == "counter"


@pytest.mark.parametrize(
    ("who", "extra"), [(MANAGER, []), (ADMIN, ["keys"])], ids=["manager", "admin"]
)
def test_a_manager_or_an_admin_sees_counter_members_and_reports(
    shell: Shell, qtbot: QtBot, who: tuple[str, str], extra: list[str]
):
    """An admin also gets the integration keys."""
    log_in(qtbot, shell, *who)
    keys = ["counter", "members", "reports", *extra]
    assert shell.counter.section_keys() == keys
    assert rail_buttons(shell) == [f"section_{key}" for key in keys]
    assert shell.counter.section() == "counter", "a log-in starts at the counter"
    assert touch_problems(shell.counter.rail) == []

    tap_section(qtbot, shell, "members")
    assert shell.counter.section() == "members"
    members = shell.counter.sections.currentWidget()
    assert members.objectName() == "members"
    tap_section(qtbot, shell, "reports")
    assert shell.counter.section() == "reports"
    tap_section(qtbot, shell, "counter")
    assert shell.counter.view.isVisible()

    # Log-out takes the sections away, with whatever they showed.
    tap(qtbot, shell.counter, "header_logout")
    assert shell.page() == "login"
    assert shell.counter.section_keys() == ["counter"]
    qtbot.waitUntil(lambda: not shiboken6.isValid(members))
    # Counter staff on the same device next: the counter alone.
    log_in(qtbot, shell)
    assert rail_buttons(shell) == []


def test_a_counter_only_device_hides_the_other_sections_from_a_manager(
    shell: Shell, backend: LiveBackend, qtbot: QtBot
):
    assert shell.credentials is not None
    with backend.db.transaction() as session:
        session.execute(
            update(Device).where(Device.id == shell.credentials.device_id).values(counter_only=True)
        )
    log_in(qtbot, shell, *MANAGER)
    assert shell.counter.section_keys() == ["counter"]
    assert rail_buttons(shell) == []


def tap_section(qtbot: QtBot, shell: Shell, key: str) -> None:
    button = shell.counter.rail.button(key)
    assert button is not None, key
    assert button.isVisible(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
