"""Each extra SMS segment is billed: the texts fit one segment with a typical link."""

from __future__ import annotations

import pytest

from omo_backend.bindings.service import SMS_TEXT as BIND_TEXT
from omo_backend.invitations.service import SMS_TEXT as SIGN_UP_TEXT
from omo_backend.invitations.service import sms_text
from omo_backend.messaging.segments import sms_segments
from omo_backend.messaging.wording import validity
from omo_backend.models import Store

LINK = "https://omo.example.com.tw/r/" + "Zx8ab_cdEF-1234567890"  # a 22-character token


@pytest.mark.parametrize("texts", [SIGN_UP_TEXT, BIND_TEXT])
@pytest.mark.parametrize(("locale", "store"), [("zh_TW", "台北總店"), ("en", "Taipei Main")])
def test_one_segment_with_the_store_name_and_link(texts: dict[str, str], locale: str, store: str):
    body = texts[locale].format(store=store, url=LINK, valid=validity(2 * 3600, locale))
    assert store in body
    assert LINK in body
    assert sms_segments(body) == 1, body


@pytest.mark.parametrize(
    ("seconds", "en", "zh_tw"),
    [
        (2 * 3600, "2 h", "2小時"),
        (24 * 3600, "24 h", "24小時"),
        (90 * 60, "90 min", "90分鐘"),
        (30 * 60, "30 min", "30分鐘"),
        (3600 + 59, "60 min", "60分鐘"),  # rounded down: never more time than the link has
        (60, "1 min", "1分鐘"),
        (45, "45 s", "45秒"),
    ],
)
def test_the_sign_up_text_says_how_long_the_link_is_valid_from_the_setting(
    seconds: int, en: str, zh_tw: str
):
    english = sms_text(store=Store(name="Taipei Main", locale="en"), url=LINK, ttl_seconds=seconds)
    chinese = sms_text(store=Store(name="台北總店", locale="zh_TW"), url=LINK, ttl_seconds=seconds)
    assert english == f"Taipei Main: become a member (link valid {en}) {LINK}"
    assert chinese == f"【台北總店】加入會員（{zh_tw}有效）{LINK}"


@pytest.mark.parametrize("seconds", [45, 60, 10 * 60, 119 * 60, 2 * 3600, 7 * 24 * 3600])
@pytest.mark.parametrize(("locale", "name"), [("zh_TW", "台北總店"), ("en", "Taipei Main")])
def test_any_validity_keeps_the_sign_up_text_in_one_segment(seconds: int, locale: str, name: str):
    body = sms_text(store=Store(name=name, locale=locale), url=LINK, ttl_seconds=seconds)
    assert sms_segments(body) == 1, body
