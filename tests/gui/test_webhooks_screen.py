"""An admin's webhooks in the app, against the real backend and a real receiver: add an
endpoint in the Integrations section (secret shown once, copied), see a member event
delivered in its log, turn it off, make a new secret and delete it after confirming; both
languages."""

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
from backend_client.schemas import Role, WebhookEvent
from omo_backend.webhooks import events
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.integrations import IntegrationsScreen
from omo_desktop.workers import wait_for_all
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.webhook_receiver import Receiver, webhook_receiver

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "admin"
WAIT_MS = 15_000


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory, webhook_poll_seconds=0.05) as live:
        live.add_store("TPE01", "台北總店")
        live.add_staff("TPE01", "9001", "Head office", pin="900900", role=Role.ADMIN)
        live.add_staff("TPE01", "2001", "Manager", pin="200200", role=Role.MANAGER)
        yield live


@pytest.fixture
def admin_client(backend: LiveBackend) -> Iterator[OmoClient]:
    client = OmoClient(backend.base_url)
    client.enroll(backend.enrollment_code(), "Office PC")
    client.login("9001", "900900")
    yield client
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture(params=["en", "zh_TW"])
def section(
    request: pytest.FixtureRequest, admin_client: OmoClient, qtbot: QtBot, qapp: QApplication
) -> Iterator[IntegrationsScreen]:
    switcher = LanguageSwitcher(qapp)
    switcher.switch(request.param)
    theme.apply(qapp)
    shown = IntegrationsScreen(admin_client)
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    yield shown
    wait_for_all()
    switcher.switch("en")


def say(source: str, *values: str) -> str:
    text = QCoreApplication.translate("WebhooksScreen", source)
    for number, value in enumerate(values, start=1):
        text = text.replace(f"%{number}", value)
    return text


def shoot(section: IntegrationsScreen, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    locale = "zh_TW" if say("Add endpoint") != "Add endpoint" else "en"
    image = section.grab().toImage()
    image.save(str(SHOTS / f"webhooks-{name}-{locale}.png"))
    assert touch_problems(section) == []
    assert contrast_problems(section, image) == []


def add_member_as_manager(backend: LiveBackend) -> None:
    token = backend.login(backend.enroll(name="Manager PC"), "2001", "200200")
    reply = requests.post(
        backend.url("/api/v1/members"),
        json={"phone": "0955 666 777"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert reply.status_code == 201, reply.text


def test_an_admin_adds_an_endpoint_and_follows_its_deliveries(
    section: IntegrationsScreen, backend: LiveBackend, receiver: Receiver, qtbot: QtBot
):
    assert section.pages.currentWidget() is section.keys
    qtbot.mouseClick(section.show_webhooks, Qt.MouseButton.LeftButton)
    screen = section.webhooks
    assert section.pages.currentWidget() is screen
    qtbot.waitUntil(lambda: not screen.controller.state.loading, timeout=WAIT_MS)
    assert screen.message.message() == say("No webhooks yet.")
    shoot(section, "empty")

    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.message.message() == say("Type the receiver's address, starting with https://.")
    qtbot.keyClicks(screen.url, receiver.url)
    for chip in screen.event_chips.values():
        chip.setChecked(False)
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.message.message() == say("Choose at least one event.")
    qtbot.mouseClick(screen.event_chips[next(iter(screen.event_chips))], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.controller.state.secret is not None, timeout=WAIT_MS)
    secret = screen.secret.text()
    assert secret.startswith("whsec_")
    assert screen.secret_note.text() == say(
        "Signing secret for %1: copy it now, it is not shown again.", receiver.url
    )
    assert screen.table.rowCount() == 1
    assert screen.table.item(0, 1).text() == say("Member added")
    assert screen.table.item(0, 2).text() == say("On")
    qtbot.mouseClick(screen.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == secret
    receiver.secret = secret
    shoot(section, "created")

    # A manager adds a member: the receiver gets it signed, and the log says so.
    add_member_as_manager(backend)
    [delivery] = receiver.wait_for(1)
    assert delivery.signed
    assert delivery.headers["omo-event"] == "member.created"

    def delivered() -> bool:
        qtbot.mouseClick(screen.refresh, Qt.MouseButton.LeftButton)
        wait_for_all()
        log = screen.controller.state.log
        return bool(log) and log[0].status == "delivered"

    qtbot.waitUntil(delivered, timeout=WAIT_MS)
    assert screen.log.rowCount() == 1
    assert screen.log.item(0, 1).text() == say("Member added")
    assert screen.log.item(0, 2).text() == say("Delivered")
    assert screen.log.item(0, 3).text() == "200"
    assert screen.log.item(0, 4).text() == "1"
    assert screen.log.item(0, 5).text() == "—"
    screen.scroller.ensureWidgetVisible(screen.log)
    shoot(section, "log")

    qtbot.mouseClick(screen.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.controller.state.endpoints[0].enabled, timeout=WAIT_MS)
    assert screen.table.item(0, 2).text() == say("Off")
    assert screen.toggle.text() == say("Turn on")

    qtbot.mouseClick(screen.rotate, Qt.MouseButton.LeftButton)
    assert screen.rotate.text() == say("Make new secret now")
    assert screen.message.message() == say(
        "Make a new secret for %1? The old one stops at once: the receiver needs the new one.",
        receiver.url,
    )
    shoot(section, "confirm-rotate")
    qtbot.mouseClick(screen.rotate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: screen.controller.state.secret is not None and screen.secret.text() != secret,
        timeout=WAIT_MS,
    )
    assert screen.secret.text().startswith("whsec_")

    qtbot.mouseClick(screen.delete, Qt.MouseButton.LeftButton)
    assert screen.message.message() == say(
        "Delete %1 and its delivery log? This can't be undone.", receiver.url
    )
    qtbot.mouseClick(screen.cancel, Qt.MouseButton.LeftButton)
    assert screen.delete.text() == say("Delete")
    qtbot.mouseClick(screen.delete, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.controller.state.endpoints, timeout=WAIT_MS)
    assert screen.table.rowCount() == 0
    assert screen.message.message() == say("No webhooks yet.")
    assert not screen.secret.isVisible()


def test_a_long_delivery_log_shows_older_entries_on_request(
    section: IntegrationsScreen, backend: LiveBackend, admin_client: OmoClient, qtbot: QtBot
):
    made = admin_client.create_webhook(
        "https://hooks.example.com/omo", [WebhookEvent.MEMBER_ERASED]
    )
    with backend.db.transaction() as session:
        events.emit_many(
            session=session,
            event=WebhookEvent.MEMBER_ERASED,
            data=[{"member_id": n} for n in range(1, 61)],
        )
    qtbot.mouseClick(section.show_webhooks, Qt.MouseButton.LeftButton)
    screen = section.webhooks
    qtbot.waitUntil(lambda: len(screen.controller.state.endpoints) == 1, timeout=WAIT_MS)
    screen.table.selectRow(0)
    qtbot.waitUntil(lambda: screen.log.rowCount() == 50, timeout=WAIT_MS)
    assert screen.controller.state.selected == made.id
    assert screen.older.isVisible()
    assert screen.older.text() == say("Show older")
    qtbot.mouseClick(screen.older, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.log.rowCount() == 60, timeout=WAIT_MS)
    assert not screen.older.isVisible()
    ids = [d.id for d in screen.controller.state.log]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 60
