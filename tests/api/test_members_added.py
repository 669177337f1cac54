"""Members added by hand (`POST /members`) or by a POS's order (`add_as_member`): source manual,
no referral, the first-login message by SMS to a mobile number or else by e-mail, and the
customer page where they set their password once; on SQLite and PostgreSQL, over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from backend_client.schemas import Role
from omo_backend import security
from omo_backend.models import AuditEvent, Customer, Message, RetiredIdentifier
from tests.api.test_orders_and_carts import Pos, new_key
from tests.support.backend import Counter, LiveBackend, Phone
from tests.support.page_text import visible

PHONE = "+886955666777"


@pytest.fixture
def manager(backend: LiveBackend) -> Counter:
    backend.add_store(code="TPE01", name="台北總店", locale="zh_TW")
    backend.add_staff()
    backend.add_staff(code="2001", name="Max", role=Role.MANAGER)
    return backend.counter(staff_code="2001")


def add(counter: Counter, body: dict[str, Any]) -> requests.Response:
    return counter.post("/api/v1/members", json=body)


def stored(backend: LiveBackend, customer_id: int) -> Customer:
    with backend.db.transaction(write=False) as session:
        found = session.get_one(Customer, customer_id)
        session.expunge(found)
        return found


def test_a_manager_adds_a_member_who_sets_a_password_from_the_sms(
    backend: LiveBackend, manager: Counter
):
    reply = add(manager, {"name": "林小華", "phone": "0955 666 777", "birthday": "1990-04-01"})
    assert reply.status_code == 201, reply.text
    member = reply.json()
    assert member["is_member"] is True
    assert member["source"] == "manual"
    assert member["referral"] is None
    assert member["birthday"] == "1990-04-01"
    assert (member["first_login_channel"], member["first_login_to"]) == (
        "sms",
        "+886 9•••••777",
    )
    assert member["phone_masked"] == "+886 9•••••777"
    [sms] = backend.messages_to(PHONE)
    assert sms["channel"] == "sms"
    assert "台北總店" in sms["body"]
    [link] = sms["links"]
    assert "/b/reset/" in link

    phone = Phone(backend, accept_language="en")
    form = phone.open(link)
    assert form.status_code == 200
    assert "Welcome to 台北總店: set your password" in visible(form.text)
    assert "For member +886 9•••••777." in visible(form.text)
    short = phone.submit("/b/reset", password="short", password_confirm="short")
    assert short.status_code == 422
    done = phone.submit("/b/reset", password="first-pass-1", password_confirm="first-pass-1")
    assert done.status_code == 200
    assert "Password set" in visible(done.text)
    saved = stored(backend, member["id"])
    assert saved.password_hash is not None
    assert security.verify_secret(saved.password_hash, "first-pass-1")
    again = Phone(backend).open(link)
    assert again.status_code == 410

    [added] = [
        e for e in _audits(backend) if e.action == "member.added" and e.subject_id == member["id"]
    ]
    assert added.staff_id is not None
    assert added.device_id is not None
    assert added.details["first_login"] == "sms"


def test_without_a_mobile_number_the_link_goes_by_email_in_chinese_too(
    backend: LiveBackend, manager: Counter
):
    reply = add(manager, {"email": "Mei@Example.com"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["first_login_channel"] == "email"
    [mail] = backend.messages_to("mei@example.com")
    assert mail["channel"] == "email"
    assert "歡迎加入 台北總店 會員" in mail["body"]
    phone = Phone(backend, accept_language="zh-TW")
    form = phone.open(mail["links"][0])
    assert "歡迎加入台北總店：請設定密碼" in visible(form.text)
    done = phone.submit("/b/reset", password="first-pass-1", password_confirm="first-pass-1")
    assert "密碼已設定" in visible(done.text)
    # A landline cannot take an SMS: the e-mail takes the link.
    landline = add(manager, {"phone": "02 2345 6789", "email": "office@example.com"})
    assert landline.json()["first_login_channel"] == "email"
    nowhere = add(manager, {"phone": "02 2345 6780"})
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (422, "no_way_to_reach")


def test_a_past_buyer_added_keeps_their_history_and_levels_up(
    backend: LiveBackend, manager: Counter
):
    backend.add_staff(code="9001", role=Role.ADMIN)
    admin = backend.counter(staff_code="9001")
    levels = [
        {"code": "regular", "name_en": "Regular", "name_zh_TW": "一般會員"},
        {"code": "gold", "name_en": "Gold", "name_zh_TW": "金卡", "min_net_spend": 1000},
    ]
    assert admin.http.put(backend.url("/api/v1/levels"), json=levels, timeout=40).ok
    pos = Pos(backend, new_key(backend))
    order = pos.order({"phone": "0955666777", "amount": 1500}).json()
    reply = add(manager, {"phone": "0955666777", "email": "amy@example.com", "level": "regular"})
    assert reply.status_code == 201, reply.text
    member = reply.json()
    assert member["id"] == order["customer_id"]
    assert (member["net_spend"], member["orders_count"]) == (1500, 1)
    # Given "regular", moved up by the spending at once.
    assert member["level"] == "gold"
    assert stored(backend, member["id"]).email == "amy@example.com"
    unknown = add(manager, {"phone": "0912000111", "level": "platinum"})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "level_not_found")


def test_who_may_not_be_added_and_why(backend: LiveBackend, manager: Counter):
    member_id = backend.add_member(PHONE, email="mei@example.com")
    for body in ({"phone": "0955666777"}, {"email": "MEI@example.com"}):
        taken = add(manager, body)
        assert taken.status_code == 409, body
        assert taken.json()["error"]["code"] == "already_member"
        assert taken.json()["error"]["details"]["customer_id"] == member_id
    pos = Pos(backend, new_key(backend))
    pos.order({"phone": "0912000111", "email": "buyer@example.com", "amount": 10})
    other = add(manager, {"phone": "0912000222", "email": "buyer@example.com"})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "identifier_taken")
    with backend.db.transaction() as session:
        session.add(RetiredIdentifier(kind="phone", value="+886912000333", customer_id=member_id))
    retired = add(manager, {"phone": "0912000333"})
    assert (retired.status_code, retired.json()["error"]["code"]) == (409, "identifier_retired")
    nothing = add(manager, {"name": "Nobody"})
    assert (nothing.status_code, nothing.json()["error"]["code"]) == (
        422,
        "phone_or_email_required",
    )
    future = add(manager, {"phone": "0912000444", "birthday": "2999-01-01"})
    assert future.json()["error"]["code"] == "invalid_birthday"
    staff = backend.counter()
    refused = add(staff, {"phone": "0912000555"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(Message.id).where(Message.purpose == "first_login")) is None


def test_an_order_with_add_as_member_makes_a_member_once(backend: LiveBackend, manager: Counter):
    pos = Pos(backend, new_key(backend))
    body = {"phone": "0955666777", "amount": 300, "add_as_member": True}
    first = pos.order(body, key="o-1")
    assert first.status_code == 201, first.text
    assert pos.order(body, key="o-1").json() == first.json()
    customer_id = first.json()["customer_id"]
    made = stored(backend, customer_id)
    assert (made.is_member, made.source) == (True, "pos")
    assert len(backend.messages_to(PHONE)) == 1
    # A member already: the next order sends nothing more.
    assert pos.order(body).status_code == 201
    assert len(backend.messages_to(PHONE)) == 1
    counter = backend.counter()
    refused = counter.post(
        "/api/v1/orders",
        json={"phone": "0912000111", "amount": 1, "add_as_member": True},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    by_manager = manager.post(
        "/api/v1/orders",
        json={"email": "new@example.com", "amount": 1, "add_as_member": True},
    )
    assert by_manager.status_code == 201
    assert stored(backend, by_manager.json()["customer_id"]).is_member
    assert backend.messages_to("new@example.com")[0]["channel"] == "email"


def _audits(backend: LiveBackend) -> list[AuditEvent]:
    with backend.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent)))
