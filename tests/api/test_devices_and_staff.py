"""Enrolling a counter device and staff logging in on it."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import select, update

from omo_backend.models import Device, Staff, StaffSession, utcnow
from tests.support.backend import LiveBackend


def enroll(backend: LiveBackend, code: str, name: str = "Counter 1") -> requests.Response:
    return requests.post(
        backend.url("/api/v1/devices/enroll"),
        json={"enrollment_code": code, "device_name": name},
        timeout=10,
    )


def login(backend: LiveBackend, device_token: str, code: str, pin: str) -> requests.Response:
    return requests.post(
        backend.url("/api/v1/staff/login"),
        json={"staff_code": code, "pin": pin},
        headers={"Authorization": f"Bearer {device_token}"},
        timeout=10,
    )


def test_an_enrollment_code_enrolls_one_device_only(backend: LiveBackend):
    backend.add_store()
    code = backend.enrollment_code()

    # Typed by hand: lower case and without the dash still works.
    first = enroll(backend, code.lower().replace("-", ""))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["store"]["code"] == "TPE01"
    assert len(body["device_token"]) >= 40

    second = enroll(backend, code, "Counter 2")
    assert second.status_code == 422
    assert second.json()["error"]["code"] == "invalid_enrollment_code"


def test_device_token_only_logs_staff_in(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    device_token = backend.enroll()
    search = requests.get(
        backend.url("/api/v1/customers/search"),
        params={"phone": "0912345678"},
        headers={"Authorization": f"Bearer {device_token}"},
        timeout=10,
    )
    assert search.status_code == 401
    assert search.json()["error"]["code"] == "invalid_session"


def test_five_wrong_pins_lock_the_staff_code(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="1001", pin="123456")
    device = backend.enroll()

    lefts = []
    for _ in range(4):
        wrong = login(backend, device, "1001", "000000")
        assert wrong.status_code == 401
        lefts.append(wrong.json()["error"]["details"]["attempts_left"])
    assert lefts == [4, 3, 2, 1]

    fifth = login(backend, device, "1001", "000000")
    assert fifth.status_code == 403
    assert fifth.json()["error"]["code"] == "staff_locked"
    assert int(fifth.headers["Retry-After"]) > 60

    # Even the right PIN is refused while locked.
    right = login(backend, device, "1001", "123456")
    assert right.status_code == 403
    assert right.json()["error"]["code"] == "staff_locked"


def test_a_right_pin_resets_the_count(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="1001", pin="123456")
    device = backend.enroll()
    for _ in range(4):
        assert login(backend, device, "1001", "999999").status_code == 401
    assert login(backend, device, "1001", "123456").status_code == 200
    again = login(backend, device, "1001", "999999")
    assert again.json()["error"]["details"]["attempts_left"] == 4


def test_staff_of_another_store_cannot_log_in_on_this_device(backend: LiveBackend):
    backend.add_store("TPE01")
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "3001", pin="444444")
    device = backend.enroll("TPE01")
    refused = login(backend, device, "3001", "444444")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_credentials"


def test_logout_ends_the_session(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    assert counter.get("/api/v1/customers/search", params={"phone": "0912345678"}).ok
    assert counter.post("/api/v1/staff/logout").status_code == 204
    after = counter.get("/api/v1/customers/search", params={"phone": "0912345678"})
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "session_ended"


def test_a_session_expires(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    with backend.db.transaction() as session:
        session.execute(update(StaffSession).values(expires_at=utcnow()))
    expired = counter.get("/api/v1/customers/search", params={"phone": "0912345678"})
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "session_expired"


def test_an_idle_session_ends(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    counter = backend.counter()
    with backend.db.transaction() as session:
        session.execute(update(StaffSession).values(last_used_at=utcnow() - timedelta(minutes=16)))
    idle = counter.get("/api/v1/customers/search", params={"phone": "0912345678"})
    assert idle.status_code == 401
    assert idle.json()["error"]["code"] == "session_idle"


def test_tokens_are_stored_hashed(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    device_token = backend.enroll()
    session_token = backend.login(device_token)
    with backend.db.transaction(write=False) as session:
        stored = [*session.scalars(select(Device.token_hash))]
        stored += [*session.scalars(select(StaffSession.token_hash))]
        pins = [*session.scalars(select(Staff.pin_hash))]
    assert device_token not in stored
    assert session_token not in stored
    assert all(len(h) == 64 for h in stored)
    assert all(p.startswith("$argon2") for p in pins)


def test_a_401_says_how_to_authenticate(backend: LiveBackend):
    reply = requests.get(backend.url("/api/v1/customers/search?phone=0912345678"), timeout=10)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
