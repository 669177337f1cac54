"""An admin's member tools end to end (issue 13): merging one customer's accounts after a side
by side preview and a second confirmation, erasing a member on request. Real widgets, a real
client, the real backend over HTTP; what the backend then holds is read back over the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient
from backend_client.errors import ConflictError
from backend_client.schemas import Role
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.screens.members import MembersScreen, import_wizard
from omo_desktop.screens.members.import_wizard import ImportWizard
from omo_desktop.screens.members.merge import MergeDialog, Row, Step
from omo_desktop.shell import default_sections
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.gui.test_counter_app import log_in as log_in_at_counter
from tests.gui.test_counter_app import search, shown_text, staffed, wait_for_screen
from tests.gui.test_members_screen import (
    SHOTS,
    WAIT_MS,
    choose,
    loaded,
    logged_in,
    names,
    open_screen,
    seed,
    settle,
    type_into,
)
from tests.gui.test_navigation import open_shell, tap_section
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.directory import add_customer

# One customer who signed up three times: by phone, by a second phone, by e-mail only.
MEI_PHONE = "+886955000001"
MEI_OTHER_PHONE = "+886955000002"
MEI_EMAIL = "meimei@example.com"


def order(live: LiveBackend, phone: str | None, email: str | None, amount: int) -> None:
    manager = live.counter("TPE01", "2001", "246810")
    body = {"amount": amount, "external_ref": uuid.uuid4().hex[:12], "status": "paid"}
    if phone:
        body["phone"] = phone
    if email:
        body["email"] = email
    reply = manager.post("/api/v1/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        seed(live)
        add_customer(live, name="Mei Chen", phone=MEI_PHONE, points=30)
        add_customer(live, name="Mei C.", phone=MEI_OTHER_PHONE, points=20)
        add_customer(live, name="Meimei", email=MEI_EMAIL)
        order(live, MEI_PHONE, None, 50_000)
        order(live, MEI_OTHER_PHONE, None, 20_000)
        order(live, None, MEI_EMAIL, 7_000)
        yield live


@pytest.fixture
def admin(backend: LiveBackend) -> Iterator[OmoClient]:
    client = logged_in(backend, "9001", "135790")
    yield client
    client.close()


def admin_screen(qtbot: QtBot, qapp: QApplication, client: OmoClient) -> MembersScreen:
    screen = open_screen(qtbot, qapp, client, role=Role.ADMIN)
    loaded(qtbot, screen, 6)
    return screen


def click(qtbot: QtBot, widget: QPushButton) -> None:
    assert widget.isVisible(), widget.objectName()
    assert widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def search_and_add(qtbot: QtBot, dialog: MergeDialog, text: str, name: str) -> None:
    type_into(qtbot, dialog, "merge_search", text)
    click(qtbot, dialog.find_button)

    def offered() -> QPushButton | None:
        for result in dialog.results.findChildren(QPushButton, "merge_add_result"):
            if name in result.text() and result.isVisible():
                return result
        return None

    qtbot.waitUntil(lambda: offered() is not None, timeout=WAIT_MS)
    result = offered()
    assert result is not None
    click(qtbot, result)
    # The picked account's row is laid out on the next pass of events.
    qtbot.waitUntil(lambda: all(p.isVisible() for p in dialog._picked), timeout=WAIT_MS)


def merge_of_three(qtbot: QtBot, screen: MembersScreen) -> MergeDialog:
    """The merge dialog opened on Mei Chen, her two other accounts added, points awarded."""
    choose(qtbot, screen, "Mei Chen")
    dialog = screen.open_merge()
    dialog.resize(1100, 760)
    assert [a.name for a in dialog.controller.accounts] == ["Mei Chen"]
    search_and_add(qtbot, dialog, "955000002", "Mei C.")
    search_and_add(qtbot, dialog, "meimei@", "Meimei")
    type_into(qtbot, dialog, "merge_points_delta", "100")
    type_into(qtbot, dialog, "merge_points_expiry", "2099-12-31")
    type_into(qtbot, dialog, "merge_description", "Welcome back")
    return dialog


def test_a_manager_sees_no_import_merge_or_erase(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend
):
    manager = logged_in(backend, "2001", "246810")
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 6)
    assert screen.merge_button.isHidden()
    assert screen.import_button.isHidden()
    choose(qtbot, screen, "Mei Chen")
    assert screen.detail.erase.isHidden()
    manager.close()


def test_merging_three_accounts_after_a_preview_and_a_second_confirmation(
    qtbot: QtBot, qapp: QApplication, admin: OmoClient
):
    screen = admin_screen(qtbot, qapp, admin)
    assert screen.merge_button.isVisible()
    dialog = merge_of_three(qtbot, screen)
    ids = [a.id for a in dialog.controller.accounts]
    # The e-mail-only account becomes the primary one: its login stays.
    click(qtbot, dialog._picked[2].primary)
    assert dialog.controller.primary_id == ids[2]
    assert [p.primary.text() for p in dialog._picked] == ["Set as primary"] * 2 + ["Primary"]

    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.PREVIEW, timeout=WAIT_MS)
    table = dialog.side_by_side
    assert table.columnCount() == 4  # three accounts and the result
    headers = [table.horizontalHeaderItem(n).text() for n in range(4)]  # type: ignore[union-attr]
    assert headers == ["Primary", "Merged in", "Merged in", "After the merge"]
    result = {row: table.item(row, 3).text() for row in range(table.rowCount())}  # type: ignore[union-attr]
    assert result[Row.ORDERS] == "3"
    assert result[Row.NET_SPEND] == "NT$770"  # 500 + 200 + 70
    assert result[Row.POINTS] == "150"  # 30 + 20 points moved, 100 awarded
    assert "Retired for good" in dialog.retired.text()
    assert dialog.points_line.text() == "Points: 50 moved, +100 awarded."
    assert admin.member(ids[0]).merged_into_id is None  # a preview writes nothing

    # The first "Merge…" only asks again; the second merges.
    click(qtbot, dialog.next)
    assert dialog.step == Step.CONFIRM
    assert dialog.next.text() == "Merge 3 accounts for good"
    assert "can't be undone" in dialog.confirm_warning.text()
    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.DONE, timeout=WAIT_MS)
    assert "orders 3," in dialog.done_text.text()
    click(qtbot, dialog.next)

    merged = admin.member(ids[2])
    assert (merged.orders_count, merged.net_spend, merged.points) == (3, 77_000, 150)
    assert admin.member(ids[0]).merged_into_id == ids[2]
    assert admin.member(ids[1]).merged_into_id == ids[2]
    # The merged accounts leave the list; the screen says what happened.
    loaded(qtbot, screen, 4)
    assert "Mei Chen" not in names(screen)
    assert "Meimei" in names(screen)
    assert screen.message.message() == "Accounts merged into Meimei."
    # The primary's changes say so, in words.
    choose(qtbot, screen, "Meimei")
    qtbot.waitUntil(lambda: "…" not in screen.detail.audit_lines.texts(), timeout=WAIT_MS)
    assert any(
        line.endswith("Boss  ·  Accounts merged into this one")
        for line in screen.detail.audit_lines.texts()
    )
    # At the counter, a merged phone says whose it is now.
    found = admin.search_customers(phone=MEI_PHONE)
    assert found.merged_into is not None
    assert found.merged_into.member_id == ids[2]


def test_a_preview_made_stale_is_refused_and_nothing_is_merged(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, admin: OmoClient
):
    screen = admin_screen(qtbot, qapp, admin)
    dialog = merge_of_three(qtbot, screen)
    ids = [a.id for a in dialog.controller.accounts]
    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.PREVIEW, timeout=WAIT_MS)
    click(qtbot, dialog.next)
    # Meanwhile a sale lands on one of the accounts.
    order(backend, MEI_OTHER_PHONE, None, 1_000)
    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.PICK, timeout=WAIT_MS)
    assert "changed since the preview" in dialog.message.message()
    assert all(admin.member(i).merged_into_id is None for i in ids)
    # Previewed again, the merge goes through.
    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.PREVIEW, timeout=WAIT_MS)
    click(qtbot, dialog.next)
    click(qtbot, dialog.next)
    qtbot.waitUntil(lambda: dialog.step == Step.DONE, timeout=WAIT_MS)
    assert admin.member(ids[0]).orders_count == 4


def test_at_most_five_accounts_and_at_least_two(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, admin: OmoClient
):
    for number in range(5):
        add_customer(backend, name=f"Twin {number}", email=f"twin{number}@example.com")
    screen = open_screen(qtbot, qapp, admin, role=Role.ADMIN)
    loaded(qtbot, screen, 11)
    dialog = screen.open_merge()
    click(qtbot, dialog.next)
    assert dialog.message.message() == "Add at least two accounts of the same customer."
    type_into(qtbot, dialog, "merge_search", "Twin")
    click(qtbot, dialog.find_button)
    qtbot.waitUntil(
        lambda: len(dialog.results.findChildren(QPushButton, "merge_add_result")) == 5,
        timeout=WAIT_MS,
    )
    QApplication.processEvents()

    def offered() -> list[QPushButton]:
        found = dialog.results.findChildren(QPushButton, "merge_add_result")
        return [b for b in found if b.isVisible()]

    for _ in range(5):
        qtbot.waitUntil(lambda: bool(offered()), timeout=WAIT_MS)
        click(qtbot, offered()[0])
    assert len(dialog.controller.accounts) == 5
    assert dialog.picked_heading.text() == "Accounts to merge (5 of 5)"
    # A deduction cannot expire: said before anything is sent.
    type_into(qtbot, dialog, "merge_points_delta", "-10")
    type_into(qtbot, dialog, "merge_points_expiry", "2099-12-31")
    click(qtbot, dialog.next)
    assert dialog.message.message() == "Expiry: a future date as year-month-day, for awards only."
    assert dialog.step == Step.PICK
    dialog.reject()


def test_erasing_a_member_on_request(qtbot: QtBot, qapp: QApplication, admin: OmoClient):
    screen = admin_screen(qtbot, qapp, admin)
    choose(qtbot, screen, "Alice Wang")
    detail = screen.detail
    member_id = screen.detail_controller.member_id
    assert member_id is not None
    assert detail.erase.isVisible()
    assert detail.erase_reason.isHidden()
    click(qtbot, detail.erase_start)
    # No reason, no erasing.
    click(qtbot, detail.erase_confirm)
    assert detail.erase_message.message() == "Type why: the member's request is kept."
    type_into(qtbot, detail, "erase_reason", "Asked by e-mail")
    click(qtbot, detail.erase_confirm)
    qtbot.waitUntil(lambda: "erased" in screen.message.message(), timeout=WAIT_MS)
    loaded(qtbot, screen, 5)
    assert "Alice Wang" not in names(screen)
    erased = admin.member(member_id)
    assert erased.erased_at is not None
    assert (erased.name, erased.email_masked, erased.phone_masked) == (None, None, None)
    audit = admin.member_audit(member_id)
    assert any("erase" in entry.action for entry in audit.items)


# --- importing ----------------------------------------------------------------------------------

HEADER = "Name,Mobile,Email,Birthday,Level,Member Points\n"


def import_wizard_on(
    qtbot: QtBot, screen: MembersScreen, tmp_path: Path, file: Path
) -> ImportWizard:
    wizard = screen.open_import()
    wizard.resize(1180, 760)
    wizard.choose_file = lambda _parent: file
    wizard.choose_template_path = lambda _parent: tmp_path / "sample.csv"
    return wizard


def wait_step(qtbot: QtBot, wizard: ImportWizard, step: import_wizard.Step) -> None:
    qtbot.waitUntil(lambda: wizard.step == step, timeout=WAIT_MS)


def test_importing_a_file_with_mistakes_then_the_fixed_file(
    qtbot: QtBot, qapp: QApplication, admin: OmoClient, tmp_path: Path
):
    screen = admin_screen(qtbot, qapp, admin)
    file = tmp_path / "shop members.csv"
    wizard = import_wizard_on(qtbot, screen, tmp_path, file)
    # The sample file first: saved where the admin chose, the header and two examples.
    click(qtbot, wizard.sample)
    qtbot.waitUntil(
        lambda: wizard.message.message().startswith("Sample file saved: "), timeout=WAIT_MS
    )
    sample = (tmp_path / "sample.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sample[0] == HEADER.strip()
    assert len(sample) == 3

    file.write_text(
        HEADER
        + "Lin Ya,0988-111-222,,1990-05-31,,10\n"
        + "Wu Pei,12345,wu@example.com,1990/05/31,,\n"
        + "Chou Ann,0988-111-222,ann@example.com,,,\n",
        encoding="utf-8",
    )
    click(qtbot, wizard.choose)
    wait_step(qtbot, wizard, import_wizard.Step.MISTAKES)
    errors = [
        tuple(wizard.errors.item(r, c).text() for c in range(3))  # type: ignore[union-attr]
        for r in range(wizard.errors.rowCount())
    ]
    lines = {(line, column) for line, column, _words in errors}
    assert ("3", "Mobile") in lines
    assert ("3", "Birthday") in lines
    assert ("4", "Mobile") in lines  # the same mobile as line 2
    assert "Write the birthday as year-month-day, e.g. 1990-05-31." in {e[2] for e in errors}
    assert wizard.mistakes_text.text().startswith("Nothing was imported")
    # The file's own rows beside them, by line number; the chosen mistake's line is marked.
    assert wizard.rows.rowCount() == 3
    assert wizard.rows.verticalHeaderItem(1).text() == "3"  # type: ignore[union-attr]
    wizard.errors.selectRow(len(errors) - 1)
    assert wizard.rows.selectionModel().selectedRows()[0].row() == 2
    assert admin.members(screen.controller.query).total == 6  # nothing written

    # Fixed in the spreadsheet and saved: checked again.
    file.write_text(
        HEADER
        + "Lin Ya,0988-111-222,,1990-05-31,,10\n"
        + "Wu Pei,0988-333-444,wu@example.com,1990-05-31,,\n"
        + "Chou Ann,,ann@example.com,,,\n",
        encoding="utf-8",
    )
    click(qtbot, wizard.again)
    wait_step(qtbot, wizard, import_wizard.Step.PREVIEW)
    assert wizard.counts.text() == "Ready to import: 3 new members, 0 changed, 0 unchanged."
    assert wizard.changes.rowCount() == 3
    assert "Name: Lin Ya" in wizard.changes.item(0, 2).text()  # type: ignore[union-attr]
    # First-login messages: off unless asked; asked, the dry run says what they cost.
    assert wizard.first_login_cost.text().startswith("Off")
    click(qtbot, wizard.first_login)
    qtbot.waitUntil(lambda: "SMS:" in wizard.first_login_cost.text(), timeout=WAIT_MS)
    assert wizard.first_login_cost.text().startswith("SMS: 2 (")
    click(qtbot, wizard.first_login)
    qtbot.waitUntil(lambda: wizard.first_login_cost.text().startswith("Off"), timeout=WAIT_MS)
    assert wizard.confirm.text() == "Import 3 members"
    qtbot.waitUntil(wizard.confirm.isEnabled, timeout=WAIT_MS)
    click(qtbot, wizard.confirm)
    wait_step(qtbot, wizard, import_wizard.Step.DONE)
    assert wizard.done_text.text() == "Imported: 3 new members, 0 changed."
    click(qtbot, wizard.close_button)
    loaded(qtbot, screen, 9)
    assert {"Lin Ya", "Wu Pei", "Chou Ann"} <= set(names(screen))
    assert screen.message.message() == "Imported: 3 new members, 0 changed."


def test_the_sample_unchanged_and_a_big5_file_are_refused_in_words(
    qtbot: QtBot, qapp: QApplication, admin: OmoClient, tmp_path: Path
):
    screen = admin_screen(qtbot, qapp, admin)
    file = tmp_path / "members.csv"
    wizard = import_wizard_on(qtbot, screen, tmp_path, file)
    click(qtbot, wizard.sample)
    qtbot.waitUntil(lambda: wizard.message.message() != "", timeout=WAIT_MS)
    file.write_bytes((tmp_path / "sample.csv").read_bytes())
    click(qtbot, wizard.choose)
    qtbot.waitUntil(lambda: "sample file unchanged" in wizard.message.message(), timeout=WAIT_MS)
    assert wizard.step == import_wizard.Step.START
    file.write_bytes((HEADER + "王小明,0988-555-666,,,,\n").encode("cp950"))
    click(qtbot, wizard.choose)
    qtbot.waitUntil(lambda: "Big5" in wizard.message.message(), timeout=WAIT_MS)
    assert "CSV UTF-8" in wizard.message.message()
    assert wizard.step == import_wizard.Step.START


def test_updating_members_changes_only_the_filled_cells_and_sets_points(
    qtbot: QtBot, qapp: QApplication, admin: OmoClient, tmp_path: Path
):
    screen = admin_screen(qtbot, qapp, admin)
    file = tmp_path / "points-december.csv"
    file.write_text(HEADER + ",+886912345678,,,,500\n", encoding="utf-8")
    wizard = import_wizard_on(qtbot, screen, tmp_path, file)
    click(qtbot, wizard.mode_update)
    assert "only the cells you filled in" in wizard.mode_hint.text()
    click(qtbot, wizard.choose)
    wait_step(qtbot, wizard, import_wizard.Step.PREVIEW)
    assert wizard.counts.text() == "Ready to import: 0 new members, 1 changed, 0 unchanged."
    assert wizard.changes.item(0, 2).text() == "Member Points: 120 → 500"  # type: ignore[union-attr]
    assert wizard.first_login.isHidden()  # nobody new, no first-login messages
    click(qtbot, wizard.confirm)
    wait_step(qtbot, wizard, import_wizard.Step.DONE)
    click(qtbot, wizard.close_button)
    loaded(qtbot, screen, 6)
    choose(qtbot, screen, "陳美玲")
    member_id = screen.detail_controller.member_id
    assert member_id is not None
    ledger = admin.member_points(member_id)
    assert ledger.balance == 500
    assert file.name in ledger.items[0].reason
    assert admin.member(member_id).name == "陳美玲"  # the blank name cell changed nothing


# --- every state in both languages -----------------------------------------------------------


def test_every_import_merge_and_erase_state_in_both_languages(
    qtbot: QtBot, qapp: QApplication, admin: OmoClient, tmp_path: Path
):
    """The gallery's pictures (beside the Members screen's), each passing the design checks."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen = admin_screen(qtbot, qapp, admin)
    languages = LanguageSwitcher(qapp)
    problems: list[str] = []

    def shoot(name: str, root: QWidget) -> None:
        settle(screen)
        image = root.grab().toImage()
        path = SHOTS / f"{name}-{languages.locale}.png"
        assert image.save(str(path)), path
        problems.extend(f"{path.name}: too small: {p}" for p in touch_problems(root))
        problems.extend(f"{path.name}: contrast: {p}" for p in contrast_problems(root, image))

    bad = tmp_path / "members.csv"
    bad.write_text(
        HEADER
        + "林雅婷,0988-111-222,,1990-05-31,,10\n"
        + "吳佩珊,12345,wu@example.com,1990/05/31,,\n"
        + "周安,0988-111-222,ann@example.com,,platinum,\n",
        encoding="utf-8",
    )
    good = tmp_path / "members-fixed.csv"
    good.write_text(
        HEADER
        + "林雅婷,0988-111-222,,1990-05-31,,10\n"
        + "吳佩珊,0988-333-444,wu@example.com,1990-05-31,gold,\n"
        + "周安,,ann@example.com,,,\n",
        encoding="utf-8",
    )
    big5 = tmp_path / "members-big5.csv"
    big5.write_bytes((HEADER + "王小明,0988-555-666,,,,\n").encode("cp950"))
    try:
        for locale in ("en", "zh_TW"):
            languages.switch(locale)
            screen.detail_controller.clear()
            screen.detail.clear()
            shoot("10-admin-list", screen)

            wizard = import_wizard_on(qtbot, screen, tmp_path, bad)
            shoot("11-import-start", wizard)
            click(qtbot, wizard.choose)
            wait_step(qtbot, wizard, import_wizard.Step.MISTAKES)
            shoot("12-import-mistakes", wizard)
            wizard.choose_file = lambda _parent: good
            click(qtbot, wizard.choose)
            wait_step(qtbot, wizard, import_wizard.Step.PREVIEW)
            click(qtbot, wizard.first_login)
            qtbot.waitUntil(lambda w=wizard: w.controller.preview is not None, timeout=WAIT_MS)
            shoot("13-import-preview", wizard)
            wizard.go(import_wizard.Step.RUNNING)
            shoot("14-import-running", wizard)
            # Done, as the dry run's counts would be written (drawn, not written: the next
            # language imports the same file).
            preview = wizard.controller.preview
            assert preview is not None
            wizard._imported(preview.model_copy(update={"dry_run": False}))
            shoot("19-import-done", wizard)
            wizard.reject()
            wizard = import_wizard_on(qtbot, screen, tmp_path, big5)
            click(qtbot, wizard.choose)
            qtbot.waitUntil(lambda w=wizard: "Big5" in w.message.message(), timeout=WAIT_MS)
            shoot("20-import-big5-refused", wizard)
            wizard.reject()

            choose(qtbot, screen, "Mei Chen")
            dialog = merge_of_three(qtbot, screen)
            shoot("15-merge-pick", dialog)
            click(qtbot, dialog.next)
            qtbot.waitUntil(lambda d=dialog: d.step == Step.PREVIEW, timeout=WAIT_MS)
            shoot("16-merge-preview", dialog)
            click(qtbot, dialog.next)
            shoot("17-merge-confirm", dialog)
            dialog.show_error(ConflictError("preview_stale", "stale", status=409))
            shoot("21-merge-stale", dialog)
            # Done, drawn with the primary as it is (the next language merges the same).
            dialog._done(admin.member(dialog.controller.accounts[0].id))
            shoot("22-merge-done", dialog)
            dialog.reject()

            choose(qtbot, screen, "Alice Wang")
            click(qtbot, screen.detail.erase_start)
            type_into(qtbot, screen.detail, "erase_reason", "Asked by e-mail")
            settle(screen)
            bar = screen.detail.verticalScrollBar()
            bar.setValue(bar.maximum())
            shoot("18-erase", screen)
            click(qtbot, screen.detail.erase_cancel)
            bar.setValue(0)
    finally:
        languages.switch("en")
    assert not problems, "\n".join(problems)


