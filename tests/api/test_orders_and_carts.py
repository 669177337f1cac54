"""Orders and carts (API.md "Orders and carts") from a POS's key, a manager and the counter,
over HTTP on SQLite and PostgreSQL: the customer found or made, the totals kept, refunds as a
running total, the order's own e-mail and its resends, carts and the open-cart time, levels
moving up by themselves."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from backend_client.schemas import Role
from omo_backend.integrations import service as integration_service
from omo_backend.models import AuditEvent, Cart, Customer, Order
from tests.support.backend import Counter, LiveBackend


class Pos:
    """A point-of-sale system calling with its integration key."""

    def __init__(self, backend: LiveBackend, key: str) -> None:
        self.backend = backend
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.backend.url(path), timeout=40, **kwargs)

    def order(self, body: dict[str, Any], key: str | None = None) -> requests.Response:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.request(
            "POST", "/api/v1/orders", json={"store_code": "TPE01", **body}, headers=headers
        )

    def patch(self, order_id: int, body: dict[str, Any]) -> requests.Response:
        return self.request("PATCH", f"/api/v1/orders/{order_id}", json=body)

    def cart(self, ref: str, body: dict[str, Any]) -> requests.Response:
        return self.request("PUT", f"/api/v1/carts/{ref}", json=body)


def new_key(backend: LiveBackend) -> str:
    with backend.db.transaction() as session:
        _, key = integration_service.create(
            session=session, name="POS", scopes=frozenset({"orders:write"})
        )
    return key


@pytest.fixture
def pos(backend: LiveBackend) -> Pos:
    backend.add_store()
    return Pos(backend, new_key(backend))


def customer(backend: LiveBackend, customer_id: int) -> Customer:
    with backend.db.transaction(write=False) as session:
        found = session.get_one(Customer, customer_id)
        session.expunge(found)
        return found


def audits(backend: LiveBackend, action: str) -> list[AuditEvent]:
    with backend.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_pos_sale_is_recorded_once_per_idempotency_key(backend: LiveBackend, pos: Pos):
    body = {"external_ref": "POS-1", "name": "張志豪", "phone": "0955666777", "amount": 1280}
    first = pos.order(body, key="sale-1")
    assert first.status_code == 201, first.text
    again = pos.order(body, key="sale-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    order = first.json()
    assert order["status"] == "paid"
    assert order["currency"] == "TWD"
    assert order["refunded_amount"] == 0
    assert order["external_ref"] == "POS-1"
    buyer = customer(backend, order["customer_id"])
    assert (buyer.is_member, buyer.source, buyer.phone) == (False, "pos", "+886955666777")
    assert (buyer.net_spend, buyer.orders_count) == (1280, 1)
    # The same key for another body is a mistake, not a replay.
    reused = pos.order({**body, "amount": 1}, key="sale-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    [recorded] = audits(backend, "order.recorded")
    assert recorded.details["api_key_id"] is not None


def test_the_customer_is_found_by_phone_then_email(backend: LiveBackend, pos: Pos):
    by_email = pos.order({"email": "Emily@Example.com", "amount": 100}).json()
    # An unknown phone with a known e-mail: the e-mail's customer.
    both = pos.order({"phone": "0912000111", "email": "emily@example.com", "amount": 50}).json()
    assert both["customer_id"] == by_email["customer_id"]
    assert both["email"] == "emily@example.com"
    # A known phone wins over an e-mail that belongs to someone else.
    other = pos.order({"phone": "0955666777", "amount": 10}).json()
    mixed = pos.order({"phone": "0955666777", "email": "emily@example.com", "amount": 10}).json()
    assert mixed["customer_id"] == other["customer_id"] != by_email["customer_id"]
    emily = customer(backend, by_email["customer_id"])
    assert (emily.net_spend, emily.orders_count, emily.phone) == (150, 2, None)
    missing = pos.order({"name": "Nobody", "amount": 10})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "phone_or_email_required"


def test_net_spending_follows_payment_refunds_and_cancellation(backend: LiveBackend, pos: Pos):
    unpaid = pos.order({"phone": "0955666777", "amount": 1000, "status": "unpaid"}).json()
    cid = unpaid["customer_id"]
    assert (customer(backend, cid).net_spend, customer(backend, cid).orders_count) == (0, 1)
    paid = pos.patch(unpaid["id"], {"status": "paid"})
    assert paid.status_code == 200, paid.text
    assert customer(backend, cid).net_spend == 1000
    partly = pos.patch(unpaid["id"], {"refunded_amount": 300})
    assert (partly.json()["status"], partly.json()["refunded_amount"]) == ("paid", 300)
    assert customer(backend, cid).net_spend == 700
    lower = pos.patch(unpaid["id"], {"refunded_amount": 200})
    assert (lower.status_code, lower.json()["error"]["code"]) == (422, "refund_decreased")
    over = pos.patch(unpaid["id"], {"refunded_amount": 1001})
    assert (over.status_code, over.json()["error"]["code"]) == (422, "refund_exceeds_amount")
    # The running total reaching the amount refunds the order.
    whole = pos.patch(unpaid["id"], {"refunded_amount": 1000})
    assert (whole.json()["status"], whole.json()["refunded_amount"]) == ("refunded", 1000)
    assert customer(backend, cid).net_spend == 0
    done = pos.patch(unpaid["id"], {"status": "paid"})
    assert (done.status_code, done.json()["error"]["code"]) == (409, "invalid_status_change")

    second = pos.order({"phone": "0955666777", "amount": 500}).json()
    assert customer(backend, cid).net_spend == 500
    # "refunded" alone refunds the rest.
    assert pos.patch(second["id"], {"status": "refunded"}).json()["refunded_amount"] == 500
    third = pos.order({"phone": "0955666777", "amount": 400}).json()
    cancelled = pos.patch(third["id"], {"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    refund_cancelled = pos.patch(third["id"], {"refunded_amount": 10})
    assert refund_cancelled.status_code == 409
    assert refund_cancelled.json()["error"]["code"] == "order_not_paid"
    unpaid_refund = pos.order({"phone": "0955666777", "amount": 90, "status": "unpaid"}).json()
    refused = pos.patch(unpaid_refund["id"], {"refunded_amount": 10})
    assert refused.json()["error"]["code"] == "order_not_paid"
    final = customer(backend, cid)
    assert (final.net_spend, final.orders_count) == (0, 4)
    with backend.db.transaction(write=False) as session:
        updates = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "order.updated"))
        )
    first_update = updates[0].details
    assert first_update["before"] == {"status": "unpaid"}
    assert first_update["after"] == {"status": "paid"}
    missing = pos.patch(424242, {"status": "paid"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "order_not_found")


def test_an_order_keeps_its_own_email_and_resends_its_summary_five_times(
    backend: LiveBackend, pos: Pos
):
    order = pos.order(
        {"external_ref": "W-77", "phone": "0955666777", "email": "amy@example.com", "amount": 990}
    ).json()
    changed = pos.patch(order["id"], {"email": "Amy.Work@Example.com"})
    assert changed.json()["email"] == "amy.work@example.com"
    # The account keeps its own address.
    assert customer(backend, order["customer_id"]).email == "amy@example.com"
    assert backend.messages_to("amy.work@example.com") == []  # POST and PATCH send nothing
    for attempt in range(5):
        sent = pos.request("POST", f"/api/v1/orders/{order['id']}/resend-email")
        assert sent.status_code == 202, (attempt, sent.text)
        assert sent.content == b""
    sixth = pos.request("POST", f"/api/v1/orders/{order['id']}/resend-email")
    assert (sixth.status_code, sixth.json()["error"]["code"]) == (409, "resend_quota_exhausted")
    messages = backend.messages_to("amy.work@example.com")
    assert len(messages) == 5
    assert "W-77" in messages[0]["body"]
    assert "990" in messages[0]["body"]
    assert backend.messages_to("amy@example.com") == []
    assert len(audits(backend, "order.email_resent")) == 5


def test_managers_and_admins_record_and_change_orders_counter_staff_only_record(
    backend: LiveBackend,
):
    backend.add_store()
    backend.add_store(code="KHH01", name="高雄店")
    backend.add_staff()
    manager_id = backend.add_staff(code="2001", role=Role.MANAGER)
    admin_id = backend.add_staff(store="KHH01", code="9001", role=Role.ADMIN)
    staff, manager = backend.counter(), backend.counter(staff_code="2001")
    admin = backend.counter(store="KHH01", staff_code="9001")
    at_counter = staff.post("/api/v1/orders", json={"phone": "0955666777", "amount": 10})
    assert at_counter.status_code == 201
    for boss in (manager, admin):
        elsewhere = boss.post(
            "/api/v1/orders",
            json={"phone": "0955666777", "amount": 10, "store_code": "KHH01"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert elsewhere.status_code == 201, elsewhere.text
        patched = boss.http.patch(
            backend.url(f"/api/v1/orders/{elsewhere.json()['id']}"),
            json={"status": "cancelled"},
            timeout=40,
        )
        assert patched.json()["status"] == "cancelled"
    refused = staff.http.patch(
        backend.url(f"/api/v1/orders/{at_counter.json()['id']}"),
        json={"status": "cancelled"},
        timeout=40,
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    updated = audits(backend, "order.updated")
    assert sorted(event.staff_id for event in updated) == sorted([manager_id, admin_id])
    assert all(event.device_id is not None for event in updated)
    other_money = manager.post(
        "/api/v1/orders", json={"phone": "0955666777", "amount": 10, "currency": "USD"}
    )
    assert (other_money.status_code, other_money.json()["error"]["code"]) == (
        422,
        "currency_not_supported",
    )


def test_carts_keep_the_newest_open_carts_time(backend: LiveBackend, pos: Pos):
    buyer = pos.order({"phone": "0955666777", "email": "amy@example.com", "amount": 10}).json()
    cid = buyer["customer_id"]
    older = pos.cart("C-1", {"phone": "0955666777", "amount": 500, "items_count": 2})
    assert older.status_code == 200, older.text
    assert older.json()["customer_id"] == cid
    assert older.json()["checked_out"] is False
    newer = pos.cart("C-2", {"email": "amy@example.com", "amount": 800, "items_count": 3}).json()
    assert customer(backend, cid).open_cart_at is not None
    assert customer(backend, cid).open_cart_at.isoformat() == newer["updated_at"].replace(
        "Z", "+00:00"
    )
    pos.cart("C-2", {"customer_id": cid, "amount": 800, "items_count": 3, "checked_out": True})
    assert customer(backend, cid).open_cart_at.isoformat() == older.json()["updated_at"].replace(
        "Z", "+00:00"
    )
    closed = pos.cart("C-1", {"amount": 500, "items_count": 2, "checked_out": True}).json()
    assert closed["customer_id"] == cid  # a cart keeps its customer when the body names none
    assert customer(backend, cid).open_cart_at is None
    # Someone the merchant does not know: the cart is kept, no customer is made.
    stranger = pos.cart("C-3", {"phone": "0912000999", "amount": 1, "items_count": 1}).json()
    assert stranger["customer_id"] is None
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
        assert session.scalar(select(func.count()).select_from(Cart)) == 3
    unknown = pos.cart("C-4", {"customer_id": 424242, "amount": 1, "items_count": 1})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "customer_not_found")


def test_a_member_moves_up_by_net_spending_and_never_down(backend: LiveBackend, pos: Pos):
    backend.add_staff(code="9001", role=Role.ADMIN)
    admin = backend.counter(staff_code="9001")
    levels = [
        {"code": "regular", "name_en": "Regular", "name_zh_TW": "一般會員"},
        {"code": "silver", "name_en": "Silver", "name_zh_TW": "銀卡", "min_net_spend": 5000},
        {"code": "gold", "name_en": "Gold", "name_zh_TW": "金卡", "min_net_spend": 20000},
    ]
    put = admin.http.put(backend.url("/api/v1/levels"), json=levels, timeout=40)
    assert put.status_code == 200, put.text
    member_id = backend.add_member("+886955666777")
    small = pos.order({"phone": "0955666777", "amount": 4999}).json()
    assert customer(backend, member_id).level is None
    unpaid = pos.order({"phone": "0955666777", "amount": 30000, "status": "unpaid"}).json()
    assert customer(backend, member_id).level is None
    pos.order({"phone": "0955666777", "amount": 1})
    assert customer(backend, member_id).level == "silver"
    pos.patch(unpaid["id"], {"status": "paid"})
    assert customer(backend, member_id).level == "gold"
    # Refunds lower the spending, never the level.
    pos.patch(unpaid["id"], {"status": "refunded"})
    pos.patch(small["id"], {"status": "refunded"})
    after = customer(backend, member_id)
    assert (after.level, after.net_spend) == ("gold", 1)
    upgrades = audits(backend, "member.level_upgraded")
    assert [(e.details["before"], e.details["after"]) for e in upgrades] == [
        (None, "silver"),
        ("silver", "gold"),
    ]
    # A past buyer has no level, however much they spend.
    buyer = pos.order({"phone": "0912000111", "amount": 99999}).json()
    assert customer(backend, buyer["customer_id"]).level is None


def test_orders_of_a_merged_account_follow_it_once_paid(backend: LiveBackend, pos: Pos):
    primary = backend.add_member("+886955666777")
    unpaid = pos.order({"phone": "0912000111", "amount": 700, "status": "unpaid"}).json()
    merged = unpaid["customer_id"]
    with backend.db.transaction() as session:
        session.get_one(Customer, merged).merged_into_id = primary
    paid = pos.patch(unpaid["id"], {"status": "paid"}).json()
    assert paid["customer_id"] == primary
    assert (customer(backend, primary).net_spend, customer(backend, primary).orders_count) == (
        700,
        1,
    )
    assert customer(backend, merged).orders_count == 0
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Order, unpaid["id"]).customer_id == primary


def test_counter_sales_keep_working(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter: Counter = backend.counter()
    sale = counter.post(
        "/api/v1/orders", json={"name": "張志豪", "phone": "0955666777", "amount": 9}
    )
    assert sale.status_code == 201, sale.text
    assert customer(backend, sale.json()["customer_id"]).net_spend == 9
