"""Enrolling a counter device, staff logging in on it, PIN locks, and a manager revoking
devices and deactivating staff."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from backend_client.schemas import Role
from omo_backend import security
from omo_backend.errors import ValidationFailed
from omo_backend.models import AuditEvent, Device, PinGuard, Staff, StaffSession, utcnow
from tests.support.backend import Counter, DatabaseFactory, LiveBackend, live_backend


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

    for _ in range(4):
        wrong = login(backend, device, "1001", "000000")
        assert wrong.status_code == 401
        assert wrong.json()["error"]["details"] == {}, "no count that would name a real code"

    fifth = login(backend, device, "1001", "000000")
    assert fifth.status_code == 403
    assert fifth.json()["error"]["code"] == "staff_locked"
    assert 900 < int(fifth.headers["Retry-After"]) <= 901

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
    for _ in range(4):
        assert login(backend, device, "1001", "999999").status_code == 401
    assert login(backend, device, "1001", "999999").status_code == 403


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


# --- staff codes cannot be enumerated (issue 10, finding 6) ---------------------------------


def test_an_unknown_code_gets_the_same_reply_after_the_same_work(
    backend: LiveBackend, monkeypatch: pytest.MonkeyPatch
):
    backend.add_store()
    backend.add_staff(code="1001", pin="123456")
    backend.add_staff(code="1002", pin="222222", name="Ben")
    device = backend.enroll()
    with backend.db.transaction() as session:
        session.execute(update(Staff).where(Staff.code == "1002").values(active=False))
        real_hash = session.scalar(select(Staff.pin_hash).where(Staff.code == "1001"))
    assert real_hash is not None

    verified: list[str] = []
    real_verify = security.verify_secret

    def counting_verify(secret_hash: str, secret: str) -> bool:
        verified.append(secret_hash)
        return real_verify(secret_hash, secret)

    monkeypatch.setattr(security, "verify_secret", counting_verify)
    replies = {
        "known code, wrong PIN": login(backend, device, "1001", "000000"),
        "unknown code": login(backend, device, "9999", "000000"),
        "deactivated code": login(backend, device, "1002", "222222"),
    }
    bodies = {
        what: (r.status_code, r.json(), r.headers.get("WWW-Authenticate"))
        for what, r in replies.items()
    }
    assert len(set(map(repr, bodies.values()))) == 1, bodies
    assert replies["unknown code"].json()["error"] == {
        "code": "invalid_credentials",
        "message": "Wrong staff code or PIN.",
        "details": {},
    }
    # One argon2 verification each, all with the parameters of a real PIN's hash.
    assert len(verified) == 3
    params = {h.rsplit("$", 2)[0] for h in verified}
    assert params == {real_hash.rsplit("$", 2)[0]}


def test_an_unknown_code_locks_like_a_known_one(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="1001", pin="123456")
    device = backend.enroll()

    def five_wrong(code: str) -> list[tuple[int, str, str | None]]:
        replies = [login(backend, device, code, "000000") for _ in range(5)]
        return [
            (r.status_code, r.json()["error"]["code"], r.headers.get("Retry-After"))
            for r in replies
        ]

    known, unknown = five_wrong("1001"), five_wrong("9999")
    assert [k[:2] for k in known] == [k[:2] for k in unknown]
    assert known[-1][:2] == (403, "staff_locked")
    assert abs(int(known[-1][2] or 0) - int(unknown[-1][2] or 0)) <= 1


# --- PINs: 6 digits, progressive locks, a day's limit (issue 10, finding 7) ----------------


@pytest.mark.parametrize("pin", ["1234", "12345", "１２３４５６", "12345a", "1234567890123"])
def test_a_new_pin_is_six_to_twelve_digits(backend: LiveBackend, pin: str):
    backend.add_store()
    with pytest.raises(ValidationFailed) as refused:
        backend.add_staff(code="1001", pin=pin)
    assert refused.value.code == "invalid_pin"
    backend.add_staff(code="1001", pin="123456")
    backend.add_staff(code="1002", pin="123456789012")


def test_a_four_digit_pin_stored_before_still_logs_in(backend: LiveBackend):
    store_id = backend.add_store()
    with backend.db.transaction() as session:
        session.add(
            Staff(store_id=store_id, code="1001", name="Amy", pin_hash=security.hash_pin("1234"))
        )
    device = backend.enroll()
    assert login(backend, device, "1001", "1234").status_code == 200


def lock_runs_out(backend: LiveBackend, code: str = "1001") -> None:
    """The clock moves past the lock: the lock is set to have ended a second ago."""
    with backend.db.transaction() as session:
        session.execute(
            update(PinGuard)
            .where(PinGuard.code == code)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )


def wrong_pins(backend: LiveBackend, device: str, times: int) -> requests.Response:
    """``times`` wrong PINs for 1001: all but the last refused as wrong; the last returned."""
    for _ in range(times - 1):
        assert login(backend, device, "1001", "000000").status_code == 401
    return login(backend, device, "1001", "000000")


def test_each_lock_of_a_day_is_longer_and_twenty_wrong_pins_wait_for_a_manager(
    backend: LiveBackend,
):
    backend.add_store()
    amy = backend.add_staff(code="1001", pin="123456")
    backend.add_staff(code="1009", pin="999999", name="Max", role=Role.MANAGER)
    device = backend.enroll()

    waits = []
    for _ in range(3):
        locked = wrong_pins(backend, device, 5)
        assert locked.status_code == 403
        assert locked.json()["error"]["code"] == "staff_locked"
        waits.append(int(locked.headers["Retry-After"]))
        lock_runs_out(backend)
    assert [round(w, -2) for w in waits] == [900, 1800, 3600]

    # The 20th wrong PIN of the day: no lock running out lifts this one.
    twentieth = wrong_pins(backend, device, 5)
    assert twentieth.status_code == 403
    error = twentieth.json()["error"]
    assert error["code"] == "staff_locked_until_unlocked"
    assert "Retry-After" not in twentieth.headers
    assert "retry_after" not in error["details"]
    with backend.db.transaction() as session:
        session.execute(
            update(PinGuard)
            .where(PinGuard.code == "1001")
            .values(day_started_at=utcnow() - timedelta(days=3))
        )
    right = login(backend, device, "1001", "123456")
    assert right.status_code == 403
    assert right.json()["error"]["code"] == "staff_locked_until_unlocked"

    manager = backend.counter(staff_code="1009", pin="999999")
    listed = manager.get("/api/v1/staff").json()["items"]
    assert [(s["code"], s["unlock_required"]) for s in listed] == [("1001", True), ("1009", False)]
    unlocked = manager.post(f"/api/v1/staff/{amy}/unlock")
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json()["unlock_required"] is False
    assert login(backend, device, "1001", "123456").status_code == 200
    # And the day starts over: five more wrong PINs are a first, short lock again.
    assert 900 < int(wrong_pins(backend, device, 5).headers["Retry-After"]) <= 901
    assert audit_actions(backend, "staff.unlocked") == [(amy, "staff")]


def test_the_day_tally_starts_over_after_a_day(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="1001", pin="123456")
    device = backend.enroll()
    for _ in range(3):
        assert wrong_pins(backend, device, 5).status_code == 403
        lock_runs_out(backend)
    assert wrong_pins(backend, device, 4).status_code == 401  # 19 today
    with backend.db.transaction() as session:
        session.execute(
            update(PinGuard)
            .where(PinGuard.code == "1001")
            .values(day_started_at=utcnow() - timedelta(hours=24, seconds=1))
        )
    # The 20th wrong PIN falls on a new day: the fifth of its round, a first lock of the day.
    fifth = login(backend, device, "1001", "000000")
    assert fifth.json()["error"]["code"] == "staff_locked"
    assert 900 < int(fifth.headers["Retry-After"]) <= 901


def audit_actions(backend: LiveBackend, action: str) -> list[tuple[int | None, str | None]]:
    with backend.db.transaction(write=False) as session:
        rows = session.execute(
            select(AuditEvent.subject_id, AuditEvent.subject_type)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(r.subject_id, r.subject_type) for r in rows]


# --- devices revoked, staff deactivated (issue 10, finding 8) -------------------------------


def two_counters(backend: LiveBackend) -> tuple[Counter, Counter, int, int]:
    """Max (manager) on counter 1 and Ben (staff) on counter 2 of TPE01: Ben's device and id."""
    backend.add_store()
    backend.add_staff(code="1009", pin="999999", name="Max", role=Role.MANAGER)
    ben = backend.add_staff(code="1002", pin="222222", name="Ben")
    manager = backend.counter(staff_code="1009", pin="999999")
    ben_device = backend.enroll(name="Counter 2")
    ben_counter = Counter(backend, backend.login(ben_device, "1002", "222222"))
    with backend.db.transaction(write=False) as session:
        device_id = session.scalar(select(Device.id).where(Device.name == "Counter 2"))
    assert device_id is not None
    # Ben's session is in the server's session cache now.
    assert ben_counter.get("/api/v1/customers/search", params={"phone": "0912345678"}).ok
    return manager, ben_counter, device_id, ben


