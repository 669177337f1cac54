"""The member opens the bind link on a phone, signs in with their account, confirms their
details, and the store becomes the referral (once and for all) while the counter follows."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from omo_backend import security
from omo_backend.models import BindingSession, Customer, Referral, utcnow
from tests.support.backend import Counter, LiveBackend, Phone, latest_link
from tests.support.page_text import visible

E164 = "+886912345678"
OTHER = "+886922000111"
PASSWORD = "password1"


def add_member(backend: LiveBackend, phone: str, name: str, email: str | None = None) -> int:
    return backend.add_member(
        phone, name=name, email=email, password_hash=security.hash_secret(PASSWORD)
    )


@pytest.fixture
def member_id(backend: LiveBackend) -> int:
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    backend.add_store("TXG01", "台中店")
    backend.add_staff("TXG01", "2001", "Ben")
    add_member(backend, OTHER, "Someone else", email="other@example.com")
    return add_member(backend, E164, "Mei", email="mei@example.com")


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


def while_counter_waits(
    backend: LiveBackend,
    counter: Counter,
    binding_id: int,
    known_status: str,
    act: Callable[[], requests.Response],
) -> tuple[requests.Response, dict[str, Any]]:
    """The phone does ``act`` while the counter's long-poll waits on ``known_status``."""
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(watch, counter, binding_id, known_status)
        backend.wait_until_waiting(1)
        done = act()
        return done, waiting.result(timeout=20)


def sign_in(
    phone: Phone, identifier: str = "0912 345 678", password: str = PASSWORD
) -> requests.Response:
    return phone.submit("/b", identifier=identifier, password=password)


def confirm(phone: Phone, name: str = "Mei", **fields: str) -> requests.Response:
    return phone.submit("/b/details", name=name, **fields)


def status_of(counter: Counter, binding_id: int) -> str:
    status: str = counter.get(f"/api/v1/bindings/{binding_id}").json()["status"]
    return status


def test_the_member_signs_in_confirms_and_the_counter_follows_each_step(
    backend: LiveBackend, member_id: int
):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    assert binding["referral"] is None

    phone = Phone(backend)
    page = phone.open(binding["qr_url"])
    assert page.status_code == 200
    assert page.url == backend.url("/b"), "the token leaves the address bar"
    assert "Link your membership to 台北總店" in visible(page)
    assert "0912345678" not in page.text, "the member's phone is masked"
    assert "•" in visible(page)
    for piece in (
        '<label for="identifier">',
        'autocomplete="username"',
        'inputmode="tel"',
        '<label for="password">',
        'autocomplete="current-password"',
    ):
        assert piece in page.text
    assert "<script" not in page.text
    assert "http" not in page.text.split("</style>")[1], "nothing external"
    assert len(page.content) < 30_000
    assert watch(counter, binding["id"], "pending")["status"] == "scanned"

    signed_in, seen = while_counter_waits(
        backend, counter, binding["id"], "scanned", lambda: sign_in(phone)
    )
    assert signed_in.status_code == 200
    assert seen["status"] == "signed_in"
    assert "Check your details" in visible(signed_in)
    assert 'value="Mei"' in signed_in.text
    assert "m•" in visible(signed_in)
    assert "mei@example.com" not in signed_in.text
    assert "LINE" not in signed_in.text, "no LINE channel: the LINE step is skipped"

    done, seen = while_counter_waits(
        backend,
        counter,
        binding["id"],
        "signed_in",
        lambda: confirm(phone, name="Mei Lin", birthday="1990-05-06"),
    )
    assert done.status_code == 200
    assert done.url == backend.url("/b/done")
    assert "Your membership is now linked to 台北總店" in visible(done)
    assert "Your referral store is now 台北總店 · Amy" in visible(done)
    assert seen["status"] == "completed"
    referral = seen["referral"]
    assert referral["store"]["code"] == "TPE01"
    assert referral["staff"]["code"] == "1001"
    assert referral["via"] == "qr"
    with backend.db.transaction(write=False) as session:
        member = session.get_one(Customer, member_id)
        assert (member.name, member.birthday) == ("Mei Lin", date(1990, 5, 6))

    # Reloading the success page shows it again; the link itself is used now.
    assert phone.open(backend.url("/b/done")).status_code == 200
    reopened = Phone(backend).open(binding["qr_url"])
    assert reopened.status_code == 410
    assert "already linked to 台北總店" in visible(reopened)


