"""A manager invites past buyers to sign up by e-mail (`POST /members/invitations`): one
invitation each, the others skipped with why, idempotent; the e-mail's link opens the
registration page and the buyer becomes a member with their history. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from backend_client.schemas import Role
from omo_backend.models import AuditEvent, Customer
from tests.api.test_orders_and_carts import Pos, new_key
from tests.support.backend import Counter, LiveBackend, Phone


@pytest.fixture
def manager(backend: LiveBackend) -> Counter:
    backend.add_store(code="TPE01", name="台北總店", locale="en")
    backend.add_staff()
    backend.add_staff(code="2001", name="Max", role=Role.MANAGER)
    return backend.counter(staff_code="2001")


def invite(counter: Counter, ids: list[int], key: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return counter.post("/api/v1/members/invitations", json={"customer_ids": ids}, headers=headers)


def buyer(pos: Pos, **body: Any) -> int:
    reply = pos.order({"amount": 100, **body})
    assert reply.status_code == 201, reply.text
    customer_id: int = reply.json()["customer_id"]
    return customer_id


def test_past_buyers_are_invited_once_and_the_rest_skipped_with_why(
    backend: LiveBackend, manager: Counter
):
    pos = Pos(backend, new_key(backend))
    amy = buyer(pos, phone="0955666777", email="amy@example.com")
    mail_only = buyer(pos, email="ben@example.com")
    phone_only = buyer(pos, phone="0912000111")
    member = backend.add_member("+886912000222", email="mei@example.com")
    ids = [amy, mail_only, phone_only, member, 424242, amy]
    first = invite(manager, ids, key="invite-1")
    assert first.status_code == 200, first.text
    assert first.json() == {
        "sent": [amy],
        "skipped": [
            {"id": mail_only, "code": "no_phone"},
            {"id": phone_only, "code": "no_email"},
            {"id": member, "code": "already_member"},
            {"id": 424242, "code": "not_found"},
        ],
    }
    replay = invite(manager, ids, key="invite-1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    again = invite(manager, [amy])
    assert again.json() == {"sent": [], "skipped": [{"id": amy, "code": "already_invited"}]}
    [mail] = backend.messages_to("amy@example.com")
    assert mail["channel"] == "email"
    assert "Join 台北總店 as a member" in mail["body"]
    [event] = _audits(backend, "members.invited")[:1]
    assert event.details["sent"] == [amy]
    assert event.staff_id is not None

    # The buyer follows the link and signs up: a member now, their purchase kept.
    phone = Phone(backend)
    assert phone.open(mail["links"][0]).status_code == 200
    done = phone.submit(
        "/r", name="Amy", password="password1", password_confirm="password1", terms="1"
    )
    assert done.status_code == 200, done.text
    with backend.db.transaction(write=False) as session:
        joined = session.get_one(Customer, amy)
        assert (joined.is_member, joined.orders_count, joined.net_spend) == (True, 1, 100)
        assert joined.referral is not None
    later = invite(manager, [amy])
    assert later.json()["skipped"] == [{"id": amy, "code": "already_member"}]


def test_counter_staff_may_not_invite_and_a_list_has_limits(backend: LiveBackend, manager: Counter):
    staff = backend.counter()
    refused = invite(staff, [1])
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    for ids in ([], list(range(1, 202)), [0]):
        assert invite(manager, ids).status_code == 422, ids


def _audits(backend: LiveBackend, action: str) -> list[AuditEvent]:
    with backend.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
