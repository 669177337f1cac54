"""Errors read as plain sentences, in English and in Traditional Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from backend_client.errors import ApiError, OfflineError, RateLimitedError, ServerError
from omo_desktop import i18n
from omo_desktop.messages import describe, span

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
    assert describe(OfflineError("offline", "x")).startswith("The server can't be reached.")
    assert describe(ApiError("not_mobile", "x")) == (
        "That is not a mobile number: an SMS can't be sent to it."
    )
    assert describe(ServerError("boom", "x", status=500)).startswith("The server had a problem")
    assert describe(ApiError("something_new", "x")) == "That didn't work. Please try again."


def test_the_same_in_chinese(chinese: None):
    assert describe(LIMITED) == "此號碼在 10 分鐘內已收到 3 則簡訊，請於 7 分鐘後再試。"
    assert describe(ApiError("invalid_credentials", "x")) == "員工編號或密碼錯誤。"