def test_a_wrong_password_keeps_what_was_typed_and_says_so(backend: LiveBackend, member_id: int):
    counter = backend.counter()
    binding = bind_now(counter, member_id)
    phone = Phone(backend)
    phone.open(binding["qr_url"])

    wrong = sign_in(phone, "0912 345 678", "not-the-password")
    assert wrong.status_code == 200
    assert 'value="0912 345 678"' in wrong.text
    assert "not-the-password" not in wrong.text
    assert 'id="password-err"' in wrong.text
    assert "and password don't sign in the member the staff found" in visible(wrong)
    assert "Tries left before this link locks: 4" in visible(wrong)
    assert status_of(counter, binding["id"]) == "scanned"

    garbled = sign_in(phone, "12")
    assert 'id="identifier-err"' in garbled.text
    assert "mobile number" in visible(garbled)
    assert "Tries left" not in garbled.text, "a typing slip is no try"

    # In the +country form it is the same member: signed in.
    assert "Check your details" in visible(sign_in(phone, "+886 912 345 678"))
    assert status_of(counter, binding["id"]) == "signed_in"


def _as_answered(reply: requests.Response, typed: str) -> tuple[int, str]:
    """A sign-in reply with what differs by right removed: the page's CSRF token, and the
    identifier the member typed, shown back to them."""
    text = re.sub(r'name="csrf" value="[^"]*"', 'name="csrf" value=""', reply.text)
    return reply.status_code, text.replace(f'value="{html.escape(typed)}"', 'value=""')


def test_every_mismatch_gets_one_answer_that_counts_and_costs_the_same(
    backend: LiveBackend, member_id: int, monkeypatch: pytest.MonkeyPatch
):
    """Unknown, another member's (with that member's own password), or a wrong password:
    the same page, each counted toward the lock, each after checking one password hash."""
    hashes_checked: list[str] = []
    check = security.verify_secret

    def counted_check(secret_hash: str, secret: str) -> bool:
        hashes_checked.append(secret_hash)
        return check(secret_hash, secret)

    # The server runs in this process: count the real check, don't replace it.
    monkeypatch.setattr(security, "verify_secret", counted_check)
    counter = backend.counter()
    answers = []
    for identifier, password in (
        ("0933 000 999", PASSWORD),
        ("nobody@example.com", PASSWORD),
        ("0922 000 111", PASSWORD),
        ("other@example.com", PASSWORD),
        ("0912 345 678", "not-the-password"),
        ("mei@example.com", "not-the-password"),
    ):
        binding = bind_now(counter, member_id)
        phone = Phone(backend)
        phone.open(binding["qr_url"])
        hashes_checked.clear()
        reply = sign_in(phone, identifier, password)
        assert len(hashes_checked) == 1, identifier
        assert "Tries left before this link locks: 4" in visible(reply)
        with backend.db.transaction(write=False) as session:
            assert session.get_one(BindingSession, binding["id"]).sign_in_failures == 1
        answers.append(_as_answered(reply, identifier))
    assert all(answer == answers[0] for answer in answers), "one answer for every mismatch"


def test_five_wrong_sign_ins_lock_the_link_for_every_browser(backend: LiveBackend, member_id: int):
    counter = backend.counter()
    binding = bind_now(counter, member_id)
    phone = Phone(backend)
    phone.open(binding["qr_url"])
    for _ in range(4):
        assert sign_in(phone, password="guess-again").status_code == 200

    locked = sign_in(phone, password="guess-again")
    assert locked.status_code == 429
    assert "locked" in visible(locked)
    assert "start the binding again" in visible(locked)
    # Neither the right password nor another browser gets past the lock.
    assert sign_in(phone).status_code == 429
    assert Phone(backend).open(binding["qr_url"]).status_code == 429
    assert status_of(counter, binding["id"]) == "scanned"


def test_a_second_browser_on_the_same_link_has_its_own_session(
    backend: LiveBackend, member_id: int
):
    counter = backend.counter()
    binding = bind_now(counter, member_id)
    first = Phone(backend)
    first.open(binding["qr_url"])
    incognito = Phone(backend)
    incognito.open(binding["qr_url"])

    assert "Check your details" in visible(sign_in(incognito, "MEI@example.com "))
    assert "Check your details" not in first.open(backend.url("/b")).text, "not signed in there"
    done = confirm(incognito)
    assert done.status_code == 200
    assert "Your membership is now linked" in visible(done)

    stale = first.open(backend.url("/b"))
    assert stale.status_code == 410
    assert "already linked to" in visible(stale)


