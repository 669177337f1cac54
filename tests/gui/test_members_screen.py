"""The Members screen end to end: real widgets, a manager logged in with a real client, the real
backend over HTTP. Staff only tap and type what is on screen; what the backend then holds is
read back over the API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from backend_client.client import OmoClient
from backend_client.schemas import Role
from omo_backend.models import utcnow
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.members.table import PAGE_SIZE, Column
from omo_desktop.screens.members import MembersScreen
from omo_desktop.screens.members.add_member import AddMemberDialog
from omo_desktop.workers import wait_for_all
from tests.gui.design_checks import contrast_problems, touch_problems
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.directory import add_customer

WAIT_MS = 15_000
SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "members"


def seed(live: LiveBackend) -> None:
    """Two stores, a manager of the first, counter staff, and members of both stores."""
    live.add_store("TPE01", "台北總店")
    live.add_store("KHH01", "高雄店")
    live.add_staff("TPE01", "1001", "Amy", pin="123456")
    live.add_staff("KHH01", "1002", "Ben", pin="123456")
    live.add_staff("TPE01", "2001", "Mgr", pin="246810", role=Role.MANAGER)
    live.add_staff("TPE01", "9001", "Boss", pin="135790", role=Role.ADMIN)
    admin = live.counter("TPE01", "9001", "135790")
    levels = [
        {"code": "regular", "name_en": "Regular", "name_zh_TW": "一般會員"},
        {"code": "gold", "name_en": "Gold", "name_zh_TW": "金卡會員", "min_net_spend": 300_000},
    ]
    reply = admin.http.put(live.url("/api/v1/levels"), json=levels, timeout=10)
    assert reply.status_code == 200, reply.text
    now = utcnow()
    add_customer(
        live,
        name="陳美玲",
        phone="+886912345678",
        email="mei@example.com",
        store="TPE01",
        staff="1001",
        level="gold",
        points=120,
        net_spend=348_000,
        orders_count=2,
        joined=now - timedelta(days=2),
        line_user_id="U1",
    )
    add_customer(
        live,
        name="林小華",
        phone="+886922333444",
        store="KHH01",
        staff="1002",
        level="regular",
        net_spend=12_000,
        orders_count=1,
        joined=now - timedelta(days=40),
        open_cart_at=now - timedelta(days=1),
    )
    # One order recorded as a manager records it: the member's history and totals show it.
    manager = live.counter("TPE01", "2001", "246810")
    order = manager.post(
        "/api/v1/orders",
        json={"phone": "+886912345678", "amount": 10_000, "external_ref": "POS-1"},
        headers={"Idempotency-Key": "seed-order-1"},
    )
    assert order.status_code == 201, order.text
    add_customer(
        live, name="Alice Wang", email="alice@example.com", joined=now - timedelta(days=90)
    )
    add_customer(
        live,
        name="王大明",
        phone="+886933111222",
        is_member=False,
        email="daming@example.com",
        orders_count=2,
        net_spend=5_000,
    )
    add_customer(
        live, name="張小姐", phone="+886944555666", is_member=False, orders_count=1, net_spend=1_000
    )


@pytest.fixture
def backend(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as live:
        seed(live)
        yield live


def logged_in(backend: LiveBackend, staff_code: str, pin: str) -> OmoClient:
    client = OmoClient(backend.base_url)
    client.enroll(backend.enrollment_code("TPE01"), "Back office")
    client.login(staff_code, pin)
    return client


@pytest.fixture
def manager(backend: LiveBackend) -> Iterator[OmoClient]:
    client = logged_in(backend, "2001", "246810")
    yield client
    client.close()


def open_screen(
    qtbot: QtBot, qapp: QApplication, client: OmoClient, **options: object
) -> MembersScreen:
    theme.apply(qapp)
    screen = MembersScreen(client, **options)  # type: ignore[arg-type]
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def settle(screen: MembersScreen) -> None:
    for _ in range(3):
        wait_for_all(WAIT_MS)
        QApplication.processEvents()


def names(screen: MembersScreen) -> list[str]:
    model = screen.controller.members
    return [model.data(model.index(n, Column.NAME)) for n in range(model.rowCount())]


def loaded(qtbot: QtBot, screen: MembersScreen, count: int) -> None:
    qtbot.waitUntil(
        lambda: (
            screen.controller.members.rowCount() == count and not screen.controller.members.loading
        ),
        timeout=WAIT_MS,
    )


def tap(qtbot: QtBot, screen: MembersScreen, name: str) -> None:
    button = screen.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible(), name
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, root: object, name: str, text: str) -> None:
    field = root.findChild(QLineEdit, name)  # type: ignore[attr-defined]
    assert field is not None, name
    field.clear()
    if text.isascii():
        qtbot.keyClicks(field, text)
    else:  # Chinese comes from an input method, committed whole (QTest types keys only)
        field.insert(text)


def test_the_list_overview_search_and_filters(qtbot: QtBot, qapp: QApplication, manager: OmoClient):
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 3)
    assert set(names(screen)) == {"陳美玲", "林小華", "Alice Wang"}
    qtbot.waitUntil(lambda: screen.overview.total.figure.text() == "3", timeout=WAIT_MS)
    assert screen.overview.new_7d.figure.text() == "1"
    assert screen.filters.count.text() == "Found: 3"
    # Phones come masked; the columns read as staff expect.
    model = screen.controller.members
    row = names(screen).index("陳美玲")
    assert model.data(model.index(row, Column.NET_SPEND)) == "NT$3,580"
    assert model.data(model.index(row, Column.REFERRAL_STORE)) == "台北總店"
    phone = model.data(model.index(row, Column.PHONE))
    assert phone.endswith("678")
    assert "12345" not in phone

    # Typing searches once typing pauses (one request, not one per key).
    type_into(qtbot, screen, "member_search", "0922")
    loaded(qtbot, screen, 1)
    assert names(screen) == ["林小華"]
    screen.filters.search.clear()
    loaded(qtbot, screen, 3)

    tap(qtbot, screen, "new_7d_chip")
    loaded(qtbot, screen, 1)
    assert names(screen) == ["陳美玲"]
    tap(qtbot, screen, "open_cart_chip")  # one status at a time: "new in 7 days" lets go
    loaded(qtbot, screen, 1)
    assert names(screen) == ["林小華"]
    assert not screen.filters.new_7d.isChecked()
    tap(qtbot, screen, "open_cart_chip")
    tap(qtbot, screen, "line_chip")
    loaded(qtbot, screen, 1)
    assert names(screen) == ["陳美玲"]
    tap(qtbot, screen, "clear_filters")
    loaded(qtbot, screen, 3)
    assert not screen.filters.line.isChecked()

    # A tap on a sortable header sorts the whole list (the backend does, page by page).
    screen.table.sortByColumn(Column.NET_SPEND, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: names(screen) == ["Alice Wang", "林小華", "陳美玲"], timeout=WAIT_MS)
    screen.table.sortByColumn(Column.NET_SPEND, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: names(screen) == ["陳美玲", "林小華", "Alice Wang"], timeout=WAIT_MS)
    assert screen.controller.query.sort == "-net_spend"

    # The level and referral-store chips list what the backend has.
    pick(qtbot, screen.filters.level, "gold")
    loaded(qtbot, screen, 1)
    assert names(screen) == ["陳美玲"]
    pick(qtbot, screen.filters.level, "")
    pick(qtbot, screen.filters.store, "KHH01")
    loaded(qtbot, screen, 1)
    assert names(screen) == ["林小華"]
    assert screen.filters.store.currentText() == "高雄店"
    tap(qtbot, screen, "clear_filters")
    loaded(qtbot, screen, 3)

    type_into(qtbot, screen, "spend_min", "1000")
    screen.filters.spend_min.editingFinished.emit()
    loaded(qtbot, screen, 1)
    assert names(screen) == ["陳美玲"]
    tap(qtbot, screen, "clear_filters")
    loaded(qtbot, screen, 3)
    assert screen.filters.spend_min.text() == ""


def pick(qtbot: QtBot, combo: QComboBox, code: str) -> None:
    """Choose the entry of ``code`` in a chip's list, as a tap on it does."""
    qtbot.waitUntil(lambda: combo.findData(code) >= 0, timeout=WAIT_MS)
    index = combo.findData(code)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def choose(qtbot: QtBot, screen: MembersScreen, name: str) -> None:
    row = names(screen).index(name)
    screen.table.selectionModel().clearCurrentIndex()
    screen.table.selectionModel().setCurrentIndex(
        screen.controller.members.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(
        lambda: screen.detail.name.text() == name and screen.detail.placeholder.isHidden(),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: "…" not in screen.detail.balance.text(), timeout=WAIT_MS)
    # The orders and the changes come in their own replies, in any order.
    for lines in (screen.detail.order_lines, screen.detail.audit_lines):
        qtbot.waitUntil(lambda lines=lines: "…" not in lines.texts(), timeout=WAIT_MS)


def test_a_members_details_and_points_grant_and_deduct(
    qtbot: QtBot, qapp: QApplication, manager: OmoClient
):
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 3)
    choose(qtbot, screen, "陳美玲")
    detail = screen.detail
    assert detail.balance.text() == "120 points"
    assert "台北總店" in detail.referral.text()
    assert "Amy" in detail.referral.text()
    assert detail.line.text() == "LINE: linked"
    assert detail.order_lines.texts()[0].endswith("NT$100  ·  paid")
    # The phone is shown, never a field.
    assert detail.findChild(QLineEdit, "phone_edit") is None

    type_into(qtbot, detail, "points_amount", "50")
    type_into(qtbot, detail, "points_reason", "Birthday gift")
    type_into(qtbot, detail, "points_expiry", "2099-12-31")
    qtbot.mouseClick(detail.grant, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.balance.text() == "170 points", timeout=WAIT_MS)
    assert detail.points_message.message() == "Points changed."
    member_id = screen.detail_controller.member_id
    assert member_id is not None
    ledger = manager.member_points(member_id)
    assert ledger.balance == 170
    assert ledger.items[0].reason == "Birthday gift"
    assert ledger.items[0].expires_at is not None

    # More than the balance: the backend says no, in the staff's words.
    type_into(qtbot, detail, "points_amount", "999")
    type_into(qtbot, detail, "points_reason", "Mistake")
    qtbot.mouseClick(detail.deduct, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "doesn't have that many points" in detail.points_message.message(), timeout=WAIT_MS
    )
    assert manager.member_points(member_id).balance == 170

    type_into(qtbot, detail, "points_amount", "20")
    qtbot.mouseClick(detail.deduct, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.balance.text() == "150 points", timeout=WAIT_MS)
    # The row shows the new balance without a reload.
    model = screen.controller.members
    row = names(screen).index("陳美玲")
    qtbot.waitUntil(lambda: model.data(model.index(row, Column.POINTS)) == "150", timeout=WAIT_MS)


