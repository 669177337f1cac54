"""The whole counter flow through real HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.support.backend import LiveBackend, Phone, latest_link
from tests.support.page_text import visible


def wait_for_status(counter, invitation_id: int, wanted: str, deadline_s: float = 20) -> dict:
    deadline = time.monotonic() + deadline_s
    known = None
    while time.monotonic() < deadline:
        params = {"wait": 5} | ({"known_status": known} if known else {})
        body = counter.get(f"/api/v1/invitations/{invitation_id}", params=params).json()
        if body["status"] == wanted:
            return body
        known = body["status"]
    raise AssertionError(f"invitation never reached {wanted}; last {known}")


def test_new_customer_signs_up_at_the_counter_and_is_bound_to_the_store(backend: LiveBackend):
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    counter = backend.counter("TPE01", "1001")

    # Member Search: nobody has this number yet.
    assert counter.search(phone="0912 345 678") == {"items": [], "total": 0, "merged_into": None}

    # "Sign up", tapped twice in quick succession: same Idempotency-Key, one SMS.
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: counter.invite("0912 345 678", key="tap-1"), range(2))
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["id"] == second.json()["id"]
    assert {
        first.headers.get("Idempotent-Replayed"),
        second.headers.get("Idempotent-Replayed"),
    } == {None, "true"}
    invitation = first.json()
    assert invitation["phone_masked"] == "+886 9•••••678"
    assert "912345678" not in first.text

    wait_for_status(counter, invitation["id"], "sent")
    messages = backend.messages_to("+886912345678")
    assert len(messages) == 1
    assert "台北總店" in messages[0]["body"]

    # The customer taps the link; the token leaves the address bar.
    phone = Phone(backend, accept_language="en-US,en;q=0.9")
    link = latest_link(backend, "+886912345678")
    page = phone.open(link)
    assert page.status_code == 200
    assert page.url == backend.url("/r")
    assert page.history[0].status_code == 303
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "+886 9•••••678" in visible(page)
    assert wait_for_status(counter, invitation["id"], "opened")["status"] == "opened"

    # Staff taps "SMS received", then follows the registration live.
    received = counter.post(f"/api/v1/invitations/{invitation['id']}/received")
    assert received.status_code == 200

    done = phone.submit(
        "/r",
        name="林小華",
        email="hua@example.com",
        birthday="1990-05-04",
        password="s3cret-pass",
        password_confirm="s3cret-pass",
        terms="1",
        marketing="1",
    )
    assert done.status_code == 200, done.text
    assert done.url == backend.url("/r/done")
    assert "Welcome" in visible(done)

    final = wait_for_status(counter, invitation["id"], "registered")
    assert final["customer_id"] is not None

    # Member Search now finds a member, bound to the store and staff that helped.
    found = counter.search(phone="+886912345678")
    assert found["total"] == 1
    member = found["items"][0]
    assert member["is_member"] is True
    assert member["id"] == final["customer_id"]
    assert member["referral"]["store"]["code"] == "TPE01"
    assert member["referral"]["staff"]["name"] == "Amy"
    assert member["email_masked"] == "h••@e••••••.com"

    # The link is single use.
    again = Phone(backend).open(latest_link(backend, "+886912345678"))
    assert again.status_code == 410


def test_past_buyer_is_found_and_invited(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    order = counter.post(
        "/api/v1/orders", json={"name": "張志豪", "phone": "0955666777", "amount": 1280}
    )
    assert order.status_code == 201, order.text

    found = counter.search(phone="+886955666777")
    assert found["total"] == 1
    buyer = found["items"][0]
    assert buyer["is_member"] is False
    assert buyer["orders_count"] == 1
    assert buyer["referral"] is None

    invitation = counter.invite("0955666777").json()
    assert invitation["customer_id"] == buyer["id"]
    wait_for_status(counter, invitation["id"], "sent")

    phone = Phone(backend, accept_language="zh-TW")
    form = phone.open(latest_link(backend, "+886955666777"))
    assert "加入" in visible(form)
    phone.submit("/r", name="張志豪", password="abcdefgh", password_confirm="abcdefgh", terms="1")
    wait_for_status(counter, invitation["id"], "registered")

    member = counter.search(phone="0955666777")["items"][0]
    assert member["id"] == buyer["id"], "the past buyer became the member: history kept"
    assert member["is_member"] is True
    assert member["orders_count"] == 1
    assert member["referral"]["store"]["code"] == "TPE01"


def test_an_email_on_another_customers_purchases_is_explained(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    counter.post(
        "/api/v1/orders",
        json={"name": "Emily", "phone": "0966123123", "email": "emily@example.com", "amount": 560},
    )
    counter.invite("0912345678")
    phone = Phone(backend)
    link = latest_link(backend, "+886912345678")

    # A stray POST to the link itself leads to the form, not to an error.
    stray = phone.http.post(link, timeout=10)
    assert stray.status_code == 200
    assert stray.url == backend.url("/r")

    phone.open(link)
    refused = phone.submit(
        "/r",
        name="Amy",
        email="emily@example.com",
        password="password1",
        password_confirm="password1",
        terms="1",
    )
    assert refused.status_code == 409
    assert "This e-mail is on another customer" in visible(refused)
    assert 'value="emily@example.com"' in refused.text
    emily = counter.search(phone="0966123123")["items"][0]
    assert emily["is_member"] is False, "Emily's account was not taken over"


def test_a_past_buyer_known_by_email_only_keeps_their_history(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    order = counter.post(
        "/api/v1/orders", json={"name": "Emily", "email": "emily@example.com", "amount": 560}
    ).json()
    counter.invite("0912345678")
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886912345678"))
    done = phone.submit(
        "/r",
        name="Emily Tsai",
        email="Emily@example.com",
        password="password1",
        password_confirm="password1",
        terms="1",
    )
    assert done.status_code == 200
    member = counter.search(phone="0912345678")["items"][0]
    assert member["id"] == order["customer_id"]
    assert member["orders_count"] == 1