def test_used_expired_and_unknown_links_get_their_pages(backend: LiveBackend, member_id: int):
    counter = backend.counter()
    unknown = Phone(backend).open(backend.url("/b/not-a-real-token"))
    assert unknown.status_code == 404
    assert "know this link" in visible(unknown)
    no_session = Phone(backend).open(backend.url("/b"))
    assert no_session.status_code == 404
    assert "open the link" in visible(no_session)

    cancelled = bind_now(counter, member_id)
    phone = Phone(backend)
    phone.open(cancelled["qr_url"])
    assert counter.post(f"/api/v1/bindings/{cancelled['id']}/cancel").status_code == 200
    refused = sign_in(phone)
    assert refused.status_code == 410
    assert "expired" in visible(refused)
    assert Phone(backend).open(cancelled["qr_url"]).status_code == 410

    late = bind_now(counter, member_id)
    with backend.db.transaction() as session:
        session.execute(
            update(BindingSession)
            .where(BindingSession.id == late["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = Phone(backend).open(late["qr_url"])
    assert expired.status_code == 410
    assert "Ask the store staff for a new QR code or link" in visible(expired)
    for page in (unknown, refused, expired):
        assert "Traceback" not in page.text
        assert "<html" in page.text


def test_a_page_posted_without_its_form_token_is_refused(backend: LiveBackend, member_id: int):
    binding = bind_now(backend.counter(), member_id)
    phone = Phone(backend)
    phone.open(binding["qr_url"])
    refused = phone.http.post(
        backend.url("/b"), data={"identifier": "0912345678", "password": PASSWORD}, timeout=10
    )
    assert refused.status_code == 403


def test_the_details_are_checked_and_an_e_mail_can_be_added(backend: LiveBackend):
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    member_id = add_member(backend, E164, "Mei")
    binding = bind_now(backend.counter(), member_id)
    phone = Phone(backend)
    phone.open(binding["qr_url"])
    details = sign_in(phone)
    assert '<label for="email">' in details.text

    wrong = confirm(phone, name=" ", birthday="2999-01-01", email="not-an-email")
    assert wrong.status_code == 422
    for field in ("name", "birthday", "email"):
        assert f'id="{field}-err"' in wrong.text
    assert 'value="not-an-email"' in wrong.text

    assert confirm(phone, name="Mei", email="Mei@Example.com").status_code == 200
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Customer, member_id).email == "mei@example.com"


def test_the_sms_link_signs_in_the_same_way_in_chinese(backend: LiveBackend, member_id: int):
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    sms = counter.post(f"/api/v1/bindings/{binding['id']}/sms", headers={"Idempotency-Key": "k1"})
    assert sms.status_code == 200, sms.text

    phone = Phone(backend, accept_language="zh-TW")
    page = phone.open(latest_link(backend, E164))
    assert page.status_code == 200
    assert '<html lang="zh-Hant-TW">' in page.text
    assert "將您的會員綁定至台北總店" in visible(page)
    assert "手機號碼或電子郵件" in visible(page)
    assert watch(counter, binding["id"], "pending")["status"] == "scanned"

    wrong = sign_in(phone, password="nope-nope")
    assert "無法登入門市人員找到的會員" in visible(wrong)
    assert "剩餘次數：4" in visible(wrong), "no spaces around Chinese punctuation"
    signed_in, seen = while_counter_waits(
        backend, counter, binding["id"], "scanned", lambda: sign_in(phone, "0912345678")
    )
    assert "確認您的資料" in visible(signed_in)
    assert seen["status"] == "signed_in"
    done, seen = while_counter_waits(
        backend, counter, binding["id"], "signed_in", lambda: confirm(phone)
    )
    assert done.status_code == 200
    assert "您的會員已綁定至台北總店" in visible(done)
    assert seen["status"] == "completed"
    assert seen["referral"]["via"] == "sms"
    # One binding, two links: both are used now.
    assert Phone(backend).open(binding["qr_url"]).status_code == 410

    # The language switch turns the page to English and remembers it.
    assert "Your membership is now linked" in visible(phone.open(backend.url("/b/done?lang=en")))
    assert "Your membership is now linked" in visible(phone.open(backend.url("/b/done")))


def test_a_member_with_a_referral_keeps_it_and_is_told_so(backend: LiveBackend, member_id: int):
    taipei = backend.counter("TPE01", "1001")
    first = bind_now(taipei, member_id)
    phone = Phone(backend)
    phone.open(first["qr_url"])
    sign_in(phone)
    assert confirm(phone).status_code == 200
    kept = taipei.get(f"/api/v1/bindings/{first['id']}").json()["referral"]

    taichung = backend.counter("TXG01", "2001")
    second = bind_now(taichung, member_id)
    assert second["referral"] == kept
    phone.open(second["qr_url"])
    sign_in(phone)
    done, seen = while_counter_waits(
        backend, taichung, second["id"], "signed_in", lambda: confirm(phone)
    )
    assert done.status_code == 200
    assert "Your membership is now linked to 台中店" in visible(done)
    assert "set earlier and stays unchanged: 台北總店 · Amy" in visible(done)
    assert seen["status"] == "completed"
    assert seen["referral"] == kept
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1


def test_two_stores_confirming_at_once_bind_one_referral(backend: LiveBackend, member_id: int):
    bindings = [
        bind_now(backend.counter("TPE01", "1001"), member_id),
        bind_now(backend.counter("TXG01", "2001"), member_id),
    ]
    phones = []
    for binding in bindings:
        phone = Phone(backend)
        phone.open(binding["qr_url"])
        sign_in(phone)
        phones.append(phone)

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(confirm, phones))
    assert [r.status_code for r in replies] == [200, 200]
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1
        statuses = session.scalars(select(BindingSession.status)).all()
        assert sorted(statuses) == ["completed", "completed"]
