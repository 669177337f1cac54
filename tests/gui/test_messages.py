"""Errors read as plain sentences, in English and in Traditional Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from backend_client.errors import ApiError, OfflineError, RateLimitedError, ServerError
from omo_desktop import i18n
from omo_desktop.flows.delivery import Problem
from omo_desktop.messages import describe, sms_problem, span, wait_left

LIMITED = RateLimitedError(
    "rate_limited",
    "…",
    retry_after=400,
    details={"scope": "phone", "limit": 3, "sent": 3, "window_seconds": 600},
)


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    translator = i18n.install(qapp, "zh_TW")
    yield
    qapp.removeTranslator(translator)


def test_a_rate_limit_says_how_many_and_how_long(qapp: QApplication):
    assert describe(LIMITED) == (
        "This number was sent 3 messages in 10 minutes; try again in 7 minutes."
    )
    per_device = RateLimitedError(
        "rate_limited",
        "…",
        retry_after=3000,
        details={"scope": "device", "sent": 60, "window_seconds": 3600},
    )
    assert (
        describe(per_device) == "This counter sent 60 messages in an hour; try again in 50 minutes."
    )


def test_spans_read_naturally(qapp: QApplication):
    assert [span(s) for s in (1, 45, 60, 61, 3600, 7200, 86400, 90000)] == [
        "1 second",
        "45 seconds",
        "1 minute",
        "2 minutes",
        "an hour",
        "2 hours",
        "a day",
        "2 days",
    ]


def test_codes_become_sentences_and_unknown_ones_stay_polite(qapp: QApplication):
    assert describe(ApiError("not_mobile", "x")) == (
        "That is not a mobile number: an SMS can't be sent to it."
    )
    assert describe(ServerError("boom", "x", status=500)).startswith("The server had a problem")
    assert describe(ApiError("something_new", "x")) == "That didn't work. Please try again."


def test_the_same_in_chinese(chinese: None):
    assert describe(LIMITED) == "此號碼在 10 分鐘內已收到 3 則簡訊，請於 7 分鐘後再試。"
    assert describe(ApiError("invalid_credentials", "x")) == "員工編號或密碼錯誤。"


def test_offline_says_what_you_typed_is_kept_only_where_staff_typed(qapp: QApplication):
    offline = OfflineError("offline", "x")
    assert describe(offline, typed=True) == (
        "The server can't be reached. What you typed is kept; try again."
    )
    assert describe(offline) == (
        "The server can't be reached. Check the network connection, then try again."
    )
    assert "typed" not in describe(offline)


def test_a_wait_reads_as_a_clock(qapp: QApplication):
    assert [wait_left(n) for n in (0, 9, 42, 60, 419, 3600, 3723, -5)] == [
        "0:00",
        "0:09",
        "0:42",
        "1:00",
        "6:59",
        "1:00:00",
        "1:02:03",
        "0:00",
    ]


def test_every_sms_problem_says_what_happened_and_what_to_do(qapp: QApplication):
    for problem in Problem:
        what, todo = sms_problem(problem, "0912 345 678")
        assert what, problem
        assert todo, problem
        assert "%1" not in what + todo, problem
    assert sms_problem(Problem.UNREACHABLE, "0912 345 678") == (
        "The phone at 0912 345 678 could not be reached: it may be off or have no signal.",
        "Ask the customer to check their phone, then send again.",
    )
    assert sms_problem(Problem.EXPIRED, "0912 345 678", can_resend=False)[1] == (
        "Check the number, then send a new SMS."
    ), "no Send again offered: the words do not promise it"
    assert sms_problem(Problem.NUMBER, "0912 345 678", can_resend=False)[1] == (
        "Check the number with the customer, then search again."
    )


def test_the_sms_words_in_chinese(chinese: None):
    assert describe(OfflineError("offline", "x")) == "無法連線到伺服器。請檢查網路連線後再試一次。"
    assert sms_problem(Problem.BLOCKED, "0912 345 678") == (
        "0912 345 678 的電信業者攔截了這則簡訊。",
        "請向顧客詢問其他手機號碼。",
    )