@pytest.mark.settings(auth_cache_seconds=600)
def test_a_manager_revokes_a_lost_counter_and_its_sessions_end_at_once(backend: LiveBackend):
    manager, ben, ben_device_id, _ = two_counters(backend)
    backend.add_store("TXG01", "台中店")
    backend.enroll("TXG01", name="Taichung 1")

    listed = manager.get("/api/v1/devices").json()["items"]
    assert [d["name"] for d in listed] == ["Counter 1", "Counter 2"], "own store only"
    revoked = manager.post(f"/api/v1/devices/{ben_device_id}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None

    # Refused at once, though this process had the session cached for 10 minutes.
    after = ben.get("/api/v1/customers/search", params={"phone": "0912345678"})
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "device_revoked"
    with backend.db.transaction(write=False) as session:
        ended = session.execute(
            select(StaffSession.ended_at, StaffSession.end_reason).where(
                StaffSession.device_id == ben_device_id
            )
        ).one()
    assert ended.ended_at is not None
    assert ended.end_reason == "device_revoked"
    assert audit_actions(backend, "device.revoked") == [(ben_device_id, "device")]
    # Revoking twice changes nothing more.
    assert manager.post(f"/api/v1/devices/{ben_device_id}/revoke").status_code == 200
    assert audit_actions(backend, "device.revoked") == [(ben_device_id, "device")]


def test_a_revoked_device_token_logs_nobody_in(backend: LiveBackend):
    manager, *_ = two_counters(backend)
    device_token = backend.enroll(name="Counter 3")
    with backend.db.transaction(write=False) as session:
        third = session.scalar(select(Device.id).where(Device.name == "Counter 3"))
    assert manager.post(f"/api/v1/devices/{third}/revoke").status_code == 200
    refused = login(backend, device_token, "1002", "222222")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_device_token"


@pytest.mark.settings(auth_cache_seconds=600)
def test_a_manager_deactivates_a_staff_member(backend: LiveBackend):
    manager, ben, _, ben_id = two_counters(backend)
    deactivated = manager.post(f"/api/v1/staff/{ben_id}/deactivate")
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False

    after = ben.get("/api/v1/customers/search", params={"phone": "0912345678"})
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "staff_deactivated"
    again = login(backend, backend.enroll(), "1002", "222222")
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "invalid_credentials"
    listed = {s["code"]: s["active"] for s in manager.get("/api/v1/staff").json()["items"]}
    assert listed == {"1002": False, "1009": True}
    assert audit_actions(backend, "staff.deactivated") == [(ben_id, "staff")]


def test_a_manager_keeps_their_own_device_and_account(backend: LiveBackend):
    manager, _, _, _ = two_counters(backend)
    with backend.db.transaction(write=False) as session:
        own_device = session.scalar(select(Device.id).where(Device.name == "Counter 1"))
        own_id = session.scalar(select(Staff.id).where(Staff.code == "1009"))
    device = manager.post(f"/api/v1/devices/{own_device}/revoke")
    assert (device.status_code, device.json()["error"]["code"]) == (409, "own_device")
    account = manager.post(f"/api/v1/staff/{own_id}/deactivate")
    assert (account.status_code, account.json()["error"]["code"]) == (409, "own_account")
    assert manager.get("/api/v1/staff").ok, "still logged in"


def test_only_a_manager_of_the_store_manages_its_devices_and_staff(backend: LiveBackend):
    manager, ben, ben_device_id, ben_id = two_counters(backend)
    backend.add_store("TXG01", "台中店")
    other_staff = backend.add_staff("TXG01", "3001", pin="444444")
    backend.enroll("TXG01", name="Taichung 1")
    with backend.db.transaction(write=False) as session:
        other_device = session.scalar(select(Device.id).where(Device.name == "Taichung 1"))

    # Counter staff: 403 before anything else, even for an id that does not exist.
    for method, path in [
        ("GET", "/api/v1/devices"),
        ("GET", "/api/v1/staff"),
        ("POST", f"/api/v1/devices/{ben_device_id}/revoke"),
        ("POST", "/api/v1/devices/7654321/revoke"),
        ("POST", f"/api/v1/staff/{ben_id}/deactivate"),
        ("POST", f"/api/v1/staff/{ben_id}/unlock"),
    ]:
        reply = ben.http.request(method, backend.url(path), timeout=10)
        assert reply.status_code == 403, path
        assert reply.json()["error"]["code"] == "forbidden", path

    # Another store's ids are as unknown as missing ones.
    for path, code in [
        (f"/api/v1/devices/{other_device}/revoke", "device_not_found"),
        ("/api/v1/devices/7654321/revoke", "device_not_found"),
        (f"/api/v1/staff/{other_staff}/deactivate", "staff_not_found"),
        (f"/api/v1/staff/{other_staff}/unlock", "staff_not_found"),
        ("/api/v1/staff/7654321/unlock", "staff_not_found"),
    ]:
        reply = manager.post(path)
        assert (reply.status_code, reply.json()["error"]["code"]) == (404, code), path
    too_big = manager.post(f"/api/v1/devices/{2**63}/revoke")
    assert too_big.status_code == 422
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Device, other_device).revoked_at is None
        assert session.get_one(Staff, other_staff).active


def test_another_process_refuses_a_revoked_session_within_its_cache_time(
    backend: LiveBackend, db_factory: DatabaseFactory
):
    """A second API process on the same database, its cache holding Ben's session."""
    manager, *_ = two_counters(backend)
    with live_backend(
        db_factory, database_url=backend.settings.database_url, auth_cache_seconds=1.0
    ) as other:
        ben = Counter(other, backend.login(backend.enroll(name="Counter 4"), "1002", "222222"))
        assert ben.get("/api/v1/customers/search", params={"phone": "0912345678"}).ok
        with backend.db.transaction(write=False) as session:
            fourth = session.scalar(select(Device.id).where(Device.name == "Counter 4"))
        assert manager.post(f"/api/v1/devices/{fourth}/revoke").status_code == 200
        deadline = time.monotonic() + 10
        while (after := ben.get("/api/v1/customers/search", params={"phone": "0912345678"})).ok:
            assert time.monotonic() < deadline, "the other process never refused the session"
            time.sleep(0.05)
        assert after.json()["error"]["code"] == "device_revoked"
