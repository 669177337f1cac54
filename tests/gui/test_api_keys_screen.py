"""An admin's integration keys in the app, against the real backend: make one (shown once,
copied), see it listed without the key, revoke it after confirming; both languages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient
from backend_client.schemas import Role
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.api_keys import ApiKeysScreen
from omo_desktop.workers import wait_for_all
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "admin"
WAIT_MS = 15_000


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        live.add_store("TPE01", "台北總店")
        live.add_staff("TPE01", "9001", "Head office", pin="900900", role=Role.ADMIN)
        yield live


@pytest.fixture
def admin_client(backend: LiveBackend) -> Iterator[OmoClient]:
    client = OmoClient(backend.base_url)
    client.enroll(backend.enrollment_code(), "Office PC")
    client.login("9001", "900900")
    yield client
    client.close()


@pytest.fixture(params=["en", "zh_TW"])
def screen(
    request: pytest.FixtureRequest, admin_client: OmoClient, qtbot: QtBot, qapp: QApplication
) -> Iterator[ApiKeysScreen]:
    switcher = LanguageSwitcher(qapp)
    switcher.switch(request.param)
    theme.apply(qapp)
    shown = ApiKeysScreen(admin_client)
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    yield shown
    wait_for_all()
    switcher.switch("en")


def say(source: str, *values: str) -> str:
    text = QCoreApplication.translate("ApiKeysScreen", source)
    for number, value in enumerate(values, start=1):
        text = text.replace(f"%{number}", value)
    return text


def shoot(screen: ApiKeysScreen, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    locale = "zh_TW" if say("Create key") != "Create key" else "en"
    image = screen.grab().toImage()
    image.save(str(SHOTS / f"api-keys-{name}-{locale}.png"))
    assert touch_problems(screen) == []
    assert contrast_problems(screen, image) == []


def test_an_admin_makes_copies_and_revokes_a_key(
    screen: ApiKeysScreen, backend: LiveBackend, qtbot: QtBot
):
    qtbot.waitUntil(lambda: not screen.controller.state.loading, timeout=WAIT_MS)
    assert screen.message.message() == say("No keys yet.")

    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.message.message() == say("Give the key a name, e.g. the POS it is for.")

    qtbot.keyClicks(screen.name, "POS Xinyi")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.controller.state.created is not None, timeout=WAIT_MS)
    key = screen.created_key.text()
    assert key.startswith("omo_")
    assert screen.created_note.isVisible()
    assert screen.created_note.text() == say(
        "New key for %1: copy it now, it is not shown again.", "POS Xinyi"
    )
    assert screen.table.rowCount() == 1
    assert screen.table.item(0, 1).text() == key[:12]
    shoot(screen, "created")

    qtbot.mouseClick(screen.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == key

    # The key works for the POS until it is revoked.
    body = {"phone": "0955666777", "amount": 500, "external_ref": "S-1", "store_code": "TPE01"}
    auth = {"Authorization": f"Bearer {key}"}
    orders = backend.url("/api/v1/orders")
    assert requests.post(orders, json=body, headers=auth, timeout=30).status_code == 201

    assert not screen.revoke.isEnabled()
    first = screen.table.visualRect(screen.table.model().index(0, 0)).center()
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    assert screen.revoke.isEnabled()
    qtbot.mouseClick(screen.revoke, Qt.MouseButton.LeftButton)
    assert screen.revoke.text() == say("Revoke now")
    assert screen.message.message() == say(
        "Revoke %1 (%2)? Whatever uses it stops at once; this can't be undone.",
        "POS Xinyi",
        key[:12],
    )
    shoot(screen, "confirm-revoke")
    qtbot.mouseClick(screen.cancel, Qt.MouseButton.LeftButton)
    assert screen.revoke.text() == say("Revoke key")
    qtbot.mouseClick(screen.revoke, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.revoke, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.controller.state.keys[0].revoked_at is not None, timeout=WAIT_MS)
    assert screen.table.item(0, 4).text().startswith(say("Revoked %1", "")[:2])
    assert not screen.revoke.isEnabled()
    again = {**body, "external_ref": "S-2"}
    assert requests.post(orders, json=again, headers=auth, timeout=30).status_code == 401
