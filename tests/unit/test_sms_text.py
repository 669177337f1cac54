"""Each extra SMS segment is billed: the texts fit one segment with a typical link."""

from __future__ import annotations

import pytest

from omo_backend.bindings.service import SMS_TEXT as BIND_TEXT
from omo_backend.invitations.service import SMS_TEXT as SIGN_UP_TEXT
from omo_backend.messaging.segments import sms_segments

LINK = "https://omo.example.com.tw/r/" + "Zx8ab_cdEF-1234567890"  # a 22-character token


@pytest.mark.parametrize("texts", [SIGN_UP_TEXT, BIND_TEXT])
@pytest.mark.parametrize(("locale", "store"), [("zh_TW", "台北總店"), ("en", "Taipei Main")])
def test_one_segment_with_the_store_name_and_link(texts: dict[str, str], locale: str, store: str):
    body = texts[locale].format(store=store, url=LINK)
    assert store in body
    assert LINK in body
    assert sms_segments(body) == 1, body
