"""Backend calls run on workers; answers come back on the UI thread, which never waits."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from backend_client.errors import ApiError, OfflineError
from omo_desktop.workers import BackendOp, wait_for_all


def test_the_answer_arrives_on_the_ui_thread(qtbot: QtBot):
    screen = QWidget()
    qtbot.addWidget(screen)
    seen: dict[str, object] = {}

    def op() -> int:
        seen["op_thread"] = threading.current_thread()
        return 42

    def success(value: int) -> None:
        seen["value"] = value
        seen["ui_thread"] = QThread.currentThread() is QApplication.instance().thread()  # type: ignore[union-attr]

    BackendOp(parent=screen, op=op, success=success).run()
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 42
    assert seen["ui_thread"] is True
    assert seen["op_thread"] is not threading.main_thread()


def test_a_failure_is_reported_as_a_typed_error(qtbot: QtBot):
    screen = QWidget()
    qtbot.addWidget(screen)
    errors: list[ApiError] = []

    def op() -> None:
        raise OfflineError("offline", "The backend can't be reached.")

    BackendOp(parent=screen, op=op, success=lambda _: None).failure(errors.append).run()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], OfflineError)


def test_a_bug_in_an_operation_is_still_reported(qtbot: QtBot):
    screen = QWidget()
    qtbot.addWidget(screen)
    errors: list[ApiError] = []
    BackendOp(parent=screen, op=lambda: 1 / 0, success=lambda _: None).failure(errors.append).run()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0].code == "unexpected"


def test_busy_shows_only_for_a_slow_call_and_the_ui_keeps_ticking(qtbot: QtBot):
    screen = QWidget()
    qtbot.addWidget(screen)
    busy: list[bool] = []
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    done: list[str] = []

    BackendOp(
        parent=screen, op=lambda: time.sleep(0.5), success=lambda _: done.append("slow")
    ).busy(busy.append).run()
    BackendOp(parent=screen, op=lambda: None, success=lambda _: done.append("fast")).busy(
        lambda shown: done.append(f"fast busy {shown}")
    ).run()
    qtbot.waitUntil(lambda: "slow" in done, timeout=5000)
    timer.stop()

    assert busy == [True, False]
    assert "fast busy True" not in done
    assert len(ticks) >= 10, "the UI thread kept running while the call waited"


def test_no_answer_reaches_a_screen_that_is_gone(qtbot: QtBot):
    screen = QWidget()
    called: list[object] = []
    BackendOp(parent=screen, op=lambda: time.sleep(0.2), success=called.append).run()
    screen.deleteLater()
    qtbot.wait(50)
    assert wait_for_all(5000)
    qtbot.wait(100)
    assert called == []
