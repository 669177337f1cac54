"""``omo-desktop --demo``: the backend runs inside the app, and a demo phone shows its SMS."""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient, new_idempotency_key
from backend_client.errors import OfflineError
from backend_client.masking import mask_phone
from backend_client.schemas import InvitationStatus
from omo_desktop.demo.embedded import (
    DATABASE_FILE,
    LOG_FORMAT,
    DemoInfo,
    EmbeddedBackend,
    EmbeddedBackendError,
    default_data_dir,
)
from omo_desktop.demo.phone import DemoPhoneWindow, phone_spot
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.gui.settled import wait_until_settled

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "demo"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data folder, moved into the test's own folder."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("OMO_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def demo(data_dir: Path) -> Iterator[DemoInfo]:
    backend = EmbeddedBackend()
    info = backend.start()
    yield info
    backend.stop()


def logged_in(info: DemoInfo) -> OmoClient:
    """This device, with the first demo staff of its store logged in."""
    staff = info.store_staff[0]
    client = OmoClient(info.base_url, device_token=info.device_token)
    client.login(staff.code, staff.pin)
    return client


def refused(base_url: str) -> bool:
    host, port = base_url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_the_demo_backend_runs_in_the_user_data_folder_with_this_device_enrolled(
    demo: DemoInfo, data_dir: Path
):
    assert default_data_dir() == data_dir
    assert demo.data_dir == data_dir
    assert (data_dir / DATABASE_FILE).is_file()
    assert demo.base_url.startswith("http://127.0.0.1:")
    assert OmoClient(demo.base_url).health().status == "ok"

    assert demo.store_code == "TPE01"
    assert {s.code for s in demo.store_staff} == {"1001", "1002", "9001"}
    staff = demo.store_staff[0]
    client = OmoClient(demo.base_url, device_token=demo.device_token)
    reply = client.login(staff.code, staff.pin)
    assert reply.staff.name == staff.name
    assert reply.store.name == demo.store_name

    member = client.search_customers(phone=demo.members[0])
    assert member.total == 1
    assert member.items[0].is_member


def test_a_sign_up_sms_shows_on_the_demo_phone_and_its_link_opens(
    demo: DemoInfo, qtbot: QtBot, qapp: QApplication
):
    theme.apply(qapp)
    opened: list[QUrl] = []
    phone = DemoPhoneWindow(demo.base_url, open_url=opened.append)
    qtbot.addWidget(phone)
    with qtbot.waitSignal(phone.refreshed, timeout=10_000):
        phone.show()
    assert phone.windowTitle() == "Demo phone"
    assert phone.findChild(QLabel, "empty").isVisible(), "nothing sent yet"
    SHOTS.mkdir(parents=True, exist_ok=True)
    wait_until_settled(qtbot, phone)
    image = phone.grab().toImage()
    image.save(str(SHOTS / "demo-phone-empty.png"))
    assert not contrast_problems(phone, image)

    counter = logged_in(demo)
    arrivals: list[bool] = []
    phone.new_message.connect(lambda: arrivals.append(True))
    invitation = counter.create_invitation(demo.new_customer, idempotency_key=new_idempotency_key())
    [sent] = counter.dev_messages(to=demo.new_customer).items
    [link] = sent.links
    assert link.startswith(f"{demo.base_url}/r/")

    def shows_sent() -> None:
        status = phone.findChild(QLabel, "sms_status")
        assert status is not None
        assert status.text() == "Sent"

    qtbot.waitUntil(shows_sent, timeout=10_000)
    card = phone.findChild(QFrame, "sms")
    assert card.findChild(QLabel, "sms_to").text() == mask_phone(sent.to)
    assert card.findChild(QLabel, "sms_to").text() == invitation.phone_masked
    assert link in card.findChild(QLabel, "sms_body").text().replace("\u200b", "")
    assert not phone.findChild(QLabel, "empty").isVisible()
    # The SMS came to the front once (it may open behind the counter on a small display).
    qtbot.waitUntil(lambda: arrivals == [True], timeout=10_000)

    wait_until_settled(qtbot, phone)
    image = phone.grab().toImage()
    image.save(str(SHOTS / "demo-phone.png"))
    assert not touch_problems(phone)
    assert not contrast_problems(phone, image)
    qtbot.mouseClick(card.findChild(QPushButton, "open_link"), Qt.MouseButton.LeftButton)
    assert opened == [QUrl(link)]

    # Nothing changed: the next answers leave the card as it is (no redraw every second).
    card.setProperty("drawn_before", True)
    for _ in range(2):
        with qtbot.waitSignal(phone.refreshed, timeout=10_000):
            pass
    assert phone.findChild(QFrame, "sms").property("drawn_before") is True
    assert arrivals == [True], "the same SMS again does not come forward again"

    languages = LanguageSwitcher(qapp)
    try:
        languages.switch("zh_TW")
        qtbot.waitUntil(lambda: phone.windowTitle() != "Demo phone")
        wait_until_settled(qtbot, phone)
        image = phone.grab().toImage()
        image.save(str(SHOTS / "demo-phone-zh_TW.png"))
        assert not touch_problems(phone)
        assert not contrast_problems(phone, image)
    finally:
        languages.switch("en")
    qapp.setStyleSheet("")


