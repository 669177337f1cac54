"""The network between the counter and its backend cut and restored, by a real TCP proxy.

The app talks to the backend only through ``TcpProxy``. The proxy drops connections (resets
them) or stalls them (accepts, never answers); the counter must say the server can't be
reached, come back without a restart or a new log-in once the network does, and one "Sign up"
tap must send one SMS, even when the backend took the tap and its answer was lost on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient
from omo_desktop.device_store import DeviceCredentials
from omo_desktop.shell import Shell
from tests.fakes.tcp_proxy import Mode, TcpProxy
from tests.gui import test_counter_app as walk
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

TYPED = "0912345678"
E164 = "+886912345678"
# Shorter than the client's 15 s, so a stalled call (tried three times) gives up within the
# test's patience; long enough for a log-in's PIN check on a loaded machine.
READ_TIMEOUT_S = 5.0
# A stalled call: three tries of READ_TIMEOUT_S each, their back-off, and room to spare.
STALLED_MS = 3 * int(READ_TIMEOUT_S * 1000) + walk.WAIT_MS
OFFLINE_RETRY_MS = 200


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        yield walk.staffed(live)


@pytest.fixture
def proxy(backend: LiveBackend) -> Iterator[TcpProxy]:
    port = int(backend.base_url.rsplit(":", 1)[1])
    with TcpProxy(("127.0.0.1", port)) as running:
        yield running


@pytest.fixture
def app(
    backend: LiveBackend, proxy: TcpProxy, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[Shell]:
    """The app logged in, its device enrolled to talk to the backend through the proxy."""
    client = OmoClient(proxy.base_url)
    enrolled = client.enroll(backend.enrollment_code(), "Counter 1")
    client.close()
    device = DeviceCredentials(
        proxy.base_url, enrolled.device_id, enrolled.device_token, "TPE01", walk.STORE
    )
    shell = walk.open_app(
        backend,
        qtbot,
        qapp,
        tmp_path,
        device,
        offline_retry_ms=OFFLINE_RETRY_MS,
        read_timeout_s=READ_TIMEOUT_S,  # type: ignore[arg-type]
    )
    walk.log_in(qtbot, shell)
    yield shell
    shell.close()
    qapp.setStyleSheet("")


def title(app: Shell) -> str:
    return next(w for w in app.counter.view.findChildren(QLabel, "title") if w.isVisible()).text()


@pytest.mark.parametrize("mode", [Mode.DROP, Mode.STALL])
def test_a_search_while_the_network_is_cut_says_so_and_works_once_it_is_back(
    app: Shell, proxy: TcpProxy, qtbot: QtBot, mode: Mode
) -> None:
    # The counter sits idle on the search screen (its connections open) when the cut comes.
    proxy.set_mode(mode)
    walk.search(qtbot, app, TYPED)
    offline = walk.say(
        "Messages", "The server can't be reached. What you typed is kept; try again."
    )
    qtbot.waitUntil(lambda: offline in walk.shown_text(app.counter.view), timeout=STALLED_MS)
    assert app.page() == "counter", "still logged in"

    proxy.set_mode(Mode.PASS)
    # What staff typed is still there: Confirm again, and the search goes through.
    walk.tap(qtbot, app.counter.view, "confirm")
    walk.wait_for_screen(qtbot, app, "customer")
    assert offline not in walk.shown_text(app.counter.view)


@pytest.mark.parametrize("mode", [Mode.DROP, Mode.STALL])
def test_a_sign_up_cut_in_flight_is_sent_once_when_the_network_is_back(
    app: Shell, backend: LiveBackend, proxy: TcpProxy, qtbot: QtBot, mode: Mode
) -> None:
    walk.search(qtbot, app, TYPED)
    walk.wait_for_screen(qtbot, app, "customer")

    # The backend takes the tap and queues the SMS; its answer never reaches the counter.
    proxy.cut_at_reply(b"POST /api/v1/invitations ", mode)
    walk.tap(qtbot, app.counter.view, "sign_up")
    qtbot.waitUntil(lambda: app.counter.view.current_screen_name() == "waiting", timeout=STALLED_MS)
    assert title(app) == walk.say("WaitingScreen", "The server can't be reached.")
    assert proxy.withheld_replies == 1
    assert len(backend.messages_to(E164)) == 1, "the backend took the tap"

    proxy.set_mode(Mode.PASS)
    # By itself: the kept tap is sent again with its key, and the backend answers it as before.
    walk.wait_for_screen(qtbot, app, "sms_prompt")
    sent = walk.say("SmsPromptScreen", "SMS sent to %1", "0912 345 678")
    qtbot.waitUntil(lambda: title(app) == sent, timeout=walk.WAIT_MS)
    assert len(backend.messages_to(E164)) == 1, "one tap, one SMS"