def test_editing_a_profile(qtbot: QtBot, qapp: QApplication, manager: OmoClient):
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 3)
    choose(qtbot, screen, "Alice Wang")
    detail = screen.detail
    type_into(qtbot, detail, "name_edit", "Alice Chen")
    type_into(qtbot, detail, "birthday_edit", "1990-05-31")
    qtbot.mouseClick(detail.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.profile_message.message() == "Profile saved.", timeout=WAIT_MS)
    member_id = screen.detail_controller.member_id
    assert member_id is not None
    member = manager.member(member_id)
    assert member.name == "Alice Chen"
    assert member.birthday == date(1990, 5, 31)
    qtbot.waitUntil(lambda: "Alice Chen" in names(screen), timeout=WAIT_MS)
    # The change is in the member's audit trail.
    qtbot.waitUntil(
        lambda: any("Mgr" in line for line in detail.audit_lines.texts()), timeout=WAIT_MS
    )

    type_into(qtbot, detail, "birthday_edit", "31/05/1990")
    qtbot.mouseClick(detail.save, Qt.MouseButton.LeftButton)
    assert "year-month-day" in detail.profile_message.message()


def test_adding_a_member_by_hand(qtbot: QtBot, qapp: QApplication, manager: OmoClient):
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 3)
    tap(qtbot, screen, "add_member")
    dialog = screen.findChild(AddMemberDialog)
    assert dialog is not None
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    assert dialog.message.message() == "Type a mobile number or an e-mail."
    type_into(qtbot, dialog, "add_name", "黃先生")
    type_into(qtbot, dialog, "add_phone", "0955666777")
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: screen.message.message().startswith("黃先生 was added"), timeout=WAIT_MS
    )
    assert screen.message.message().endswith("went by SMS to +886 9•••••777.")
    loaded(qtbot, screen, 4)
    assert "黃先生" in names(screen)

    # The same number again: refused, in words, the dialog keeps what was typed.
    tap(qtbot, screen, "add_member")
    again = next(d for d in screen.findChildren(AddMemberDialog) if d.isVisible())
    type_into(qtbot, again, "add_phone", "0955666777")
    qtbot.mouseClick(again.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.message.message() != "", timeout=WAIT_MS)
    assert "already" in again.message.message()
    assert again.phone.text() == "0955666777"