def test_an_admin_merges_in_the_app_and_the_counter_names_the_member_of_the_merged_number(
    qtbot: QtBot, qapp: QApplication, sqlite_factory: DatabaseFactory, tmp_path: Path
):
    """The whole app: head office merges two accounts in Members, then at the counter the
    merged number is not offered Sign up but named as the member's it now is."""
    with live_backend(sqlite_factory) as live:
        staffed(live)
        live.add_staff("TPE01", "9001", "Ada", pin="900900", role=Role.ADMIN)
        add_customer(live, name="Mei Chen", phone=MEI_PHONE)
        add_customer(live, name="Mei C.", phone=MEI_OTHER_PHONE)
        shell = open_shell(live, qtbot, qapp, tmp_path, default_sections())
        log_in_at_counter(qtbot, shell, "9001", "900900")
        tap_section(qtbot, shell, "members")
        screen = shell.counter.sections.currentWidget()
        assert isinstance(screen, MembersScreen)
        loaded(qtbot, screen, 2)
        dialog = merge_of_two(qtbot, screen)
        for _step in ("preview", "confirm", "merge"):
            click(qtbot, dialog.next)
            qtbot.waitUntil(dialog.next.isEnabled, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: dialog.step == Step.DONE, timeout=WAIT_MS)
        click(qtbot, dialog.next)

        # The offscreen platform hands the window's activation back to nobody when a dialog
        # closes (a desktop gives it to the window under it): given back as a desktop does.
        shell.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is shell, timeout=WAIT_MS)
        tap_section(qtbot, shell, "counter")
        search(qtbot, shell, "0955000002")
        wait_for_screen(qtbot, shell, "customer")
        text = shown_text(shell.counter.view)
        assert "This number was merged into another member" in text
        assert "(Mei Chen)" in text
        assert not [
            b for b in shell.counter.view.findChildren(QPushButton, "sign_up") if b.isVisible()
        ]
        shell.close()


def merge_of_two(qtbot: QtBot, screen: MembersScreen) -> MergeDialog:
    choose(qtbot, screen, "Mei Chen")
    dialog = screen.open_merge()
    search_and_add(qtbot, dialog, "955000002", "Mei C.")
    return dialog


def test_a_session_ended_elsewhere_during_a_merge_is_passed_to_the_shell(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, admin: OmoClient
):
    screen = admin_screen(qtbot, qapp, admin)
    dialog = screen.open_merge()
    reply = backend.http.post(
        backend.url("/api/v1/staff/logout"),
        headers={"Authorization": f"Bearer {admin.session_token}"},
        timeout=10,
    )
    assert reply.status_code in (200, 204), reply.text
    type_into(qtbot, dialog, "merge_search", "Mei")
    with qtbot.waitSignal(screen.session_ended, timeout=WAIT_MS) as ended:
        click(qtbot, dialog.find_button)
    assert ended.args[0].status == 401
