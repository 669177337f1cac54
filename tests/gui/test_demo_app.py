"""The README's first command, in-process: ``omo-desktop --demo`` opens the log-in with the demo
staff shown and the demo phone beside it; a person can log in; closing stops the backend."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from omo_desktop.app import build, parse_args
from omo_desktop.demo.phone import DemoPhoneWindow
from tests.gui.settled import cut_buttons, wait_until_settled
from tests.gui.test_counter_app import log_in, search, visible_button, wait_for_screen

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "app"


def test_the_demo_opens_the_log_in_with_demo_staff_and_the_demo_phone(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMO_DATA_DIR", str(tmp_path))
    app = build(parse_args(["--demo", "--locale", "en"]))
    shell = app.shell
    try:
        qtbot.addWidget(shell)
        log_in_button = shell.login.findChild(QPushButton, "primary")
        assert log_in_button is not None
        qtbot.waitUntil(lambda: log_in_button.isEnabled() and app.phone is not None, timeout=20_000)
        assert "1001" in shell.login.hint.text()
        assert isinstance(app.phone, DemoPhoneWindow)
        assert app.phone.isVisible()
        screen = shell.screen().availableGeometry()
        assert screen.contains(app.phone.frameGeometry()), "the demo phone is on the screen"
        SHOTS.mkdir(parents=True, exist_ok=True)
        wait_until_settled(qtbot, shell)
        assert not cut_buttons(shell)
        shell.grab().save(str(SHOTS / "demo-login-en.png"))
        # Switched at run time, the demo hint is drawn again in the new language.
        qtbot.mouseClick(visible_button(shell.login, "link"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: shell.login.hint.text().startswith("示範店員"))
        wait_until_settled(qtbot, shell)
        shell.grab().save(str(SHOTS / "demo-login-zh_TW.png"))
        qtbot.mouseClick(visible_button(shell.login, "link"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: shell.login.hint.text().startswith("Demo staff"))

        log_in(qtbot, shell)
        search(qtbot, shell, "0922333444")
        wait_for_screen(qtbot, shell, "customer")
        wait_until_settled(qtbot, shell)
        assert not cut_buttons(shell)
        shell.grab().save(str(SHOTS / "demo-counter-en.png"))
        base_url = app.demo.info.base_url  # type: ignore[attr-defined]
    finally:
        app.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/health", timeout=2)
    print(f"\napp screenshots: {SHOTS.resolve()}")


def test_the_hint_gives_the_demo_members_password_the_seed_uses() -> None:
    from omo_backend import demo_seed
    from omo_desktop.demo import embedded

    assert embedded.MEMBER_PASSWORD == demo_seed.MEMBER_PASSWORD
