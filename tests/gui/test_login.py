"""Staff log in on the counter, in English or Traditional Chinese, against the real backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from backend_client import schemas
from backend_client.client import OmoClient
from omo_backend.models import PinGuard, Staff
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.login import LoginController
from omo_desktop.screens.login import LoginScreen
from tests.gui.design_checks import placed, shoot
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens"))


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        live.add_store("TPE01", "台北總店")
        live.add_staff("TPE01", "1001", "Amy", pin="123456")
        yield live


@pytest.fixture
def login(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication
) -> Iterator[tuple[LoginScreen, LoginController, LanguageSwitcher]]:
    theme.apply(qapp)
    client = OmoClient(backend.base_url)
    client.enroll(backend.enrollment_code(), "Counter 1")
    screen = LoginScreen()
    screen.set_store("台北總店")
    screen.resize(1024, 720)
    qtbot.addWidget(screen)
    screen.show()
    languages = LanguageSwitcher(qapp)
    screen.language_requested.connect(languages.switch)
    screen.language_requested.connect(screen.set_locale)
    yield screen, LoginController(screen, client), languages
    languages.switch("en")
    qapp.setStyleSheet("")


def type_on_numpad(qtbot: QtBot, screen: LoginScreen, field: str, digits: str) -> None:
    target = screen.findChild(QLineEdit, field)
    target.setFocus()
    pad = next(p for p in screen.findChildren(QWidget, "numpad") if p.isVisible())
    for digit in digits:
        qtbot.mouseClick(pad.findChild(QPushButton, f"numpad_{digit}"), Qt.MouseButton.LeftButton)


def test_staff_log_in_with_the_numpad(qtbot: QtBot, login):  # type: ignore[no-untyped-def]
    screen, controller, _ = login
    type_on_numpad(qtbot, screen, "staff_code", "1001")
    type_on_numpad(qtbot, screen, "pin", "123456")
    shoot(screen, SHOTS / "login-en.png")
    with qtbot.waitSignal(controller.logged_in, timeout=10_000) as signal:
        qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)
    reply = signal.args[0]
    assert isinstance(reply, schemas.StaffLoginResponse)
    assert reply.staff.name == "Amy"
    assert screen.findChild(QLineEdit, "pin").text() == "", "no PIN left on screen"


def test_a_wrong_pin_is_said_plainly_in_chinese_and_keeps_the_code(qtbot: QtBot, login):  # type: ignore[no-untyped-def]
    screen, _, languages = login
    qtbot.mouseClick(screen.findChild(QPushButton, "link"), Qt.MouseButton.LeftButton)
    assert languages.locale == "zh_TW"
    title = screen.findChild(QLabel, "title")
    qtbot.waitUntil(lambda: title.text() == "員工登入", timeout=2000)
    assert screen.findChild(QPushButton, "link").text() == "English"

    type_on_numpad(qtbot, screen, "staff_code", "1001")
    type_on_numpad(qtbot, screen, "pin", "999999")
    qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)
    error = screen.findChild(QLabel, "error")
    qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text() == "員工編號或密碼錯誤。"
    assert screen.findChild(QLineEdit, "staff_code").text() == "1001"
    assert screen.findChild(QLineEdit, "pin").text() == ""
    shoot(screen, SHOTS / "login-zh_TW-wrong-pin.png")


def test_a_code_locked_until_a_manager_unlocks_it_says_so(  # type: ignore[no-untyped-def]
    qtbot: QtBot, login, backend: LiveBackend
):
    screen, _, languages = login
    with backend.db.transaction() as session:
        store_id = session.scalar(select(Staff.store_id).where(Staff.code == "1001"))
        assert store_id is not None
        session.add(PinGuard(store_id=store_id, code="1001", unlock_required=True))
    qtbot.mouseClick(screen.findChild(QPushButton, "link"), Qt.MouseButton.LeftButton)
    assert languages.locale == "zh_TW"
    type_on_numpad(qtbot, screen, "staff_code", "1001")
    type_on_numpad(qtbot, screen, "pin", "123456")
    qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)
    error = screen.findChild(QLabel, "error")
    qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text() == "今日密碼錯誤次數過多，請店長為此員工編號解鎖。"
    shoot(screen, SHOTS / "login-zh_TW-locked-until-unlocked.png")


def test_a_refused_log_in_moves_nothing_and_log_in_is_under_the_numpad(  # type: ignore[no-untyped-def]
    qtbot: QtBot, login
):
    screen, _, languages = login
    parts = ("staff_code", "pin", "numpad", "primary", "link")

    def where() -> dict[str, QRect]:
        return {name: placed(screen, name) for name in parts}

    before = where()
    error = screen.findChild(QLabel, "error")
    assert not error.isVisibleTo(screen)
    type_on_numpad(qtbot, screen, "staff_code", "1001")
    qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)
    assert error.isVisibleTo(screen)
    assert error.text() == "Type your staff code and PIN."
    assert where() == before
    shoot(screen, SHOTS / "login-en-pin-missing.png")

    pad, log_in = before["numpad"], before["primary"]
    assert log_in.left() == pad.left()
    assert log_in.width() == pad.width()
    assert log_in.top() > pad.bottom(), "the main action right under the keys"

    # One numpad types into whichever field was tapped.
    type_on_numpad(qtbot, screen, "pin", "12")
    type_on_numpad(qtbot, screen, "staff_code", "9")
    assert screen.findChild(QLineEdit, "pin").text() == "12"
    assert screen.findChild(QLineEdit, "staff_code").text() == "10019"
    qtbot.mouseClick(screen.findChild(QPushButton, "link"), Qt.MouseButton.LeftButton)
    assert languages.locale == "zh_TW"
    qtbot.waitUntil(lambda: screen.findChild(QPushButton, "link").text() == "English")
    assert error.text() == "請輸入員工編號及密碼。", "the screen's own message, in the new language"
    shoot(screen, SHOTS / "login-zh_TW.png")
