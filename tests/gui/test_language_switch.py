"""Switching language at run time redraws every word on screen, whatever the screen shows.

On every counter state of the gallery, the log-in (with its own error, the backend's error,
the log-out reason, the demo hint), the device set-up with an error, the demo phone, the
window titles and a manager's Members (list, a member's details, past buyers) and Reports:
staff switch to Chinese, and no English message of the catalogue (nor any English sentence)
is left; they switch back, and no Chinese is left but the data's (store, staff and customer
names, points reasons). The catalogue is the committed ``omo_zh_TW.ts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient, new_idempotency_key
from backend_client.schemas import Role
from omo_desktop import i18n
from omo_desktop.app import App, build, parse_args
from omo_desktop.demo.phone import DemoPhoneWindow
from omo_desktop.screens.members import MembersScreen
from omo_desktop.screens.reports.screen import ReportsScreen
from omo_desktop.shell import Shell
from tests.gui import counter_states as s
from tests.gui.test_counter_app import WAIT_MS, log_in, open_app, tap, type_on_numpad
from tests.gui.test_screen_gallery import gallery
from tests.gui.test_translations import messages
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

STORE = "台北總店"
# Names are data, whatever the language of the screen.
COUNTER_DATA = (
    s.STORE.name,
    s.OTHER_STORE.name,
    s.AMY.name,
    s.BEN.name,
    "陳美玲",
    "陳小明",
    "陳大文",
)
# The language switch is written in the language it switches to.
SWITCH_WORDS = {"中文", "English"}
# What the demo phone shows as it was sent, in the store's language: the SMS is data.
AS_SENT = {"sms_to", "sms_time", "sms_body"}

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
URL = re.compile(r"https?://\S+")
# Three Latin words or more in a row: a sentence, not a name or a code.
LATIN_SENTENCE = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ ,.;:!?]+[A-Za-z][A-Za-z'’\-]*){2,}")
PLACEHOLDER = re.compile(r"%\d")


@dataclass(frozen=True)
class Catalogue:
    """The English sources that have a different Chinese translation, as patterns."""

    english: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def load(cls, ts_file: Path) -> Catalogue:
        english = []
        for message in messages(ts_file).values():
            source = message.findtext("source") or ""
            translation = message.findtext("translation") or ""
            literal = PLACEHOLDER.sub(" ", source).strip()
            if not translation or translation == source or not re.search("[A-Za-z]", literal):
                continue
            filled = ".+?".join(re.escape(part) for part in PLACEHOLDER.split(source))
            if len(literal.split()) >= 2:
                # A sentence: found inside a longer text too.
                pattern = re.compile(rf"(?<![A-Za-z]){filled}(?![A-Za-z])")
            else:
                # One word ("PIN", "Sent"): only as the whole text, never inside a name.
                pattern = re.compile(rf"\A{filled}\Z", re.DOTALL)
            english.append((source, pattern))
        return cls(tuple(english))

    def english_in(self, text: str) -> list[str]:
        return [source for source, pattern in self.english if pattern.search(text)]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(i18n.ts_path("zh_TW"))


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every word a person can read in ``window`` now."""
    yield "window title", window.windowTitle()
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.objectName() not in AS_SENT:
            yield f"label {label.objectName()!r}", label.text()
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            yield f"button {button.objectName()!r}", button.text()
    for field in window.findChildren(QLineEdit):
        if field.isVisible():
            yield f"placeholder of {field.objectName()!r}", field.placeholderText()


def words_of_the_other_language(
    windows: Iterable[QWidget], locale: str, catalogue: Catalogue, data: Iterable[str]
) -> list[str]:
    problems = []
    for window in windows:
        for where, text in visible_texts(window):
            if not text or text in SWITCH_WORDS:
                continue
            plain = URL.sub(" ", text)
            for name in sorted(data, key=len, reverse=True):
                plain = plain.replace(name, " ")
            if locale == "zh_TW":
                left = catalogue.english_in(text)
                left += LATIN_SENTENCE.findall(plain) if not left else []
                problems += [f"{where}: English {found!r} in {text!r}" for found in left]
            elif CJK.search(plain):
                problems.append(f"{where}: Chinese in {text!r}")
    return problems


