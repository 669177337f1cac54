"""``OMO-Signature`` as the README documents it, and its 5-minute replay window."""

from __future__ import annotations

import hashlib
import hmac

from omo_backend.webhooks import signing

BODY = b'{"id":"e1","type":"member.created","data":{"member_id":7}}'
SECRET = "whsec_test"


def test_the_header_is_the_hmac_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.header(SECRET, 1_700_000_000, BODY) == f"t=1700000000,v1={expected}"


def test_a_receiver_refuses_replays_outside_the_window_and_any_change():
    sent = signing.header(SECRET, 1_700_000_000, BODY)
    assert signing.verify(SECRET, sent, BODY, now=1_700_000_000 + 300)
    assert signing.verify(SECRET, sent, BODY, now=1_700_000_000 - 300)
    assert not signing.verify(SECRET, sent, BODY, now=1_700_000_000 + 301)
    assert not signing.verify(SECRET, sent, BODY + b" ", now=1_700_000_000)
    assert not signing.verify("whsec_other", sent, BODY, now=1_700_000_000)
    # A replay with a fresh timestamp but the old signature is refused too.
    forged = sent.replace("t=1700000000", "t=1700000400")
    assert not signing.verify(SECRET, forged, BODY, now=1_700_000_400)
    assert not signing.verify(SECRET, "v1=abc", BODY, now=1_700_000_000)


def test_secrets_are_long_and_new_each_time():
    one, two = signing.new_secret(), signing.new_secret()
    assert one != two
    assert one.startswith("whsec_")
    assert len(one) >= 40
