""" "Bind now" and "Can't scan? Try SMS invitation" at the counter; referrals bound once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from omo_backend.customers import service as customers
from omo_backend.models import BindingSession, Customer, Referral, utcnow
from tests.support.backend import Counter, LiveBackend, Phone


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store()
    backend.add_staff()
    return backend.counter()


def test_bind_now_gives_a_qr_link_that_the_counter_sees_scanned(
    backend: LiveBackend, counter: Counter
):
    member_id = backend.add_member()
    created = counter.post("/api/v1/bindings", json={"customer_id": member_id})
    assert created.status_code == 201, created.text
    binding = created.json()
    assert binding["status"] == "pending"
    assert binding["qr_url"].startswith(backend.url("/b/"))
    assert binding["phone_masked"] == "+886 9•••••678"
    assert binding["customer_name"] == "Mei", "the counter names whom it binds"
    # The link lives only in the reply that made it: tokens are kept hashed.
    again = counter.get(f"/api/v1/bindings/{binding['id']}").json()
    assert again["qr_url"] is None

    page = Phone(backend).open(binding["qr_url"])
    assert page.status_code == 200
    assert (
        counter.get(f"/api/v1/bindings/{binding['id']}", params={"wait": 5}).json()["status"]
        == "scanned"
    )


def test_only_members_can_be_bound(backend: LiveBackend, counter: Counter):
    order = counter.post("/api/v1/orders", json={"phone": "0955666777", "amount": 100}).json()
    refused = counter.post("/api/v1/bindings", json={"customer_id": order["customer_id"]})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_member"
    missing = counter.post("/api/v1/bindings", json={"customer_id": 999999})
    assert missing.status_code == 404


def test_cant_scan_sends_one_sms_per_tap(backend: LiveBackend, counter: Counter):
    member_id = backend.add_member()
    binding = counter.post("/api/v1/bindings", json={"customer_id": member_id}).json()
    path = f"/api/v1/bindings/{binding['id']}/sms"
    first = counter.post(path, headers={"Idempotency-Key": "tap-9"})
    second = counter.post(path, headers={"Idempotency-Key": "tap-9"})
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json()["sms_sent"] is True
    [message] = backend.messages_to("+886912345678")
    link = message["links"][0]
    assert link.startswith(backend.url("/b/"))
    assert Phone(backend).open(link).status_code == 200


def test_a_cancelled_or_expired_binding_link_is_refused(backend: LiveBackend, counter: Counter):
    member_id = backend.add_member()
    one = counter.post("/api/v1/bindings", json={"customer_id": member_id}).json()
    assert counter.post(f"/api/v1/bindings/{one['id']}/cancel").json()["status"] == "cancelled"
    assert Phone(backend).open(one["qr_url"]).status_code == 410
    sms = counter.post(f"/api/v1/bindings/{one['id']}/sms")
    assert sms.status_code == 409

    two = counter.post("/api/v1/bindings", json={"customer_id": member_id}).json()
    with backend.db.transaction() as session:
        session.execute(
            update(BindingSession)
            .where(BindingSession.id == two["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert counter.get(f"/api/v1/bindings/{two['id']}").json()["status"] == "expired"
    assert Phone(backend).open(two["qr_url"]).status_code == 410


def test_a_referral_once_bound_never_changes(backend: LiveBackend):
    first_store = backend.add_store("TPE01")
    second_store = backend.add_store("TXG01", "台中店")
    member_id = backend.add_member()
    with backend.db.transaction() as session:
        member = session.get_one(Customer, member_id)
        customers.bind_referral_once(
            session=session,
            customer=member,
            store_id=first_store,
            staff_id=None,
            device_id=None,
            via="binding",
        )
    with backend.db.transaction() as session:
        member = session.get_one(Customer, member_id)
        kept = customers.bind_referral_once(
            session=session,
            customer=member,
            store_id=second_store,
            staff_id=None,
            device_id=None,
            via="binding",
        )
        assert kept.store_id == first_store
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Referral, member_id).store_id == first_store