def test_the_demo_phone_says_so_when_the_backend_is_gone(qtbot: QtBot):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    phone = DemoPhoneWindow(f"http://127.0.0.1:{port}")
    qtbot.addWidget(phone)
    with qtbot.waitSignal(phone.refreshed, timeout=10_000):
        phone.show()
    assert phone.findChild(QLabel, "error").isVisible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    wait_until_settled(qtbot, phone)
    image = phone.grab().toImage()
    image.save(str(SHOTS / "demo-phone-offline.png"))
    assert not contrast_problems(phone, image)


def app_log_line() -> re.Pattern[str]:
    """A line in the app's log format, whatever logger wrote it."""
    fields = {
        "asctime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}",
        "levelname": "(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)",
        "name": r"[\w.]+",
        "message": ".*",
    }
    pattern = re.escape(LOG_FORMAT)
    for field, shape in fields.items():
        pattern = pattern.replace(re.escape(f"%({field})s"), shape)
    assert "%" not in pattern, f"a field of {LOG_FORMAT!r} this test does not know"
    return re.compile(pattern)


def test_the_demo_backend_logs_in_the_apps_format(
    data_dir: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)  # the backend logs as much as the app does
    backend = EmbeddedBackend()
    backend.start()  # a new folder: the migrations run
    backend.stop()
    lines = capfd.readouterr().err.splitlines()
    loggers = {line.split(" ")[3] for line in lines if app_log_line().fullmatch(line)}
    assert any(name.startswith("alembic.") for name in loggers), lines
    assert "uvicorn.error" in loggers, lines
    other = [line for line in lines if not app_log_line().fullmatch(line)]
    assert not other, "\n".join(other)


def test_closing_stops_the_backend_and_the_next_start_keeps_the_data(data_dir: Path):
    first = EmbeddedBackend()
    info = first.start()
    counter = logged_in(info)
    counter.create_invitation(info.new_customer, idempotency_key=new_idempotency_key())
    first.stop()
    assert not first.running
    assert refused(info.base_url)
    with pytest.raises(OfflineError):
        OmoClient(info.base_url, retries=0).health()

    with EmbeddedBackend() as second:
        again = second.start(data_dir)
        assert second.running
        assert again.device_id != info.device_id, "enrolled anew"
        counter = logged_in(again)
        assert counter.search_customers(phone=again.members[0]).total == 1, "seeded once"
        assert len(counter.dev_messages(to=again.new_customer).items) == 1, "the SMS is kept"
    assert refused(again.base_url)

    # The same object starts again too.
    third = first.start(data_dir)
    assert OmoClient(third.base_url).health().status == "ok"
    first.stop()


def test_closing_does_not_wait_for_the_counters_open_long_poll(data_dir: Path):
    backend = EmbeddedBackend()
    info = backend.start()
    counter = logged_in(info)
    invitation = counter.create_invitation(info.new_customer, idempotency_key=new_idempotency_key())
    status = InvitationStatus.QUEUED
    deadline = time.monotonic() + 10
    while status == InvitationStatus.QUEUED and time.monotonic() < deadline:
        status = counter.get_invitation(invitation.id, wait=5, known_status=status).status
    assert status == InvitationStatus.SENT
    # The counter's long-poll, sent by hand: the test knows when its request is out.
    host, port = info.base_url.removeprefix("http://").split(":")
    poll = http.client.HTTPConnection(host, int(port), timeout=30)
    poll.request(
        "GET",
        f"/api/v1/invitations/{invitation.id}?wait=25&known_status={status}",
        headers={"Authorization": f"Bearer {counter.session_token}"},
    )
    outcome: list[object] = []

    def follow() -> None:
        try:
            outcome.append(poll.getresponse().status)
        except (http.client.HTTPException, OSError) as error:
            outcome.append(error)

    waiting = threading.Thread(target=follow, daemon=True)
    waiting.start()
    # The server answers a later request, so it has read the long-poll's before it.
    assert OmoClient(info.base_url).health().status == "ok"
    assert waiting.is_alive(), "the long-poll was answered before the quit"

    started = time.monotonic()
    backend.stop()
    assert time.monotonic() - started < 5, "quit waited for the long-poll"
    waiting.join(10)
    assert outcome
    assert outcome[0] != 200, "the long-poll was cut, not answered"
    assert refused(info.base_url)


