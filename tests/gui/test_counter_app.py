"""The counter app end to end: real widgets, a real backend over HTTP, the customer's phone
walked over HTTP like a browser would. Staff only tap what is on screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import UnauthorizedError
from omo_desktop.design import theme
from omo_desktop.device_store import DeviceCredentials, DeviceStore
from omo_desktop.flows import counter as f
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.shell import Shell
from omo_desktop.workers import wait_for_all
from tests.support.backend import (
    DatabaseFactory,
    LiveBackend,
    Phone,
    latest_link,
    live_backend,
    register_on_phone,
)
from tests.support.page_text import visible

STORE = "台北總店"
WAIT_MS = 15_000


def staffed(live: LiveBackend) -> LiveBackend:
    """The store and its staff member Amy (1001 / 123456)."""
    live.add_store("TPE01", STORE)
    live.add_staff("TPE01", "1001", "Amy", pin="123456")
    return live


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        yield staffed(live)


def enroll(backend: LiveBackend) -> DeviceCredentials:
    client = OmoClient(backend.base_url)
    reply = client.enroll(backend.enrollment_code(), "Counter 1")
    client.close()
    return DeviceCredentials(backend.base_url, reply.device_id, reply.device_token, "TPE01", STORE)


def open_app(
    backend: LiveBackend,
    qtbot: QtBot,
    qapp: QApplication,
    data_dir: Path,
    device: DeviceCredentials | None = None,
    **options: int,
) -> Shell:
    """The app on an enrolled device (a restart passes the same device again)."""
    theme.apply(qapp)
    shell = Shell(
        device_store=DeviceStore(allow_plaintext=True),
        data_dir=data_dir,
        languages=LanguageSwitcher(qapp),
        **options,  # type: ignore[arg-type]
    )
    qtbot.addWidget(shell)
    shell.resize(1280, 800)
    with qtbot.waitExposed(shell):
        shell.show()
    shell.activateWindow()
    shell.use_device(device or enroll(backend))
    return shell


@pytest.fixture
def app(backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Shell]:
    shell = open_app(backend, qtbot, qapp, tmp_path)
    yield shell
    shell.close()
    qapp.setStyleSheet("")


@pytest.fixture(params=["en", "zh_TW"])
def staff_app(request: pytest.FixtureRequest, app: Shell) -> Iterator[Shell]:
    """The app in each language staff read: the three paths are walked in both."""
    app.switch_language(request.param)
    yield app
    app.switch_language("en")


def say(context: str, source: str, *values: str) -> str:
    """What the app shows for ``source`` in the language it runs in now."""
    text = QCoreApplication.translate(context, source)
    for number, value in enumerate(values, start=1):
        text = text.replace(f"%{number}", value)
    return text


# --- what staff do --------------------------------------------------------------------------


def visible_button(parent: QWidget, name: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton, name) if b.isVisible()]
    assert len(found) == 1, f"{len(found)} visible buttons named {name!r}"
    return found[0]


def tap(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = visible_button(parent, name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_on_numpad(qtbot: QtBot, parent: QWidget, field: str, digits: str) -> None:
    target = next(f for f in parent.findChildren(QLineEdit, field) if f.isVisible())
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)  # a tap on the field gives it the pad
    qtbot.waitUntil(target.hasFocus)
    pad = next(p for p in parent.findChildren(QWidget, "numpad") if p.isVisible())
    for key in digits:
        name = "numpad_plus" if key == "+" else f"numpad_{key}"
        qtbot.mouseClick(pad.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def log_in(qtbot: QtBot, shell: Shell, code: str = "1001", pin: str = "123456") -> None:
    type_on_numpad(qtbot, shell.login, "staff_code", code)
    type_on_numpad(qtbot, shell.login, "pin", pin)
    tap(qtbot, shell.login, "primary")
    qtbot.waitUntil(
        lambda: shell.page() == "counter" or bool(shell.login.error.text()), timeout=WAIT_MS
    )
    assert shell.page() == "counter", shell.login.error.text()


def on_screen(shell: Shell) -> str:
    return shell.counter.view.current_screen_name()


def wait_for_screen(qtbot: QtBot, shell: Shell, name: str) -> None:
    qtbot.waitUntil(lambda: on_screen(shell) == name, timeout=WAIT_MS)


def search(qtbot: QtBot, shell: Shell, number: str) -> None:
    wait_for_screen(qtbot, shell, "search")
    view = shell.counter.view
    field = next(f for f in view.findChildren(QLineEdit, "search_field") if f.isVisible())
    field.clear()
    type_on_numpad(qtbot, view, "search_field", number)
    tap(qtbot, view, "confirm")


def shown_text(widget: QWidget) -> str:
    """Everything a person can read on ``widget`` right now."""
    texts = [w.text() for w in widget.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in widget.findChildren(QAbstractButton) if w.isVisible()]
    texts += [w.text() for w in widget.findChildren(QLineEdit) if w.isVisible()]
    return "\n".join(texts)


def assert_masked(shell: Shell, *raw: str) -> None:
    text = shown_text(shell.counter.view).replace(" ", "")
    for value in raw:
        assert value.replace(" ", "") not in text, f"{value} is on screen unmasked"


# --- the three paths ------------------------------------------------------------------------


def test_nobody_found_signs_up_by_sms_and_the_counter_follows_to_done(
    staff_app: Shell, backend: LiveBackend, qtbot: QtBot, tmp_path: Path
) -> None:
    app = staff_app
    log_in(qtbot, app)
    search(qtbot, app, "0912345678")
    wait_for_screen(qtbot, app, "customer")
    # What staff typed, in full and grouped, to check it before the SMS goes out.
    assert "0912 345 678" in shown_text(app.counter.view)

    tap(qtbot, app.counter.view, "sign_up")
    wait_for_screen(qtbot, app, "sms_prompt")
    assert len(backend.messages_to("+886912345678")) == 1
    title = next(w for w in app.counter.view.findChildren(QLabel, "title") if w.isVisible())
    # Queued first ("Sending…", nothing to confirm yet), then handed to the carrier.
    sent = say("SmsPromptScreen", "SMS sent to %1", "0912 345 678")
    qtbot.waitUntil(lambda: title.text() == sent, timeout=WAIT_MS)
    kept = tmp_path / "pending-signups.json"
    assert "0912345678" not in kept.read_text(), "an answered tap is not kept"

    tap(qtbot, app.counter.view, "sms_received")
    wait_for_screen(qtbot, app, "following")
    assert "+886 9•••••678" in shown_text(app.counter.view)
    assert_masked(app, "0912345678")
    register_on_phone(backend, "+886912345678")
    wait_for_screen(qtbot, app, "success")
    done = shown_text(app.counter.view)
    assert STORE in done
    assert "Amy" in done

    tap(qtbot, app.counter.view, "done")
    wait_for_screen(qtbot, app, "search")
    assert shown_text(app.counter.view).count("0912") == 0, "no customer left on screen"


def test_a_past_buyer_signs_up_and_check_again_sends_nothing_by_itself(
    staff_app: Shell, backend: LiveBackend, qtbot: QtBot
) -> None:
    app = staff_app
    counter = OmoClient(backend.base_url)
    counter.enroll(backend.enrollment_code(), "POS")
    counter.login("1001", "123456")
    counter.record_order(schemas.OrderCreate(name="張志豪", phone="0955666777", amount=1200))

    log_in(qtbot, app)
    search(qtbot, app, "0955666777")
    wait_for_screen(qtbot, app, "customer")
    assert say("CustomerCard", "Bought before, not a member yet") in shown_text(app.counter.view)
    assert not [b for b in app.counter.view.findChildren(QPushButton, "bind_now") if b.isVisible()]
    assert "0955 666 777" in shown_text(app.counter.view), "the number Sign up will send to"
    assert "+886 9•••••777" in shown_text(app.counter.view), "the card stays masked"
    tap(qtbot, app.counter.view, "sign_up")
    wait_for_screen(qtbot, app, "sms_prompt")
    cancels = [
        say("SmsPromptScreen", "Check again cancels the link already sent."),
        say("SmsPromptScreen", "Check again cancels this SMS and its link."),
    ]
    assert any(line in shown_text(app.counter.view) for line in cancels)
    qtbot.waitUntil(
        lambda: visible_button(app.counter.view, "sms_received").isEnabled(), timeout=WAIT_MS
    )

    tap(qtbot, app.counter.view, "check_again")
    wait_for_screen(qtbot, app, "search")
    field = next(f for f in app.findChildren(QLineEdit, "search_field") if f.isVisible())
    assert field.text() == "0955666777", "the number is back to be checked"
    assert len(backend.messages_to("+886955666777")) == 1, "nothing re-sent by accident"

    field.setText("0955666777")
    tap(qtbot, app.counter.view, "confirm")
    wait_for_screen(qtbot, app, "customer")
    tap(qtbot, app.counter.view, "sign_up")
    wait_for_screen(qtbot, app, "sms_prompt")
    assert len(backend.messages_to("+886955666777")) == 2
    qtbot.waitUntil(
        lambda: visible_button(app.counter.view, "sms_received").isEnabled(), timeout=WAIT_MS
    )
    tap(qtbot, app.counter.view, "sms_received")
    register_on_phone(backend, "+886955666777")
    wait_for_screen(qtbot, app, "success")
    found = counter.search_customers(phone="0955666777").items[0]
    assert found.is_member
    assert found.orders_count == 1, "the purchases stay with the new member"


def test_a_rate_limited_sign_up_is_disabled_and_counts_down(
    sqlite_factory: DatabaseFactory, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    with live_backend(sqlite_factory, rate_phone_per_10min=1) as limited:
        shell = open_app(staffed(limited), qtbot, qapp, tmp_path)
        log_in(qtbot, shell)
        search(qtbot, shell, "0912345678")
        wait_for_screen(qtbot, shell, "customer")
        tap(qtbot, shell.counter.view, "sign_up")
        wait_for_screen(qtbot, shell, "sms_prompt")
        tap(qtbot, shell.counter.view, "check_again")
        wait_for_screen(qtbot, shell, "search")
        tap(qtbot, shell.counter.view, "confirm")
        wait_for_screen(qtbot, shell, "customer")
        tap(qtbot, shell.counter.view, "sign_up")

        sign_up = visible_button(shell.counter.view, "sign_up")
        qtbot.waitUntil(lambda: not sign_up.isEnabled() and "(" in sign_up.text(), timeout=WAIT_MS)
        # The server said when: ten minutes from the first SMS, counted down on the button.
        assert re.fullmatch(r"Sign up \((9|10):\d\d\)", sign_up.text()), sign_up.text()
        error = next(w for w in shell.counter.view.findChildren(QLabel, "error") if w.isVisible())
        assert "try again in" in error.text()
        assert len(limited.messages_to("+886912345678")) == 1, "nothing sent by the refused tap"
        state = shell.controller.state if shell.controller else None
        assert isinstance(state, f.CustomerFound | f.NobodyFound)
        assert state.retry_at is not None
        shell.close()


def make_member(backend: LiveBackend, phone: str) -> None:
    counter = backend.counter()
    assert counter.invite(phone).status_code == 201
    register_on_phone(backend, phone)


def test_a_member_binds_by_qr_and_the_counter_shows_each_step(
    staff_app: Shell, backend: LiveBackend, qtbot: QtBot
) -> None:
    app = staff_app
    make_member(backend, "+886912000111")
    log_in(qtbot, app)
    search(qtbot, app, "0912000111")
    wait_for_screen(qtbot, app, "customer")
    assert say("CustomerCard", "Member") in shown_text(app.counter.view)
    tap(qtbot, app.counter.view, "bind_now")
    wait_for_screen(qtbot, app, "binding")
    assert "LINE" not in shown_text(app.counter.view), "no LINE account: no LINE step"
    assert "http" not in shown_text(app.counter.view), "the link is a QR code, not text"

    # The customer's phone scans the code (the tests read the link the QR code encodes).
    state = app.controller.state if app.controller else None
    assert isinstance(state, f.Binding)
    phone = Phone(backend)
    page = phone.open(state.qr_url)
    assert page.status_code == 200
    qtbot.waitUntil(
        lambda: (
            isinstance(s := app.controller.state, f.Binding)  # type: ignore[union-attr]
            and s.binding.status is schemas.BindingStatus.SCANNED
        ),
        timeout=WAIT_MS,
    )
    # The member signs in with the account they registered, then confirms their details.
    signed_in = phone.submit("/b", identifier="0912 000 111", password="password1")
    assert signed_in.status_code == 200
    qtbot.waitUntil(
        lambda: (
            isinstance(s := app.controller.state, f.Binding)  # type: ignore[union-attr]
            and s.binding.status is schemas.BindingStatus.SIGNED_IN
        ),
        timeout=WAIT_MS,
    )
    done = phone.submit("/b/details", name="林小華")
    assert done.status_code == 200
    assert f"Your membership is now linked to {STORE}" in visible(done)
    wait_for_screen(qtbot, app, "success")
    done = shown_text(app.counter.view)
    assert STORE in done
    assert "Amy" in done


def test_cant_scan_sends_the_same_binding_by_sms_once(
    app: Shell, backend: LiveBackend, qtbot: QtBot
) -> None:
    make_member(backend, "+886912000222")
    log_in(qtbot, app)
    search(qtbot, app, "0912000222")
    wait_for_screen(qtbot, app, "customer")
    tap(qtbot, app.counter.view, "bind_now")
    wait_for_screen(qtbot, app, "binding")
    tap(qtbot, app.counter.view, "cant_scan")
    qtbot.waitUntil(lambda: not visible_button(app.counter.view, "cant_scan").isEnabled())
    qtbot.waitUntil(
        lambda: any("/b/" in m["body"] for m in backend.messages_to("+886912000222")),
        timeout=WAIT_MS,
    )
    assert sum("/b/" in m["body"] for m in backend.messages_to("+886912000222")) == 1

    phone = Phone(backend)
    link = latest_link(backend, "+886912000222")
    phone.open(link)
    phone.submit("/b", identifier="+886912000222", password="password1")
    assert phone.submit("/b/details", name="林小華").status_code == 200
    wait_for_screen(qtbot, app, "success")
    # Registering at this counter bound the referral already: it never changes, and says so.
    notice = app.counter.view.findChild(QLabel, "already_set")
    assert notice is not None
    assert notice.isVisible()
    [member] = backend.counter().search(phone="0912000222")["items"]
    assert member["referral"]["via"] == "registration"


# --- the session and the customer's privacy -------------------------------------------------


def test_the_customer_idle_timer_clears_the_customer_from_the_screen(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    shell = open_app(backend, qtbot, qapp, tmp_path, customer_idle_seconds=1)
    log_in(qtbot, shell)
    search(qtbot, shell, "0912345678")
    wait_for_screen(qtbot, shell, "customer")
    wait_for_screen(qtbot, shell, "search")
    field = next(f for f in shell.findChildren(QLineEdit, "search_field") if f.isVisible())
    assert field.text() == ""
    assert shell.page() == "counter", "staff stay logged in"

    type_on_numpad(qtbot, shell.counter.view, "search_field", "0912")
    qtbot.waitUntil(lambda: field.text() == "", timeout=WAIT_MS)  # typed, never confirmed
    shell.close()


def test_staff_are_logged_out_after_the_store_idle_time(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    backend.set_idle_timeout(2)
    shell = open_app(backend, qtbot, qapp, tmp_path)
    log_in(qtbot, shell)
    qtbot.waitUntil(lambda: shell.page() == "login", timeout=WAIT_MS)
    error = shell.login.findChild(QLabel, "error")
    assert error is not None
    assert "logged out" in error.text()
    shell.close()


def test_log_out_cancels_the_binding_on_screen_and_ends_the_session(
    app: Shell, backend: LiveBackend, qtbot: QtBot
) -> None:
    make_member(backend, "+886912000333")
    log_in(qtbot, app)
    search(qtbot, app, "0912000333")
    wait_for_screen(qtbot, app, "customer")
    tap(qtbot, app.counter.view, "bind_now")
    wait_for_screen(qtbot, app, "binding")
    state = app.controller.state if app.controller else None
    assert isinstance(state, f.Binding)
    client = app.client
    assert client is not None
    token = client.session_token

    tap(qtbot, app.counter, "header_logout")
    assert app.page() == "login"
    wait_for_all(10_000)
    assert client.session_token is None
    page = Phone(backend).open(state.qr_url)
    assert page.status_code == 410, "the QR code left on no screen no longer works"
    stale = OmoClient(backend.base_url, session_token=token)
    with pytest.raises(UnauthorizedError):
        stale.search_customers(phone="0912000333")


def sign_up_as_the_backend_goes_away(
    sqlite_factory: DatabaseFactory, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> tuple[Shell, DeviceCredentials, str, int]:
    """Log in, find nobody, then the backend stops before "Sign up" is tapped."""
    url = sqlite_factory.new_url()  # one database for the backend's two lives, on one port
    with live_backend(sqlite_factory, database_url=url) as first:
        device = enroll(staffed(first))
        shell = open_app(first, qtbot, qapp, tmp_path, device, offline_retry_ms=300)
        log_in(qtbot, shell)
        search(qtbot, shell, "0912345678")
        wait_for_screen(qtbot, shell, "customer")
        port = int(first.base_url.rsplit(":", 1)[1])
    tap(qtbot, shell.counter.view, "sign_up")
    wait_for_screen(qtbot, shell, "waiting")
    assert "0912345678" in (tmp_path / "pending-signups.json").read_text()
    return shell, device, url, port


def test_a_sign_up_tapped_while_the_backend_is_down_is_sent_once_when_it_is_back(
    sqlite_factory: DatabaseFactory, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    shell, _, url, port = sign_up_as_the_backend_goes_away(sqlite_factory, qtbot, qapp, tmp_path)
    assert "0912 345 678" in shown_text(shell.counter.view)
    qtbot.wait(1000)  # a few retries against nothing

    with live_backend(sqlite_factory, database_url=url, port=port) as again:
        wait_for_screen(qtbot, shell, "sms_prompt")
        assert len(again.messages_to("+886912345678")) == 1
        qtbot.wait(1000)
        assert len(again.messages_to("+886912345678")) == 1, "sent once, never twice"
        assert "0912345678" not in (tmp_path / "pending-signups.json").read_text()
        shell.close()


def test_a_sign_up_kept_when_the_app_closed_offline_is_sent_once_after_a_restart(
    sqlite_factory: DatabaseFactory, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    shell, device, url, port = sign_up_as_the_backend_goes_away(
        sqlite_factory, qtbot, qapp, tmp_path
    )
    shell.close()  # the app is closed while the backend is still away
    wait_for_all(10_000)

    with live_backend(sqlite_factory, database_url=url, port=port) as again:
        assert again.messages_to("+886912345678") == [], "nothing went out while closed"
        restarted = open_app(again, qtbot, qapp, tmp_path, device)
        log_in(qtbot, restarted)
        wait_for_screen(qtbot, restarted, "sms_prompt")
        assert len(again.messages_to("+886912345678")) == 1
        assert "0912345678" not in (tmp_path / "pending-signups.json").read_text()
        restarted.close()
