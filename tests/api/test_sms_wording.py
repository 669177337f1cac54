"""The registration SMS says how long its link is valid as the operator set it."""

from __future__ import annotations

import pytest

from omo_backend.messaging.segments import sms_segments
from tests.support.backend import LiveBackend


@pytest.mark.settings(registration_ttl_seconds=90 * 60)
def test_the_registration_sms_words_a_non_default_validity_in_the_stores_language(
    backend: LiveBackend,
):
    backend.add_store("TPE01", "台北總店", "zh_TW")
    backend.add_store("NYC01", "New York", "en")
    backend.add_staff("TPE01", "1001")
    backend.add_staff("NYC01", "2001")
    for store, staff, phone, e164, words in (
        ("TPE01", "1001", "0912345678", "+886912345678", "（90分鐘有效）"),
        ("NYC01", "2001", "0922333444", "+886922333444", "(link valid 90 min)"),
    ):
        reply = backend.counter(store, staff).invite(phone)
        assert reply.status_code == 201, reply.text
        [message] = backend.messages_to(e164)
        assert words in message["body"]
        assert "2 h" not in message["body"]
        assert "2小時" not in message["body"]
        assert sms_segments(message["body"]) == 1
