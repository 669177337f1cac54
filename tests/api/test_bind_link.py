"""The member opens the bind link on a phone and (in demo mode) confirms: the referral is bound."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from omo_backend.models import Customer, Referral
from tests.support.backend import Counter, LiveBackend, Phone, latest_link

E164 = "+886912345678"


@pytest.fixture
def member_id(backend: LiveBackend) -> int:
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "2001", "Ben")
    with backend.db.transaction() as session:
        member = Customer(name="Mei", name_search="mei", phone=E164, is_member=True)
        session.add(member)
        session.flush()
        return member.id


def bind_now(counter: Counter, member_id: int) -> dict[str, Any]:
    created = counter.post("/api/v1/bindings", json={"customer_id": member_id})
    assert created.status_code == 201, created.text
    binding: dict[str, Any] = created.json()
    return binding


def watch(counter: Counter, binding_id: int, known_status: str) -> dict[str, Any]:
    reply = counter.get(
        f"/api/v1/bindings/{binding_id}", params={"wait": 10, "known_status": known_status}
    )
    assert reply.status_code == 200, reply.text
    binding: dict[str, Any] = reply.json()
    return binding


def confirm_action(page: requests.Response) -> str:
    found = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert found, "the page offers no confirm form"
    return found[1]


def confirm_while_counter_waits(
    backend: LiveBackend, counter: Counter, binding_id: int, phone: Phone, page: requests.Response
) -> tuple[requests.Response, dict[str, Any]]:
    """The phone confirms ``page``'s form while the counter's long-poll waits on "scanned"."""
    action = confirm_action(page)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(watch, counter, binding_id, "scanned")
        backend.wait_until_waiting(1)
        done = phone.submit(action)
        return done, waiting.result(timeout=20)


@pytest.mark.settings(dev_mode=True)
def test_the_member_confirms_on_the_phone_and_the_store_becomes_the_referral(
    backend: LiveBackend, member_id: int
):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    assert binding["referral"] is None

    phone = Phone(backend)
    page = phone.open(binding["qr_url"])
    assert page.status_code == 200
    assert "Confirm binding (demo)" in page.text
    assert "<script" not in page.text
    assert confirm_action(page) == binding["qr_url"].removeprefix(backend.base_url) + "/confirm"
    assert watch(counter, binding["id"], "pending")["status"] == "scanned"

    done, seen = confirm_while_counter_waits(backend, counter, binding["id"], phone, page)
    assert done.status_code == 200
    assert "Your membership is now linked to 台北總店" in done.text
    assert seen["status"] == "completed"
    referral = seen["referral"]
    assert referral["store"]["code"] == "TPE01"
    assert referral["staff"]["code"] == "1001"
    assert referral["staff"]["name"] == "Amy"
    assert referral["via"] == "qr"
    assert referral["bound_at"]

    [found] = counter.search(phone="0912 345 678")["items"]
    assert found["referral"] == referral

    # The link is used now: opening or confirming again is refused with a clear page.
    reopened = Phone(backend).open(binding["qr_url"])
    assert reopened.status_code == 410
    assert "used already" in reopened.text
    again = phone.submit(confirm_action(page))
    assert again.status_code == 410
    assert counter.get(f"/api/v1/bindings/{binding['id']}").json() == seen


@pytest.mark.settings(dev_mode=True)
def test_a_second_binding_elsewhere_completes_but_the_first_referral_stays(
    backend: LiveBackend, member_id: int
):
    taipei = backend.counter("TPE01", "1001")
    first = bind_now(taipei, member_id)
    phone = Phone(backend)
    assert phone.submit(confirm_action(phone.open(first["qr_url"]))).status_code == 200
    kept = taipei.get(f"/api/v1/bindings/{first['id']}").json()["referral"]

    taichung = backend.counter("TXG01", "2001")
    second = bind_now(taichung, member_id)
    assert second["referral"] == kept
    page = phone.open(second["qr_url"])
    done, seen = confirm_while_counter_waits(backend, taichung, second["id"], phone, page)
    assert done.status_code == 200
    assert seen["status"] == "completed"
    assert seen["referral"] == kept
    assert seen["referral"]["store"]["code"] == "TPE01"
    assert seen["referral"]["staff"]["code"] == "1001"
    [found] = taichung.search(phone="0912345678")["items"]
    assert found["referral"] == kept
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1


@pytest.mark.settings(dev_mode=True)
def test_the_sms_link_of_a_binding_is_confirmed_the_same_way(backend: LiveBackend, member_id: int):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    sms = counter.post(f"/api/v1/bindings/{binding['id']}/sms", headers={"Idempotency-Key": "k1"})
    assert sms.status_code == 200, sms.text

    phone = Phone(backend, accept_language="zh-TW")
    page = phone.open(latest_link(backend, E164))
    assert page.status_code == 200
    assert "確認綁定（示範）" in page.text
    assert watch(counter, binding["id"], "pending")["status"] == "scanned"

    done, seen = confirm_while_counter_waits(backend, counter, binding["id"], phone, page)
    assert done.status_code == 200
    assert "您的會員已綁定至 台北總店" in done.text
    assert seen["status"] == "completed"
    assert seen["referral"]["store"]["code"] == "TPE01"
    assert seen["referral"]["via"] == "sms"
    # One binding, two links: both are used now.
    assert Phone(backend).open(binding["qr_url"]).status_code == 410


@pytest.mark.settings(dev_mode=True)
def test_a_cancelled_binding_cannot_be_confirmed(backend: LiveBackend, member_id: int):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    phone = Phone(backend)
    action = confirm_action(phone.open(binding["qr_url"]))
    assert counter.post(f"/api/v1/bindings/{binding['id']}/cancel").status_code == 200

    refused = phone.submit(action)
    assert refused.status_code == 410
    assert "expired" in refused.text
    assert counter.get(f"/api/v1/bindings/{binding['id']}").json()["referral"] is None


@pytest.mark.settings(dev_mode=True)
def test_confirming_twice_at_once_completes_once(backend: LiveBackend, member_id: int):
    taipei = backend.counter("TPE01", "1001")
    taichung = backend.counter("TXG01", "2001")
    one = bind_now(taipei, member_id)
    two = bind_now(taichung, member_id)
    actions = [confirm_action(Phone(backend).open(b["qr_url"])) for b in (one, two)]

    # The same link tapped twice, and another store's link, all at the same moment.
    with ThreadPoolExecutor(3) as pool:
        replies = list(
            pool.map(
                lambda path: requests.post(backend.url(path), timeout=20),
                [actions[0], actions[0], actions[1]],
            )
        )
    assert sorted(r.status_code for r in replies[:2]) == [200, 410]
    assert replies[2].status_code == 200
    first = taipei.get(f"/api/v1/bindings/{one['id']}").json()
    second = taichung.get(f"/api/v1/bindings/{two['id']}").json()
    assert first["status"] == second["status"] == "completed"
    assert first["referral"] == second["referral"]
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1


@pytest.mark.settings(dev_mode=False)
def test_outside_demo_mode_the_page_stays_a_placeholder(backend: LiveBackend, member_id: int):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    page = Phone(backend).open(binding["qr_url"])
    assert page.status_code == 200
    assert "not available yet" in page.text
    assert "<form" not in page.text
    assert watch(counter, binding["id"], "pending")["status"] == "scanned"

    refused = requests.post(binding["qr_url"] + "/confirm", timeout=10)
    assert refused.status_code == 404
    assert "<html" in refused.text
    after = counter.get(f"/api/v1/bindings/{binding['id']}").json()
    assert after["status"] == "scanned"
    assert after["referral"] is None