class Switcher:
    """Switches the app's language the way staff do, and notes what was left behind."""

    def __init__(self, qapp: QApplication, shell: Shell, catalogue: Catalogue) -> None:
        self.qapp = qapp
        self.shell = shell
        self.catalogue = catalogue
        self.windows: list[QWidget] = [shell]
        self.data: set[str] = set(COUNTER_DATA)
        self.problems: list[str] = []
        self.checked: list[str] = []

    def switch(self, locale: str) -> None:
        """The visible language button where there is one (the set-up has none)."""
        word = "中文" if locale == "zh_TW" else "English"
        buttons = [
            b for b in self.shell.findChildren(QPushButton) if b.isVisible() and b.text() == word
        ]
        if buttons:
            [button] = buttons
            button.click()
        else:
            self.shell.switch_language(locale)
        # Qt posts the LanguageChange to every window: let them have it.
        self.qapp.processEvents()
        assert self._locale() == locale

    def _locale(self) -> str:
        return self.shell._languages.locale

    def both_ways(self, state: str) -> None:
        """From English to Chinese and back, on the state on screen now."""
        assert self._locale() == "en"
        for locale in ("zh_TW", "en"):
            self.switch(locale)
            found = words_of_the_other_language(self.windows, locale, self.catalogue, self.data)
            self.problems += [f"{state} → {locale}: {problem}" for problem in found]
        self.checked.append(state)

    def assert_nothing_left(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        live.add_store("TPE01", STORE)
        live.add_staff("TPE01", "1001", "Amy", pin="123456")
        live.add_staff("TPE01", "1009", "Max", pin="999999", role=Role.MANAGER)
        yield live


def test_every_screen_state_redraws_in_the_new_language(
    backend: LiveBackend, qtbot: QtBot, qapp: QApplication, tmp_path: Path, catalogue: Catalogue
) -> None:
    assert len(catalogue.english) > 100, "the catalogue's English sources were read"
    # No customer-idle return to the search while the states go by.
    shell = open_app(backend, qtbot, qapp, tmp_path, customer_idle_seconds=3600)
    check = Switcher(qapp, shell, catalogue)
    check.data |= {STORE, "Amy", "Max"}
    try:
        check.both_ways("log-in")
        tap(qtbot, shell.login, "primary")
        assert shell.login.error.text()
        check.both_ways("log-in, nothing typed")
        type_on_numpad(qtbot, shell.login, "staff_code", "1001")
        type_on_numpad(qtbot, shell.login, "pin", "000000")
        tap(qtbot, shell.login, "primary")
        qtbot.waitUntil(lambda: "PIN" in shell.login.error.text(), timeout=WAIT_MS)
        check.both_ways("log-in, wrong PIN")

        shell.login.clear()
        log_in(qtbot, shell)
        view = shell.counter.view
        for name, state, line in gallery():
            view.set_line_enabled(line)
            view.render(state)
            check.both_ways(name)

        shell.timers.staff_idle.emit()
        assert shell.page() == "login"
        check.both_ways("log-in, logged out when idle")

        # A manager revokes this counter: it goes back to its set-up, saying why.
        log_in(qtbot, shell)
        assert shell.controller is not None
        shell.controller.back_to_search()
        manager = backend.counter(staff_code="1009", pin="999999")
        revoked = manager.post(f"/api/v1/devices/{_device_id(shell)}/revoke")
        assert revoked.ok, revoked.text
        field = next(f for f in view.findChildren(QLineEdit, "search_field") if f.isVisible())
        field.setText("0912345678")
        tap(qtbot, view, "confirm")
        qtbot.waitUntil(lambda: shell.page() == "enroll", timeout=WAIT_MS)
        assert shell.enroll.error.text()
        check.both_ways("set-up, device revoked")
        tap(qtbot, shell.enroll, "primary")
        check.both_ways("set-up, nothing typed")
    finally:
        shell.switch_language("en")
        shell.close()
    assert len(check.checked) == len(gallery()) + 6
    check.assert_nothing_left()


def _device_id(shell: Shell) -> int:
    assert shell.credentials is not None
    return shell.credentials.device_id


@pytest.fixture
def demo(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """The demo in English, left in English for the next tests."""
    monkeypatch.setenv("OMO_DATA_DIR", str(tmp_path))
    app: App = build(parse_args(["--demo", "--locale", "en"]))
    qtbot.addWidget(app.shell)
    try:
        yield app
    finally:
        app.shell.switch_language("en")
        app.close()


def test_the_demo_redraws_in_the_new_language(
    demo: App, qtbot: QtBot, qapp: QApplication, catalogue: Catalogue
) -> None:
    app, shell = demo, demo.shell
    check = Switcher(qapp, shell, catalogue)
    # Whether or not the backend is ready by the switch, the hint is in the new language.
    check.both_ways("demo log-in, starting")
    qtbot.waitUntil(lambda: app.phone is not None, timeout=20_000)
    phone = app.phone
    assert isinstance(phone, DemoPhoneWindow)
    info = app.demo.info if app.demo is not None else None
    assert info is not None
    check.windows.append(phone)
    check.data |= {info.store_name, *(staff.name for staff in info.staff)}
    qtbot.waitUntil(lambda: phone.empty.isVisible(), timeout=WAIT_MS)
    assert "1001" in shell.login.hint.text()
    check.both_ways("demo log-in with the hint, demo phone with no SMS")

    staff = info.store_staff[0]
    counter = OmoClient(info.base_url, device_token=info.device_token)
    counter.login(staff.code, staff.pin)
    counter.create_invitation(info.new_customer, idempotency_key=new_idempotency_key())
    qtbot.waitUntil(
        lambda: any(
            label.isVisible() and label.text() == "Sent"
            for label in phone.findChildren(QLabel, "sms_status")
        ),
        timeout=WAIT_MS,
    )
    check.both_ways("demo phone with an SMS")
    check.assert_nothing_left()


def test_the_managers_screens_redraw_in_the_new_language(
    demo: App, qtbot: QtBot, qapp: QApplication, catalogue: Catalogue
) -> None:
    app, shell = demo, demo.shell
    shell.resize(1280, 800)
    check = Switcher(qapp, shell, catalogue)
    qtbot.waitUntil(lambda: app.phone is not None, timeout=20_000)
    info = app.demo.info if app.demo is not None else None
    assert info is not None
    check.data |= {info.store_name, *(staff.name for staff in info.staff)}
    log_in(qtbot, shell)  # Amy, a manager
    qtbot.mouseClick(shell.counter.rail.button("members"), Qt.MouseButton.LeftButton)
    members = shell.counter.sections.currentWidget()
    assert isinstance(members, MembersScreen)
    model = members.controller.members
    qtbot.waitUntil(lambda: model.rowCount() > 20, timeout=WAIT_MS)
    check.both_ways("members")

    first = model.row(0)
    assert first is not None
    check.data |= {name for name in (first.name, first.referral_store) if name}
    # The points ledger's reasons are what was typed (the demo's are English): data.
    reader = OmoClient(info.base_url, device_token=info.device_token)
    reader.login(info.store_staff[0].code, info.store_staff[0].pin)
    check.data |= {entry.reason for entry in reader.member_points(first.id).items}
    reader.close()
    members.table.selectionModel().setCurrentIndex(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: members.detail.placeholder.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "…" not in members.detail.balance.text(), timeout=WAIT_MS)
    check.both_ways("members, a member's details")

    members.show_past_buyers.click()
    buyers = members.controller.past_buyers
    qtbot.waitUntil(lambda: buyers.rowCount() > 0, timeout=WAIT_MS)
    check.both_ways("past buyers")

    qtbot.mouseClick(shell.counter.rail.button("reports"), Qt.MouseButton.LeftButton)
    reports = shell.counter.sections.currentWidget()
    assert isinstance(reports, ReportsScreen)
    qtbot.waitUntil(lambda: reports.by_store.table.rowCount() > 1, timeout=WAIT_MS)
    check.both_ways("reports")
    assert len(check.checked) == 4
    check.assert_nothing_left()
