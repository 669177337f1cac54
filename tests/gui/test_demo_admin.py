"""The README's head-office walk-through on the demo: the admin (9001) downloads the sample
file, imports a file with a mistake, reads it, fixes it and imports; finds 林雅婷's three
accounts, previews and merges them; sees the counter name the member a merged mobile now
belongs to; erases a member on request. The real app on its embedded backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from omo_backend import demo_seed
from omo_desktop.app import App, build, parse_args
from omo_desktop.screens.members import MembersScreen, import_wizard
from omo_desktop.screens.members.merge import Step
from tests.gui.test_counter_app import log_in, search, shown_text, wait_for_screen
from tests.gui.test_member_admin import (
    HEADER,
    click,
    import_wizard_on,
    search_and_add,
    wait_step,
)
from tests.gui.test_members_screen import choose, names
from tests.gui.test_navigation import tap_section

WAIT_MS = 30_000
ADMIN, ADMIN_PIN = "9001", "999999"


@pytest.fixture
def demo(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("OMO_DATA_DIR", str(tmp_path / "data"))
    app = build(parse_args(["--demo", "--locale", "en"]))
    qtbot.addWidget(app.shell)
    try:
        yield app
    finally:
        app.close()


def find(qtbot: QtBot, screen: MembersScreen, text: str) -> None:
    """Type into the list's search box and wait until every row shown matches."""
    search_box = screen.findChild(QLineEdit, "member_search")
    assert search_box is not None
    search_box.setText(text)
    model = screen.controller.members
    qtbot.waitUntil(
        lambda: (
            not model.loading
            and model.rowCount() > 0
            and all(text.lower() in n.lower() for n in names(screen))
        ),
        timeout=WAIT_MS,
    )


def test_head_office_imports_merges_and_erases_on_the_demo(demo: App, qtbot: QtBot, tmp_path: Path):
    shell = demo.shell
    shell.resize(1280, 800)
    log_in_button = shell.login.findChild(QPushButton, "primary")
    assert log_in_button is not None
    qtbot.waitUntil(lambda: log_in_button.isEnabled() and demo.phone is not None, timeout=WAIT_MS)
    log_in(qtbot, shell, ADMIN, ADMIN_PIN)
    tap_section(qtbot, shell, "members")
    screen = shell.counter.sections.currentWidget()
    assert isinstance(screen, MembersScreen)
    qtbot.waitUntil(lambda: screen.controller.members.rowCount() > 20, timeout=WAIT_MS)

    # Import: the sample file, a file with a mistake, the mistake read, fixed, imported.
    file = tmp_path / "new members.csv"
    wizard = import_wizard_on(qtbot, screen, tmp_path, file)
    click(qtbot, wizard.sample)
    qtbot.waitUntil(lambda: (tmp_path / "sample.csv").exists(), timeout=WAIT_MS)
    file.write_text(
        HEADER + "周書豪,0933-100-200,,1988-02-30,,\n陳怡君,0933-100-201,,,,5\n", encoding="utf-8"
    )
    click(qtbot, wizard.choose)
    wait_step(qtbot, wizard, import_wizard.Step.MISTAKES)
    assert wizard.errors.rowCount() == 1
    line, column = (wizard.errors.item(0, c).text() for c in range(2))  # type: ignore[union-attr]
    assert (line, column) == ("2", "Birthday")
    file.write_text(
        HEADER + "周書豪,0933-100-200,,1988-02-28,,\n陳怡君,0933-100-201,,,,5\n", encoding="utf-8"
    )
    click(qtbot, wizard.again)
    wait_step(qtbot, wizard, import_wizard.Step.PREVIEW)
    qtbot.waitUntil(wizard.confirm.isEnabled, timeout=WAIT_MS)
    click(qtbot, wizard.confirm)
    wait_step(qtbot, wizard, import_wizard.Step.DONE)
    assert wizard.done_text.text() == "Imported: 2 new members, 0 changed."
    click(qtbot, wizard.close_button)
    find(qtbot, screen, "周書豪")

    # Merge: 林雅婷's three accounts (the demo's), found by name and mobile.
    _, second, third = (phone for _, phone, *_ in demo_seed.DUPLICATES)
    find(qtbot, screen, "林雅婷")
    kept = next(n for n in names(screen) if n.startswith("林雅婷 "))
    choose(qtbot, screen, kept)
    dialog = screen.open_merge()
    search_and_add(qtbot, dialog, second, "Ya-ting Lin")
    search_and_add(qtbot, dialog, third, "林雅婷")
    for _step in ("preview", "confirm", "merge"):
        click(qtbot, dialog.next)
        qtbot.waitUntil(dialog.next.isEnabled, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.step == Step.DONE, timeout=WAIT_MS)
    click(qtbot, dialog.next)
    shell.activateWindow()  # the offscreen platform gives activation back to nobody
    qtbot.waitUntil(lambda: QApplication.activeWindow() is shell, timeout=WAIT_MS)

    # The counter: a merged mobile is named as the member's it now is, never signed up anew.
    tap_section(qtbot, shell, "counter")
    search(qtbot, shell, second)
    wait_for_screen(qtbot, shell, "customer")
    text = shown_text(shell.counter.view)
    assert "This number was merged into another member" in text
    assert not [b for b in shell.counter.view.findChildren(QPushButton, "sign_up") if b.isVisible()]

    # Erase on request: one of the imported members.
    tap_section(qtbot, shell, "members")
    find(qtbot, screen, "陳怡君")
    choose(qtbot, screen, "陳怡君")
    detail = screen.detail
    click(qtbot, detail.erase_start)
    detail.erase_reason.setText("Asked at the counter")
    qtbot.waitUntil(detail.erase_confirm.isEnabled, timeout=WAIT_MS)
    click(qtbot, detail.erase_confirm)
    # The answer first (a refusal would be said beside the button), then the list without them.
    try:
        qtbot.waitUntil(lambda: "was erased" in screen.message.text.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "陳怡君" not in names(screen), timeout=WAIT_MS)
    except Exception as timed_out:
        said = (detail.erase_message.text.text(), screen.message.text.text(), names(screen))
        raise AssertionError(f"erase not seen: {said}") from timed_out
    shell.close()
