"""SMS delivery receipts: the fake Twilio posts signed status callbacks to the live backend.

The backend sends through the fake Twilio (its dispatcher running), which records the
``StatusCallback`` URL each message named; the tests then post Twilio's callbacks for that
message, signed as Twilio signs them, or badly, and read the invitation as the counter does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from omo_backend.models import Message
from tests.fakes.twilio_server import FakeTwilio
from tests.support.backend import Counter, DatabaseFactory, LiveBackend, live_backend

PHONE = "0912345678"
STATUS_PATH = "/api/v1/sms/twilio/status"


@pytest.fixture
def backend(db_factory: DatabaseFactory, twilio: FakeTwilio) -> Iterator[LiveBackend]:
    with live_backend(db_factory, **twilio.settings_overrides()) as live:
        live.add_store()
        live.add_staff()
        yield live


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    return backend.counter()


def invitation(counter: Counter, invitation_id: int) -> dict[str, Any]:
    reply = counter.get(f"/api/v1/invitations/{invitation_id}")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def sent_sms(counter: Counter, twilio: FakeTwilio) -> tuple[int, str]:
    """Staff tap "Sign up"; returns the invitation's id and Twilio's sid once it is sent."""
    reply = counter.invite(PHONE)
    assert reply.status_code == 201, reply.text
    invitation_id: int = reply.json()["id"]
    deadline = time.monotonic() + 10
    while invitation(counter, invitation_id)["message_status"] != "sent":
        assert time.monotonic() < deadline, "the SMS was never sent"
        time.sleep(0.05)
    [created] = twilio.created
    sid: str = created["sid"]
    return invitation_id, sid


def message_row(backend: LiveBackend, sid: str) -> Message:
    with backend.db.transaction(write=False) as session:
        return session.scalars(select(Message).where(Message.provider_message_id == sid)).one()


def test_the_sms_asks_twilio_for_receipts_at_the_public_url(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio
):
    sent_sms(counter, twilio)
    [request] = twilio.requests
    assert request.form["StatusCallback"] == backend.settings.public_base_url + STATUS_PATH


def test_a_delivered_receipt_reaches_the_counter_and_a_late_sent_changes_nothing(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio
):
    invitation_id, sid = sent_sms(counter, twilio)
    assert invitation(counter, invitation_id)["message_delivery"] is None

    assert twilio.send_receipt(sid, "sent").status_code == 204
    assert twilio.send_receipt(sid, "delivered").status_code == 204
    seen = invitation(counter, invitation_id)
    assert (seen["status"], seen["message_status"], seen["message_delivery"]) == (
        "sent",
        "sent",
        "delivered",
    )

    # Twilio's callbacks may come late and out of order: a final receipt stands.
    assert twilio.send_receipt(sid, "sent").status_code == 204
    assert twilio.send_receipt(sid, "undelivered", error_code=30003).status_code == 204
    assert invitation(counter, invitation_id) == seen
    row = message_row(backend, sid)
    assert (row.status, row.provider_status, row.delivery) == ("sent", "delivered", "delivered")
    assert row.delivery_at is not None


def test_an_undelivered_receipt_fails_the_invitation_with_the_carrier_s_code(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio
):
    invitation_id, sid = sent_sms(counter, twilio)
    assert twilio.send_receipt(sid, "undelivered", error_code=30003).status_code == 204
    seen = invitation(counter, invitation_id)
    # An app from before receipts reads the old fields alone: failed, with the code it maps.
    assert (seen["status"], seen["message_status"], seen["failure_code"]) == (
        "failed",
        "failed",
        "twilio_30003",
    )
    assert seen["message_delivery"] == "undelivered"
    assert twilio.send_receipt(sid, "delivered").status_code == 204
    assert invitation(counter, invitation_id) == seen
    # The provider took it and bills it: still counted as sent.
    assert message_row(backend, sid).status == "sent"


def test_progress_only_moves_forward(backend: LiveBackend, counter: Counter, twilio: FakeTwilio):
    _, sid = sent_sms(counter, twilio)
    assert message_row(backend, sid).provider_status == "queued"
    for status, expected in (
        ("sent", "sent"),
        ("sending", "sent"),
        ("queued", "sent"),
        ("partially_delivered", "sent"),  # a status we do not know is ignored
    ):
        assert twilio.send_receipt(sid, status).status_code == 204
        assert message_row(backend, sid).provider_status == expected, status


@pytest.mark.parametrize(
    "signature",
    [
        "",  # none at all
        "bm90IHRoZSBzaWduYXR1cmU=",
        # Signed with another account's auth token.
        "token of another account",
    ],
)
def test_a_receipt_without_twilio_s_signature_is_refused(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio, signature: str
):
    invitation_id, sid = sent_sms(counter, twilio)
    before = invitation(counter, invitation_id)
    if signature == "token of another account":
        other = FakeTwilio(account_sid=twilio.account_sid)
        message = twilio.message(sid)
        form = {"MessageSid": sid, "MessageStatus": "undelivered", "To": message["to"]}
        url = backend.settings.public_base_url + STATUS_PATH
        reply = requests.post(
            url, data=form, headers={"X-Twilio-Signature": other.sign(url, form)}, timeout=10
        )
    else:
        reply = twilio.send_receipt(sid, "undelivered", error_code=30003, signature=signature)
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "bad_signature"
    assert invitation(counter, invitation_id) == before


def test_a_receipt_signed_for_another_url_is_refused(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio
):
    """Twilio signs the URL it posts to: one signed for another query is not this one's."""
    invitation_id, sid = sent_sms(counter, twilio)
    message = twilio.message(sid)
    form = {"MessageSid": sid, "MessageStatus": "delivered", "To": message["to"]}
    url = backend.settings.public_base_url + STATUS_PATH
    reply = requests.post(
        url + "?store=1",
        data=form,
        headers={"X-Twilio-Signature": twilio.sign(url, form)},
        timeout=10,
    )
    assert reply.status_code == 403
    # Signed for the URL it really goes to (query included), it is believed.
    reply = twilio.send_receipt(sid, "delivered", url=url + "?store=1")
    assert reply.status_code == 204
    assert invitation(counter, invitation_id)["message_delivery"] == "delivered"


def test_a_receipt_for_a_message_we_never_sent_is_404(
    backend: LiveBackend, counter: Counter, twilio: FakeTwilio
):
    sent_sms(counter, twilio)
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    url = backend.settings.public_base_url + STATUS_PATH
    reply = requests.post(
        url, data=form, headers={"X-Twilio-Signature": twilio.sign(url, form)}, timeout=10
    )
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "unknown_message"


def test_a_signed_receipt_that_is_not_twilio_s_shape_is_422(
    backend: LiveBackend, twilio: FakeTwilio
):
    form = {"MessageSid": "SM123", "MessageStatus": "delivered"}
    url = backend.settings.public_base_url + STATUS_PATH
    reply = requests.post(
        url, data=form, headers={"X-Twilio-Signature": twilio.sign(url, form)}, timeout=10
    )
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "invalid_receipt"
