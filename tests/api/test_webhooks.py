"""Webhooks (issue 14): an admin registers an endpoint; each member event, caused by the real
operation, reaches a real local receiver signed and within the replay window; failures are
retried with backoff and given up after the set number of tries; every try is in the
endpoint's delivery log. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from backend_client.schemas import Role
from omo_backend import security
from omo_backend.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.api.test_bind_sign_in import PASSWORD, bind_now, confirm, sign_in
from tests.api.test_counter_flow import wait_for_status
from tests.support.backend import Counter, LiveBackend, Phone, register_on_phone
from tests.support.directory import Shop, shop
from tests.support.webhook_receiver import Receiver, webhook_receiver

__all__ = ["shop"]

ALL_EVENTS = [
    "member.created",
    "member.registered",
    "member.bound",
    "member.merged",
    "member.erased",
]
FAST_RETRIES = pytest.mark.settings(
    webhook_poll_seconds=0.05, webhook_backoff_base_seconds=0.05, webhook_max_attempts=3
)


def register(admin: Counter, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
    reply = admin.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": events or ALL_EVENTS}
    )
    assert reply.status_code == 201, reply.text
    endpoint: dict[str, Any] = reply.json()
    receiver.secret = endpoint["secret"]
    return endpoint


def log(admin: Counter, endpoint_id: int) -> list[dict[str, Any]]:
    reply = admin.get(f"/api/v1/webhooks/{endpoint_id}/deliveries")
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def wait_for_log(
    admin: Counter, endpoint_id: int, status: str, count: int = 1
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        items = log(admin, endpoint_id)
        if sum(i["status"] == status for i in items) >= count:
            return items
        time.sleep(0.05)
    raise AssertionError(f"the log never showed {count} {status}: {items}")


def test_each_member_event_reaches_the_receiver_signed_by_its_real_operation(shop: Shop):
    backend, admin = shop.backend, shop.admin
    with webhook_receiver() as receiver:
        endpoint = register(admin, receiver)

        # member.created: a manager adds a member by hand.
        added = shop.manager.post("/api/v1/members", json={"name": "林", "phone": "0955 666 777"})
        assert added.status_code == 201, added.text
        created_id = added.json()["id"]

        # member.registered: the counter invites, the customer signs up on the phone.
        invited = shop.staff.invite("0912 345 678")
        assert invited.status_code == 201, invited.text
        wait_for_status(shop.staff, invited.json()["id"], "sent")
        register_on_phone(backend, "+886912345678")

        # member.bound: a member binds at the counter through the QR code.
        bound_id = backend.add_member(
            "+886922000111", name="Mei", password_hash=security.hash_secret(PASSWORD)
        )
        binding = bind_now(shop.staff, bound_id)
        phone = Phone(backend)
        phone.open(binding["qr_url"])
        assert sign_in(phone, identifier="0922 000 111").status_code == 200
        assert confirm(phone, name="Mei").status_code == 200

        # member.merged: the admin merges a duplicate into the hand-added member.
        duplicate = backend.add_member("+886933000222", name="林 2")
        body = {"primary_id": created_id, "member_ids": [duplicate]}
        shown = admin.post("/api/v1/members/merge/preview", json=body)
        assert shown.status_code == 200, shown.text
        merged = admin.post(
            "/api/v1/members/merge", json=body | {"preview_id": shown.json()["preview_id"]}
        )
        assert merged.status_code == 200, merged.text

        # member.erased: the admin erases the bound member on request.
        erased = admin.post(f"/api/v1/members/{bound_id}/erase", json={"reason": "asked"})
        assert erased.status_code == 200, erased.text

        got = receiver.wait_for(5)
        assert all(d.signed and d.answered == 200 for d in got)
        by_event = {d.headers["omo-event"]: d for d in got}
        assert sorted(by_event) == sorted(ALL_EVENTS)
        registered_id = (
            backend.messages_to("+886912345678")
            and by_event["member.registered"].json["data"]["member_id"]
        )
        assert by_event["member.created"].json["data"] == {
            "member_id": created_id,
            "source": "manual",
        }
        referral = by_event["member.registered"].json["data"]["referral"]
        assert (referral["store_code"], referral["staff_code"]) == ("TPE01", "1001")
        assert registered_id not in (created_id, bound_id)
        bound = by_event["member.bound"].json["data"]
        assert (bound["member_id"], bound["store_code"]) == (bound_id, "TPE01")
        assert bound["referral"]["via"] == "qr"
        assert by_event["member.merged"].json["data"] == {
            "member_id": created_id,
            "merged_ids": [duplicate],
        }
        assert by_event["member.erased"].json["data"]["member_id"] == bound_id
        for delivery in got:
            event = delivery.json
            assert event["type"] == delivery.headers["omo-event"]
            assert delivery.headers["content-type"].startswith("application/json")
            # Ids, never personal data.
            for personal in ("912345678", "955666777", "林", "Mei"):
                assert personal not in delivery.body.decode()

        items = wait_for_log(admin, endpoint["id"], "delivered", 5)
        assert [i["event"] for i in items] == list(reversed([d.json["type"] for d in got]))
        for item in items:
            assert (item["status"], item["attempts"], item["last_status_code"]) == (
                "delivered",
                1,
                200,
            )
            assert item["next_attempt_at"] is None
        ids = {d.headers["omo-delivery-id"] for d in got}
        assert ids == {str(i["id"]) for i in items}


@FAST_RETRIES
def test_a_failing_receiver_is_retried_with_backoff_then_given_up(shop: Shop):
    admin = shop.admin
    with webhook_receiver() as receiver:
        endpoint = register(admin, receiver, ["member.created"])
        receiver.answers = [500, 503]
        assert (
            shop.manager.post("/api/v1/members", json={"phone": "0955 666 777"}).status_code == 201
        )
        tries = receiver.wait_for(3)
        assert [t.answered for t in tries] == [500, 503, 200]
        # One delivery, retried: the same delivery id, event id and body each time.
        assert len({t.headers["omo-delivery-id"] for t in tries}) == 1
        assert len({t.body for t in tries}) == 1
        [item] = wait_for_log(admin, endpoint["id"], "delivered")
        assert (item["attempts"], item["last_status_code"]) == (3, 200)

        # A receiver that never recovers: given up after webhook_max_attempts (3) tries.
        receiver.answers = [500, 500, 500]
        assert (
            shop.manager.post("/api/v1/members", json={"phone": "0955 666 778"}).status_code == 201
        )
        items = wait_for_log(admin, endpoint["id"], "failed")
        failed = items[0]
        assert (failed["attempts"], failed["last_status_code"]) == (3, 500)
        assert failed["last_error"] == "HTTP 500"
        assert failed["next_attempt_at"] is None
        with shop.backend.db.transaction(write=False) as session:
            assert (
                session.scalar(
                    select(func.count()).where(WebhookDelivery.status.in_(("queued", "sending")))
                )
                == 0
            )
        assert len(receiver.deliveries) == 6


@FAST_RETRIES
def test_an_admin_rotates_disables_and_deletes_an_endpoint(shop: Shop):
    admin = shop.admin
    with webhook_receiver() as receiver:
        endpoint = register(admin, receiver, ["member.created"])
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        assert len(secret) >= 40
        assert endpoint["enabled"] is True
        listed = admin.get("/api/v1/webhooks")
        assert listed.status_code == 200
        assert [e["id"] for e in listed.json()] == [endpoint["id"]]
        assert secret not in listed.text
        assert secret not in admin.get(f"/api/v1/webhooks/{endpoint['id']}").text
        for other in (shop.manager, shop.staff):
            assert other.get("/api/v1/webhooks").status_code == 403
        for url in ("http://example.com/hook", "ftp://127.0.0.1/x", "https://u:p@example.com/h"):
            bad = admin.post("/api/v1/webhooks", json={"url": url, "events": ["member.created"]})
            assert bad.status_code == 422, url

        # Rotated: the receiver still holds the old secret and refuses; the retry is signed
        # anew with the new one, which the receiver then has.
        rotated = admin.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret")
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret != secret
        shop.manager.post("/api/v1/members", json={"phone": "0955 666 777"})
        [refused] = receiver.wait_for(1)
        assert refused.answered == 401
        receiver.secret = new_secret
        [item] = wait_for_log(admin, endpoint["id"], "delivered")
        assert item["attempts"] == 2

        # Disabled: no delivery for an event meanwhile.
        off = admin.http.patch(
            shop.backend.url(f"/api/v1/webhooks/{endpoint['id']}"), json={"enabled": False}
        )
        assert off.status_code == 200
        assert off.json()["enabled"] is False
        shop.manager.post("/api/v1/members", json={"phone": "0955 666 778"})
        assert len(log(admin, endpoint["id"])) == 1

        gone = admin.http.delete(shop.backend.url(f"/api/v1/webhooks/{endpoint['id']}"))
        assert gone.status_code == 204
        assert admin.get(f"/api/v1/webhooks/{endpoint['id']}").status_code == 404
        assert admin.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").status_code == 404
        with shop.backend.db.transaction(write=False) as session:
            assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
            assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
            actions = list(
                session.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.subject_type == "webhook_endpoint")
                    .order_by(AuditEvent.id)
                )
            )
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.subject_type == "webhook_endpoint")
            ):
                assert secret not in str(event.details)
                assert new_secret not in str(event.details)
                assert "token=abc" not in str(event.details)
        assert actions == [
            "webhook.created",
            "webhook.secret_rotated",
            "webhook.updated",
            "webhook.deleted",
        ]


def test_no_endpoint_means_no_deliveries(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="2001", role=Role.MANAGER)
    manager = backend.counter("TPE01", "2001")
    assert manager.post("/api/v1/members", json={"phone": "0955 666 777"}).status_code == 201
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_every_way_a_member_is_made_tells_member_created_once(shop: Shop):
    """By hand (above), by a POS order with add_as_member, by an import; a dry run tells none."""
    admin = shop.admin
    with webhook_receiver() as receiver:
        register(admin, receiver, ["member.created"])
        order = shop.manager.post(
            "/api/v1/orders",
            json={"email": "new@example.com", "amount": 1, "add_as_member": True},
            headers={"Idempotency-Key": "order-1"},
        )
        assert order.status_code == 201, order.text
        csv = (
            "Name,Mobile,Email,Birthday,Level,Member Points\n"
            "Ada,0955000001,,,,\nBo,0955000002,,,,\n"
        )
        for dry_run in ("1", "0"):
            imported = admin.post(
                "/api/v1/members/import",
                params={"mode": "create", "dry_run": dry_run},
                data=csv.encode(),
                headers={"Content-Type": "text/csv"},
            )
            assert imported.status_code == 200, imported.text
        got = receiver.wait_for(3)
        sources = sorted(d.json["data"]["source"] for d in got)
        assert sources == ["import", "import", "pos"]
        assert len({d.json["data"]["member_id"] for d in got}) == 3
        assert order.json()["customer_id"] in {d.json["data"]["member_id"] for d in got}
    with shop.backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 3