def test_inviting_past_buyers_by_email(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, manager: OmoClient
):
    screen = open_screen(qtbot, qapp, manager)
    tap(qtbot, screen, "show_past_buyers")
    past = screen.controller.past_buyers
    qtbot.waitUntil(lambda: past.rowCount() == 2 and not past.loading, timeout=WAIT_MS)
    assert not screen.invite.isEnabled()
    screen.select_past_buyers([0, 1])
    assert screen.invite.text() == "Invite by e-mail (2)"
    tap(qtbot, screen, "invite")
    # One has an e-mail (sent), one has none (skipped, said why).
    qtbot.waitUntil(
        lambda: "Invitations sent: 1. Skipped: 1." in screen.message.message(), timeout=WAIT_MS
    )
    assert screen.message.message().endswith("Some have no e-mail address.")
    assert screen.selected_past_buyers() == []
    # The e-mail really went out (the outbox of the development backend).
    qtbot.waitUntil(lambda: bool(backend.messages_to("daming@example.com")), timeout=WAIT_MS)


def test_export_to_a_file_and_cancel(
    qtbot: QtBot, qapp: QApplication, manager: OmoClient, tmp_path: Path
):
    target = tmp_path / "members.csv"
    screen = open_screen(qtbot, qapp, manager, choose_save_path=lambda _parent: target)
    loaded(qtbot, screen, 3)
    tap(qtbot, screen, "export")
    qtbot.waitUntil(
        lambda: screen.message.message().startswith("Members exported"), timeout=WAIT_MS
    )
    assert screen.message.message() == f"Members exported: 1. File: {target}"
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # A manager's file holds their own store's referrals only (the backend's rule).
    text = data.decode("utf-8-sig")
    assert "陳美玲" in text
    assert "林小華" not in text
    assert not screen.export_panel.isVisible()
    assert screen.export_button.isEnabled()

    target.unlink()
    tap(qtbot, screen, "export")
    assert screen.export_panel.isVisible()
    tap(qtbot, screen, "export_cancel")
    qtbot.waitUntil(lambda: not screen.export.running, timeout=WAIT_MS)
    assert screen.message.message() == "Export cancelled: no file was kept."
    assert list(tmp_path.iterdir()) == []


