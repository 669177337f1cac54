"""An admin merges a member's duplicate accounts after a preview, and erases a member on request
(API.md "Merge:" and "Erase:"), on SQLite and PostgreSQL over real HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import requests

from omo_backend.models import Consent, Message, Order, RetiredIdentifier, utcnow
from tests.support.backend import Counter
from tests.support.directory import Shop, add_customer, shop

__all__ = ["shop"]

PHONE_A = "+886911000001"
PHONE_B = "+886911000002"
PHONE_C = "+886911000003"


def order(manager: Counter, phone: str, amount: int, status: str = "paid") -> dict[str, Any]:
    reply = manager.post(
        "/api/v1/orders",
        json={"phone": phone, "amount": amount, "status": status},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def preview(admin: Counter, **body: Any) -> requests.Response:
    return admin.post("/api/v1/members/merge/preview", json=body)


def merge(admin: Counter, **body: Any) -> requests.Response:
    return admin.post("/api/v1/members/merge", json=body)


def three_accounts(shop: Shop) -> tuple[int, int, int]:
    """One person's accounts: the primary (no referral), one referred earlier at KHH01 with
    orders and points, one with LINE and an unpaid order."""
    backend = shop.backend
    now = utcnow()
    primary = add_customer(backend, name="Mei", phone=PHONE_A, email="mei@example.com", points=10)
    older = add_customer(
        backend,
        name="Mei Lin",
        phone=PHONE_B,
        email="mei.lin@example.com",
        store="KHH01",
        staff="1001",
        joined=now - timedelta(days=30),
        points=5,
    )
    with_line = add_customer(
        backend,
        name="小美",
        phone=PHONE_C,
        line_user_id="U" + "a" * 32,
        store="TPE01",
        staff="1001",
        joined=now - timedelta(days=3),
    )
    order(shop.manager, PHONE_A, 100)
    order(shop.manager, PHONE_B, 1000)
    refunded = order(shop.manager, PHONE_B, 500)
    reply = shop.manager.http.patch(
        backend.url(f"/api/v1/orders/{refunded['id']}"), json={"refunded_amount": 200}, timeout=20
    )
    assert reply.status_code == 200, reply.text
    order(shop.manager, PHONE_C, 300, status="unpaid")
    return primary, older, with_line


def test_a_merge_moves_orders_points_and_referral_and_retires_the_others_identifiers(
    shop: Shop,
) -> None:
    backend, admin = shop.backend, shop.admin
    primary, older, with_line = three_accounts(shop)
    body = {"primary_id": primary, "member_ids": [older, with_line], "points_delta": 20}

    assert preview(shop.manager, **body).status_code == 403
    shown = preview(admin, **body)
    assert shown.status_code == 200, shown.text
    result = shown.json()
    assert result["merged_ids"] == [older, with_line]
    assert result["orders_count"] == 3  # the unpaid order follows once paid
    assert result["unpaid_orders_pending"] == 1
    assert result["net_spend"] == 100 + 1000 + 300
    assert result["points_balance"] == 10 + 5 + 20
    assert result["referral"]["store"]["code"] == "KHH01"  # the earliest, the primary had none
    assert {(i["kind"], i["member_id"]) for i in result["identifiers_retired"]} == {
        ("phone", older),
        ("email", older),
        ("phone", with_line),
        ("line", with_line),
    }
    assert [a["id"] for a in result["accounts"]] == [primary, older, with_line]

    done = merge(admin, **body, preview_id=result["preview_id"])
    assert done.status_code == 200, done.text
    member = done.json()
    assert member["id"] == primary
    assert member["net_spend"] == 1400
    assert member["orders_count"] == 3
    assert member["points"] == 35
    assert member["referral"]["store"]["code"] == "KHH01"
    assert member["phone_masked"].endswith("01")

    gone = shop.manager.get(f"/api/v1/members/{older}")
    assert gone.status_code == 200
    assert gone.json()["merged_into_id"] == primary
    listed = shop.manager.get("/api/v1/members", params={"q": "mei"}).json()
    assert [m["id"] for m in listed["items"]] == [primary]

    # The counter's search says where the number went.
    found = shop.staff.search(phone="0911000002")
    assert found["items"] == []
    assert found["merged_into"] == {"kind": "phone", "member_id": primary, "name": "Mei"}

    # Retired everywhere: added by hand, an e-mail change, a LINE link; a sale names the primary.
    again = shop.manager.post("/api/v1/members", json={"phone": "0911000002"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "identifier_retired"
    other = add_customer(backend, name="Wu", phone="+886911000099")
    taken = shop.manager.http.patch(
        backend.url(f"/api/v1/members/{other}"), json={"email": "mei.lin@example.com"}, timeout=20
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "identifier_retired"
    sale = order(shop.manager, PHONE_B, 50)
    assert sale["customer_id"] == primary

    # The unpaid order of a merged account follows once paid.
    with backend.db.transaction(write=False) as session:
        unpaid = session.query(Order).filter_by(customer_id=with_line, status="unpaid").one()
        retired = session.query(RetiredIdentifier).count()
    assert retired == 4
    paid = shop.manager.http.patch(
        backend.url(f"/api/v1/orders/{unpaid.id}"), json={"status": "paid"}, timeout=20
    )
    assert paid.status_code == 200, paid.text
    after = shop.manager.get(f"/api/v1/members/{primary}").json()
    assert after["orders_count"] == 5
    assert after["net_spend"] == 1400 + 50 + 300

    trail = shop.manager.get(f"/api/v1/members/{primary}/audit").json()["items"]
    merged_entry = next(e for e in trail if e["action"] == "member.merged")
    assert merged_entry["staff"]["code"] == "9001"
    assert merged_entry["details"]["merged_ids"] == [older, with_line]


def test_a_preview_made_stale_by_any_change_is_refused(shop: Shop) -> None:
    admin = shop.admin
    primary, older, with_line = three_accounts(shop)
    body = {"primary_id": primary, "member_ids": [older]}
    first = preview(admin, **body).json()["preview_id"]
    assert preview(admin, **body).json()["preview_id"] == first  # the same state, the same id

    order(shop.manager, PHONE_B, 10)  # an order on a merged account
    stale = merge(admin, **body, preview_id=first)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "preview_stale"
    # Another body than the one previewed is just as stale.
    second = preview(admin, **body).json()["preview_id"]
    other_body = merge(admin, **body, points_delta=5, preview_id=second)
    assert other_body.json()["error"]["code"] == "preview_stale"
    points = shop.manager.post(
        f"/api/v1/members/{primary}/points",
        json={"delta": 1, "reason": "gift"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert points.status_code == 200
    assert merge(admin, **body, preview_id=second).json()["error"]["code"] == "preview_stale"

    third = preview(admin, **body).json()["preview_id"]
    assert merge(admin, **body, preview_id=third).status_code == 200
    # Once merged, an account cannot be merged again.
    again = preview(admin, primary_id=with_line, member_ids=[older])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "member_merged"


def test_a_merge_request_out_of_bounds_is_refused_naming_why(shop: Shop) -> None:
    admin = shop.admin
    primary, older, with_line = three_accounts(shop)
    past_buyer = add_customer(shop.backend, name="Po", phone="+886911000050", is_member=False)

    def code(reply: requests.Response) -> tuple[int, str]:
        return reply.status_code, reply.json()["error"]["code"]

    assert code(preview(admin, primary_id=primary, member_ids=[primary])) == (
        422,
        "duplicate_member_ids",
    )
    five = preview(admin, primary_id=primary, member_ids=[older, with_line, 7, 8, 9])
    assert five.status_code == 422
    assert code(preview(admin, primary_id=primary, member_ids=[999_999])) == (
        404,
        "member_not_found",
    )
    assert code(preview(admin, primary_id=primary, member_ids=[2**62])) == (
        404,
        "member_not_found",
    )
    assert code(preview(admin, primary_id=past_buyer, member_ids=[older])) == (
        409,
        "primary_not_member",
    )
    assert code(preview(admin, primary_id=primary, member_ids=[older], points_delta=-16)) == (
        422,
        "insufficient_points",
    )
    yesterday = (utcnow() - timedelta(days=1)).isoformat()
    assert code(
        preview(
            admin,
            primary_id=primary,
            member_ids=[older],
            points_delta=5,
            points_expires_at=yesterday,
        )
    ) == (422, "expiry_in_past")
    # A past buyer may be merged into a member.
    assert preview(admin, primary_id=primary, member_ids=[past_buyer]).status_code == 200


def test_an_erased_member_keeps_orders_and_consents_as_facts_without_the_person(
    shop: Shop,
) -> None:
    backend, admin = shop.backend, shop.admin
    member = add_customer(
        backend, name="Mei", phone=PHONE_A, email="mei@example.com", store="TPE01", staff="1001"
    )
    with backend.db.transaction() as session:
        session.add(
            Consent(
                customer_id=member,
                purpose="marketing",
                granted=True,
                text_shown="I agree, Mei",
                locale="zh_TW",
                channel="counter",
            )
        )
        for status in ("sent", "queued"):
            session.add(
                Message(
                    purpose="registration",
                    to_address=PHONE_A,
                    body="Mei, join us: https://example.invalid/r/abc",
                    status=status,
                    provider="outbox",
                    segments=2,
                    # The queued one waits for a later attempt: the dispatcher leaves it be.
                    next_attempt_at=utcnow() + timedelta(days=1),
                )
            )
    sale = order(shop.manager, PHONE_A, 700)
    body = {"reason": "asked at the counter on 2026-11-30"}

    assert shop.manager.post(f"/api/v1/members/{member}/erase", json=body).status_code == 403
    done = admin.post(f"/api/v1/members/{member}/erase", json=body)
    assert done.status_code == 200, done.text
    erased = done.json()
    assert erased["erased_at"] is not None
    assert erased["name"] is None
    assert erased["phone_masked"] is None
    assert erased["email_masked"] is None
    assert erased["birthday"] is None
    assert erased["net_spend"] == 700  # still counts in the totals
    assert erased["consents"][0]["purpose"] == "marketing"
    with backend.db.transaction(write=False) as session:
        kept = session.get(Order, sale["id"])
        assert kept is not None
        assert kept.email is None
        assert kept.customer_id == member
        assert session.query(Consent).filter_by(customer_id=member).one().text_shown == ""
        # What was sent still counts (segments, cost) but no longer says to whom or what; what
        # was still waiting is never sent.
        sent = session.query(Message).filter_by(purpose="registration").order_by(Message.id)
        assert [(m.to_address, m.body, m.status, m.segments) for m in sent] == [
            ("(erased)", "(erased)", "sent", 2),
            ("(erased)", "(erased)", "failed", 2),
        ]

    listed = shop.manager.get("/api/v1/members", params={"q": "mei"}).json()
    assert listed["items"] == []
    trail = shop.manager.get(f"/api/v1/members/{member}/audit").json()["items"]
    assert trail[0]["action"] == "member.erased"
    assert trail[0]["details"]["reason"] == body["reason"]
    assert trail[0]["staff"]["code"] == "9001"

    again = admin.post(f"/api/v1/members/{member}/erase", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "member_erased"
    # Not retired: the same number signs up again as someone new.
    anew = shop.manager.post("/api/v1/members", json={"phone": "0911000001"})
    assert anew.status_code == 201, anew.text
    assert anew.json()["id"] != member


def test_erasing_a_primary_erases_its_merged_accounts_and_frees_their_identifiers(
    shop: Shop,
) -> None:
    admin = shop.admin
    primary, older, with_line = three_accounts(shop)
    body = {"primary_id": primary, "member_ids": [older, with_line]}
    shown = preview(admin, **body).json()
    assert merge(admin, **body, preview_id=shown["preview_id"]).status_code == 200

    done = admin.post(f"/api/v1/members/{primary}/erase", json={"reason": "request"})
    assert done.status_code == 200, done.text
    merged = shop.manager.get(f"/api/v1/members/{older}").json()
    assert merged["name"] is None
    assert merged["phone_masked"] is None
    assert shop.staff.search(phone="0911000002")["merged_into"] is None
    anew = shop.manager.post("/api/v1/members", json={"phone": "0911000002"})
    assert anew.status_code == 201, anew.text
    refused = admin.post(f"/api/v1/members/{older}/erase", json={"reason": "request"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "member_merged"
