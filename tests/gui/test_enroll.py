"""Setting up a new counter once: the device token goes to the keyring, typos keep the form."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from omo_desktop.device_store import DeviceCredentials, DeviceStore
from omo_desktop.enroll import EnrollController
from omo_desktop.screens.enroll import EnrollScreen
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.keyrings import MemoryKeyring


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


def fill(qtbot: QtBot, screen: EnrollScreen, url: str, code: str, name: str) -> None:
    for field, text in (("backend_url", url), ("enrollment_code", code), ("device_name", name)):
        edit = screen.findChild(QLineEdit, field)
        edit.clear()
        qtbot.keyClicks(edit, text)
    qtbot.mouseClick(screen.findChild(QPushButton, "primary"), Qt.MouseButton.LeftButton)


def test_a_new_counter_is_set_up_once(
    qtbot: QtBot, backend: LiveBackend, memory_keyring: MemoryKeyring
):
    screen = EnrollScreen()
    qtbot.addWidget(screen)
    controller = EnrollController(screen, DeviceStore())
    with qtbot.waitSignal(controller.enrolled, timeout=10_000) as signal:
        fill(qtbot, screen, backend.base_url, backend.enrollment_code().lower(), "Counter 1")
    credentials = signal.args[0]
    assert isinstance(credentials, DeviceCredentials)
    assert credentials.store_code == "TPE01"
    assert DeviceStore().load() == credentials
    assert credentials.device_token in next(iter(memory_keyring.items.values()))


def test_a_wrong_code_is_explained_and_the_form_is_kept(
    qtbot: QtBot, backend: LiveBackend, memory_keyring: MemoryKeyring
):
    screen = EnrollScreen()
    qtbot.addWidget(screen)
    EnrollController(screen, DeviceStore())
    fill(qtbot, screen, backend.base_url, "WRONG-CODE1", "Counter 1")
    error = screen.findChild(QLabel, "error")
    qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text().startswith("This enrollment code is unknown, used or expired.")
    assert screen.findChild(QLineEdit, "device_name").text() == "Counter 1"
    assert DeviceStore().load() is None

    fill(qtbot, screen, "omo.example.com", "ABCDE-FGHJK", "Counter 1")
    assert error.text() == "Type the server address, starting with https://"