def test_counter_staff_are_told_their_role_cannot(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, tmp_path: Path
):
    client = logged_in(backend, "1001", "123456")
    target = tmp_path / "members.csv"
    screen = open_screen(qtbot, qapp, client, choose_save_path=lambda _parent: target)
    qtbot.waitUntil(lambda: screen.message.message() != "", timeout=WAIT_MS)
    assert screen.message.message() == "Your role can't do this. Ask a manager or head office."
    assert screen.controller.members.rowCount() == 0
    # Nor may they export: told so, and no file (not even a partial one) is left.
    screen.message.clear()
    tap(qtbot, screen, "export")
    qtbot.waitUntil(lambda: not screen.export.running, timeout=WAIT_MS)
    assert screen.message.message() == "Your role can't do this. Ask a manager or head office."
    assert list(tmp_path.iterdir()) == []
    client.close()


def test_every_members_state_passes_the_design_checks_in_both_languages(
    qtbot: QtBot, qapp: QApplication, manager: OmoClient, tmp_path: Path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen = open_screen(qtbot, qapp, manager, choose_save_path=lambda _p: tmp_path / "m.csv")
    loaded(qtbot, screen, 3)
    languages = LanguageSwitcher(qapp)
    problems: list[str] = []

    def shoot(name: str, root: object = screen) -> None:
        settle(screen)
        widget = root
        image = widget.grab().toImage()  # type: ignore[attr-defined]
        path = SHOTS / f"{name}-{languages.locale}.png"
        assert image.save(str(path)), path
        problems.extend(f"{path.name}: too small: {p}" for p in touch_problems(widget))  # type: ignore[arg-type]
        problems.extend(f"{path.name}: contrast: {p}" for p in contrast_problems(widget, image))  # type: ignore[arg-type]

    try:
        for locale in ("en", "zh_TW"):
            languages.switch(locale)
            screen.detail_controller.clear()
            screen.detail.clear()
            screen.table.clearSelection()
            shoot("01-list")
            choose(qtbot, screen, "陳美玲")
            shoot("02-member-detail")
            screen.detail.verticalScrollBar().setValue(screen.detail.verticalScrollBar().maximum())
            shoot("03-member-detail-history")
            screen.detail.verticalScrollBar().setValue(0)
            screen.filters.new_7d.click()
            loaded(qtbot, screen, 1)
            shoot("04-filtered")
            screen.filters.clear.click()
            loaded(qtbot, screen, 3)
            dialog = screen.open_add_member()
            dialog.resize(720, 560)
            dialog.add.click()
            shoot("05-add-member", dialog)
            dialog.reject()
            screen.show_page(past_buyers=True)
            qtbot.waitUntil(lambda: screen.controller.past_buyers.rowCount() == 2, timeout=WAIT_MS)
            screen.select_past_buyers([0])
            shoot("06-past-buyers")
            screen.select_past_buyers([0, 1])
            screen.invite.click()
            qtbot.waitUntil(
                lambda: "Skipped" in screen.message.message() or "略過" in screen.message.message(),
                timeout=WAIT_MS,
            )
            shoot("08-past-buyers-invited")
            screen.past_table.clearSelection()
            screen.show_page(past_buyers=False)
            choose(qtbot, screen, "陳美玲")
            type_into(qtbot, screen.detail, "points_amount", "99999")
            type_into(qtbot, screen.detail, "points_reason", "Mistake")
            screen.detail.deduct.click()
            qtbot.waitUntil(lambda: screen.detail.points_message.message() != "", timeout=WAIT_MS)
            settle(screen)
            screen.detail.verticalScrollBar().setValue(screen.detail.points.y())
            shoot("09-points-refused")
            screen.detail.verticalScrollBar().setValue(0)
            screen.show_export_progress(1234)
            shoot("07-export-progress")
            screen.export_panel.hide()
    finally:
        languages.switch("en")
    assert not problems, "\n".join(problems)


def test_a_session_ended_elsewhere_is_passed_to_the_shell(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, manager: OmoClient
):
    screen = open_screen(qtbot, qapp, manager)
    loaded(qtbot, screen, 3)
    # The same session logged out from another place: the next call is refused.
    reply = backend.http.post(
        backend.url("/api/v1/staff/logout"),
        headers={"Authorization": f"Bearer {manager.session_token}"},
        timeout=10,
    )
    assert reply.status_code in (200, 204), reply.text
    with qtbot.waitSignal(screen.session_ended, timeout=WAIT_MS) as ended:
        screen.controller.members.reload()
    assert ended.args[0].status == 401


def test_the_list_pages_through_the_real_cursor_as_it_scrolls(
    qtbot: QtBot, qapp: QApplication, backend: LiveBackend, manager: OmoClient
):
    for number in range(347):
        add_customer(backend, name=f"Member {number:03d}", email=f"m{number}@example.com")
    screen = open_screen(qtbot, qapp, manager)
    model = screen.controller.members
    loaded(qtbot, screen, PAGE_SIZE)
    assert model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        screen.table.scrollToBottom()
        qtbot.waitUntil(
            lambda n=before: model.rowCount() > n and not model.loading,  # type: ignore[misc]
            timeout=WAIT_MS,
        )
    ids = [model.row(n).id for n in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(ids) == 350
    assert len(set(ids)) == 350