def test_the_backend_stops_when_the_app_is_killed(data_dir: Path):
    app = subprocess.Popen(
        [sys.executable, "-c", APP_THAT_GETS_KILLED, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        base_url = app.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), "the backend did not start"
        assert OmoClient(base_url).health().status == "ok"
        app.kill()
        app.wait(10)
        deadline = time.monotonic() + 10
        while not refused(base_url):
            assert time.monotonic() < deadline, "the backend outlived the app"
            time.sleep(0.05)
    finally:
        app.kill()
        app.wait(10)


# An app with the demo backend running, until it is killed (no chance to stop it).
APP_THAT_GETS_KILLED = """
import sys, threading
from pathlib import Path
from omo_desktop.demo.embedded import EmbeddedBackend

print(EmbeddedBackend().start(Path(sys.argv[1])).base_url, flush=True)
threading.Event().wait()
"""


def test_closing_while_the_backend_starts_stops_it(data_dir: Path):
    backend = EmbeddedBackend()
    backend.launch()
    assert backend.running
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(backend.wait_ready())
        except EmbeddedBackendError as error:
            outcome.append(error)

    waiting = threading.Thread(target=wait, daemon=True)
    waiting.start()
    started = time.monotonic()
    backend.stop()
    assert time.monotonic() - started < 5
    waiting.join(10)
    assert not backend.running
    [error] = outcome
    assert isinstance(error, EmbeddedBackendError)
    assert "stopped" in str(error)

    # The folder is fine for the next start.
    info = backend.start()
    assert OmoClient(info.base_url).health().status == "ok"
    backend.stop()


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    backend = EmbeddedBackend()
    with pytest.raises(EmbeddedBackendError, match="cannot create the data folder"):
        backend.start(blocker / "demo")
    assert not backend.running


# --- where the demo phone opens ------------------------------------------------------------

PHONE = QSize(404, 750)  # its frame: 400 × 720 and a title bar
# The available geometry of a 1280 × 800 laptop's display, and the counter's window filling it.
LAPTOP = QRect(0, 0, 1280, 800)
COUNTER = QRect(0, 0, 1280, 800)


def test_the_demo_phone_opens_beside_the_counter_when_there_is_room():
    wide = QRect(0, 0, 1920, 1080)
    spot = phone_spot(QRect(0, 0, 1284, 830), PHONE, [wide])
    assert spot == QRect(1284 + 16, 0, 404, 750)

    # A counter at the right of its screen: the phone goes to its left.
    spot = phone_spot(QRect(600, 100, 1284, 830), PHONE, [wide])
    assert spot == QRect(600 - 16 - 404, 100, 404, 750)


def test_on_a_1280_by_800_display_the_demo_phone_opens_over_the_counters_right_part():
    spot = phone_spot(COUNTER, PHONE, [LAPTOP])
    assert LAPTOP.contains(spot), spot
    assert spot.size() == PHONE
    assert spot.right() == LAPTOP.right() - 16
    assert spot.left() > COUNTER.center().x()


def test_with_a_second_screen_the_demo_phone_opens_there():
    second = QRect(1280, 0, 1920, 1080)
    spot = phone_spot(COUNTER, PHONE, [LAPTOP, second])
    assert second.contains(spot), spot
    assert spot.left() == second.left() + 16, "at the edge nearer the counter"

    # The second screen at the left of the first, the counter on the first.
    left = QRect(-1920, 0, 1920, 1080)
    spot = phone_spot(COUNTER, PHONE, [LAPTOP, left])
    assert left.contains(spot), spot
    assert spot.right() == left.right() - 16


def test_the_demo_phone_is_made_to_fit_a_screen_smaller_than_itself():
    short = QRect(0, 0, 1280, 720)
    spot = phone_spot(QRect(0, 0, 1280, 720), PHONE, [short])
    assert short.contains(spot), spot
    assert spot.height() == 720


def test_the_demo_phone_is_whole_on_a_screen_wherever_the_counter_is():
    for counter in (
        QRect(-300, -50, 1284, 830),  # partly off the screen at the top left
        QRect(900, 500, 1284, 830),  # partly off at the bottom right
        QRect(5000, 5000, 1284, 830),  # on no screen at all
        QRect(100, 0, 800, 600),  # small, room at the right
    ):
        spot = phone_spot(counter, PHONE, [LAPTOP])
        assert LAPTOP.contains(spot), (counter, spot)
