"""Setting up a new counter once: the device token goes to the keyring, typos keep the form;
a counter a manager revoked goes back to its set-up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient
from backend_client.schemas import Role
from omo_desktop.device_store import DeviceCredentials, DeviceStore
from omo_desktop.enroll import EnrollController
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.enroll import EnrollScreen
from omo_desktop.shell import Shell
from omo_desktop.workers import wait_for_all
from tests.gui.design_checks import placed, shoot
from tests.gui.test_counter_app import WAIT_MS, log_in, search, tap, type_on_numpad
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.keyrings import MemoryKeyring

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens"))


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        live.add_store("TPE01", "台北總店")
        yield live


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


def set_up_screen(qtbot: QtBot) -> EnrollScreen:
    screen = EnrollScreen()
    screen.resize(1280, 800)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def fill(qtbot: QtBot, screen: EnrollScreen, url: str, code: str, name: str) -> None:
    for field, text in (("backend_url", url), ("enrollment_code", code), ("device_name", name)):
        edit = screen.findChild(QLineEdit, field)
        edit.clear()
        qtbot.keyClicks(edit, text)
    qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)


def test_a_new_counter_is_set_up_once(
    qtbot: QtBot, backend: LiveBackend, memory_keyring: MemoryKeyring, themed: QApplication
):
    screen = set_up_screen(qtbot)
    shoot(screen, SHOTS / "enroll-en.png")
    controller = EnrollController(screen, DeviceStore())
    with qtbot.waitSignal(controller.enrolled, timeout=10_000) as signal:
        fill(qtbot, screen, backend.base_url, backend.enrollment_code().lower(), "Counter 1")
    credentials = signal.args[0]
    assert isinstance(credentials, DeviceCredentials)
    assert credentials.store_code == "TPE01"
    assert DeviceStore().load() == credentials
    assert credentials.device_token in next(iter(memory_keyring.items.values()))


def test_a_wrong_code_is_explained_and_the_form_is_kept(
    qtbot: QtBot, backend: LiveBackend, memory_keyring: MemoryKeyring, themed: QApplication
):
    screen = set_up_screen(qtbot)
    EnrollController(screen, DeviceStore())
    parts = ("backend_url", "enrollment_code", "device_name", "primary")
    before = {name: placed(screen, name) for name in parts}
    fill(qtbot, screen, backend.base_url, "WRONG-CODE1", "Counter 1")
    error = screen.findChild(QLabel, "error")
    qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text().startswith("This enrollment code is unknown, used or expired.")
    assert screen.findChild(QLineEdit, "device_name").text() == "Counter 1"
    assert DeviceStore().load() is None
    assert {name: placed(screen, name) for name in parts} == before, "the message moved nothing"
    assert placed(screen, "primary").right() > screen.width() * 3 // 4, "the main action right"
    shoot(screen, SHOTS / "enroll-en-wrong-code.png")

    fill(qtbot, screen, "omo.example.com", "ABCDE-FGHJK", "Counter 1")
    assert error.text() == "Type the server address, starting with https://"


def test_a_revoked_counter_goes_back_to_set_up(
    qtbot: QtBot,
    qapp: QApplication,
    themed: QApplication,
    backend: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
):
    backend.add_staff("TPE01", "1001", "Amy", pin="123456")
    backend.add_staff("TPE01", "1009", "Max", pin="999999", role=Role.MANAGER)
    store = DeviceStore(allow_plaintext=True)
    client = OmoClient(backend.base_url)
    enrolled = client.enroll(backend.enrollment_code(), "Counter 1")
    client.close()
    credentials = DeviceCredentials(
        backend.base_url, enrolled.device_id, enrolled.device_token, "TPE01", "台北總店"
    )
    store.save(credentials)
    shell = Shell(device_store=store, data_dir=tmp_path, languages=LanguageSwitcher(qapp))
    qtbot.addWidget(shell)
    shell.resize(1280, 800)
    shell.show()
    shell.use_device(credentials)
    log_in(qtbot, shell)

    # A manager on another counter revokes this one while Amy is at it.
    manager = backend.counter(staff_code="1009", pin="999999")
    assert manager.post(f"/api/v1/devices/{enrolled.device_id}/revoke").ok
    search(qtbot, shell, "0912345678")
    qtbot.waitUntil(lambda: shell.page() == "enroll", timeout=WAIT_MS)
    assert shell.enroll.error.text() == REVOKED
    assert shell.enroll.backend_url.text() == backend.base_url, "the server is kept"
    assert store.load() is None, "the dead token is forgotten"
    shoot(shell, SHOTS / "enroll-en-device-revoked.png")

    # The app started again with the old token: refused at log-in, set up again.
    shell.use_device(credentials)
    type_on_numpad(qtbot, shell.login, "staff_code", "1001")
    type_on_numpad(qtbot, shell.login, "pin", "123456")
    tap(qtbot, shell.login, "primary")
    qtbot.waitUntil(lambda: shell.page() == "enroll", timeout=WAIT_MS)
    assert shell.enroll.error.text() == REVOKED

    # Set up again with a new code: one log-in goes out, with the new device only.
    with qtbot.waitSignal(shell.page_changed, timeout=WAIT_MS):
        fill(qtbot, shell.enroll, backend.base_url, backend.enrollment_code(), "Counter 1")
    assert shell.page() == "login"
    log_in(qtbot, shell)
    assert wait_for_all(WAIT_MS)
    assert shell.page() == "counter"
    shell.close()


REVOKED = (
    "This counter is no longer set up with the store (a manager removed it). Ask a manager "
    "for a new enrollment code to set it up again."
)


def test_no_keyring_at_start_is_said_in_the_staffs_language(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
):
    from keyring.backends.fail import Keyring as NoKeyring

    from omo_desktop.app import open_device

    before = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    languages = LanguageSwitcher(qapp)
    try:
        shell = Shell(device_store=DeviceStore(), data_dir=tmp_path, languages=languages)
        qtbot.addWidget(shell)
        open_device(shell)
        error = shell.enroll.findChild(QLabel, "error")
        assert error.text().startswith("This computer has no safe place for the device key.")
        languages.switch("zh_TW")
        qtbot.waitUntil(lambda: "裝置" in error.text(), timeout=2000)
    finally:
        languages.switch("en")
        keyring.set_keyring(before)


def test_set_up_in_chinese_says_what_to_type(
    qtbot: QtBot, qapp: QApplication, themed: QApplication
):
    languages = LanguageSwitcher(qapp)
    languages.switch("zh_TW")
    try:
        screen = set_up_screen(qtbot)
        qtbot.waitUntil(lambda: screen.findChild(QLabel, "title").text() == "設定此櫃台")
        fill(qtbot, screen, "https://omo.example.com", "", "")
        assert screen.findChild(QLabel, "error").text() == "請輸入裝置註冊碼及此裝置的名稱。"
        shoot(screen, SHOTS / "enroll-zh_TW-missing.png")
        languages.switch("en")
        qtbot.waitUntil(lambda: screen.findChild(QLabel, "title").text() == "Set up this counter")
        assert screen.findChild(QLabel, "error").text() == (
            "Type the enrollment code and a name for this device."
        )
    finally:
        languages.switch("en")
