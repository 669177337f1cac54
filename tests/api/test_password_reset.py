"""'Forgot password?' on the bind link: a one-use, short-lived reset link by SMS (or e-mail),
rate limited; afterwards the member signs in with the new password and the bind link still works.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from omo_backend.models import BindingSession, Customer, Message, PasswordReset, utcnow
from tests.api.test_bind_sign_in import (
    E164,
    PASSWORD,
    add_member,
    bind_now,
    confirm,
    sign_in,
    status_of,
)
from tests.fakes.smtp_server import FakeSmtp
from tests.support.backend import (
    Counter,
    DatabaseFactory,
    LiveBackend,
    Phone,
    latest_link,
    live_backend,
)
from tests.support.page_text import visible

NEW_PASSWORD = "new-password-9"


@pytest.fixture
def member_id(backend: LiveBackend) -> int:
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    return add_member(backend, E164, "Mei", email="mei@example.com")


def open_bind_link(backend: LiveBackend, member_id: int) -> tuple[Counter, dict[str, Any], Phone]:
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    phone = Phone(backend)
    assert phone.open(binding["qr_url"]).status_code == 200
    return counter, binding, phone


def ask_for_reset(phone: Phone) -> str:
    page = phone.open(phone.backend.url("/b/forgot"))
    assert page.status_code == 200
    sent = phone.submit("/b/forgot")
    assert sent.status_code == 200, sent.text
    return sent.text


def reset_link(backend: LiveBackend, to: str = E164) -> str:
    link = latest_link(backend, to)
    assert "/b/reset/" in link
    return link


def test_the_member_resets_by_sms_in_another_browser_and_signs_in_on_the_bind_link(
    backend: LiveBackend, member_id: int
):
    counter, binding, phone = open_bind_link(backend, member_id)
    assert phone.last is not None
    assert 'href="/b/forgot"' in phone.last.text
    forgot = phone.open(backend.url("/b/forgot"))
    assert "by SMS to +886 9" in visible(forgot)
    assert "0912345678" not in forgot.text
    sent = phone.submit("/b/forgot")
    assert "We sent a reset link to +886 9" in visible(sent)
    [sms] = backend.messages_to(E164)[:1]
    assert "reset your member password" in sms["body"] or "重設會員密碼" in sms["body"]

    sms_browser = Phone(backend)  # the SMS app opens links in a browser of its own
    form = sms_browser.open(reset_link(backend))
    assert form.url == backend.url("/b/reset"), "the token leaves the address bar"
    assert '<label for="password">' in form.text
    assert 'autocomplete="new-password"' in form.text
    short = sms_browser.submit("/b/reset", password="short", password_confirm="short")
    assert short.status_code == 422
    # One message for the one problem: the error takes the hint's place.
    assert 'aria-describedby="password-err"' in short.text
    assert 'id="password-hint"' not in short.text
    assert "Please check the fields marked below." not in short.text
    differ = sms_browser.submit(
        "/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD + "x"
    )
    assert differ.status_code == 422
    assert "The two passwords differ." in visible(differ)
    done = sms_browser.submit("/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    assert done.status_code == 200
    assert "Password changed" in visible(done)
    assert "scan the QR code at the counter again" in visible(done)

    # Back on the bind page: the old password no longer works, the new one does.
    phone.open(backend.url("/b"))
    assert "don't sign in the member the staff found" in visible(sign_in(phone, password=PASSWORD))
    details = sign_in(phone, password=NEW_PASSWORD)
    assert "Check your details" in visible(details)
    assert confirm(phone).url == backend.url("/b/done")
    assert status_of(counter, binding["id"]) == "completed"


def test_a_reset_in_the_same_browser_comes_back_to_sign_in(backend: LiveBackend, member_id: int):
    _, _, phone = open_bind_link(backend, member_id)
    ask_for_reset(phone)
    phone.open(reset_link(backend))
    back = phone.submit("/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    assert back.url == backend.url("/b?reset=done")
    assert "Password changed. Sign in with your new password." in visible(back)
    assert "Check your details" in visible(sign_in(phone, password=NEW_PASSWORD))


def test_a_reset_link_works_once_and_kills_the_members_other_links(
    backend: LiveBackend, member_id: int
):
    _, _, phone = open_bind_link(backend, member_id)
    ask_for_reset(phone)
    first = reset_link(backend)
    with backend.db.transaction() as session:  # a minute later, a second link
        session.execute(update(PasswordReset).values(created_at=utcnow() - timedelta(minutes=2)))
    ask_for_reset(phone)
    second = reset_link(backend)
    assert first != second
    browser = Phone(backend)
    browser.open(second)
    browser.submit("/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    used = Phone(backend).open(second)
    assert used.status_code == 410
    assert "has been used already" in visible(used)
    assert Phone(backend).open(first).status_code == 410
    # The form of a spent link, still open elsewhere, cannot set a password either.
    again = browser.submit("/b/reset", password="another-one-1", password_confirm="another-one-1")
    assert again.status_code == 410
    with backend.db.transaction(write=False) as session:
        tokens = [r.token_hash for r in session.scalars(select(PasswordReset))]
    assert all(len(t) == 64 for t in tokens)
    assert not any(t in second or t in first for t in tokens), "only hashes are kept"


def test_an_expired_reset_link_says_so(backend: LiveBackend, member_id: int):
    _, _, phone = open_bind_link(backend, member_id)
    ask_for_reset(phone)
    with backend.db.transaction() as session:
        session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    page = Phone(backend).open(reset_link(backend))
    assert page.status_code == 410
    assert "This reset link has expired" in visible(page)
    unknown = Phone(backend).open(backend.url("/b/reset/not-a-real-token"))
    assert unknown.status_code == 404


def test_asking_again_at_once_or_too_often_is_refused(backend: LiveBackend, member_id: int):
    _, _, phone = open_bind_link(backend, member_id)
    ask_for_reset(phone)
    phone.open(backend.url("/b/forgot"))
    again = phone.submit("/b/forgot")
    assert again.status_code == 429
    assert 0 < int(again.headers["Retry-After"]) <= 60
    assert "wait a minute" in visible(again)
    sms_count = len([m for m in backend.messages_to(E164) if "/b/reset/" in m["links"][0]])
    assert sms_count == 1
    with backend.db.transaction() as session:
        for _ in range(4):
            session.add(
                PasswordReset(
                    token_hash=f"{_:064d}",
                    customer_id=member_id,
                    channel="sms",
                    created_at=utcnow() - timedelta(hours=2),
                    expires_at=utcnow() - timedelta(hours=1),
                )
            )
        session.execute(
            update(PasswordReset)
            .where(PasswordReset.created_at > utcnow() - timedelta(minutes=1))
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    phone.open(backend.url("/b/forgot"))
    limited = phone.submit("/b/forgot")
    assert limited.status_code == 429
    assert "Too many reset links" in visible(limited)


def test_the_bind_link_expired_meanwhile_means_scan_again(backend: LiveBackend, member_id: int):
    _, binding, phone = open_bind_link(backend, member_id)
    ask_for_reset(phone)
    browser = Phone(backend)
    browser.open(reset_link(backend))
    browser.submit("/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    with backend.db.transaction() as session:
        session.execute(
            update(BindingSession)
            .where(BindingSession.id == binding["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    phone.open(backend.url("/b"))
    page = sign_in(phone, password=NEW_PASSWORD)
    assert page.status_code == 410
    assert "This link has expired" in visible(page)
    with backend.db.transaction(write=False) as session:
        member = session.get_one(Customer, member_id)
        assert member.password_hash is not None
        assert NEW_PASSWORD not in member.password_hash


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        yield fake


def test_a_member_without_a_phone_gets_the_link_by_email(
    db_factory: DatabaseFactory, smtp: FakeSmtp
):
    with live_backend(db_factory, smtp_url=smtp.url("smtp")) as backend:
        backend.add_store("TPE01", "台北總店")
        backend.add_staff("TPE01", "1001", "Amy")
        member_id = add_member(backend, E164, "Mei", email="mei@example.com")
        with backend.db.transaction() as session:
            session.get_one(Customer, member_id).phone = None
        _, _, phone = open_bind_link(backend, member_id)
        forgot = phone.open(backend.url("/b/forgot"))
        assert "by e-mail to m" in visible(forgot)
        assert "mei@example.com" not in forgot.text
        sent = phone.submit("/b/forgot")
        assert sent.status_code == 200
        [mail] = smtp.wait_for_mail(1)
        assert mail.rcpt_tos == ["mei@example.com"]
        assert "Reset your 台北總店 member password" in str(mail.message["Subject"])
        link = re.search(r"http\S+/b/reset/\S+", mail.text)
        assert link is not None
        with backend.db.transaction(write=False) as session:
            assert session.scalars(select(Message.channel)).all() == ["email"]
        browser = Phone(backend)
        browser.open(link.group(0))
        done = browser.submit("/b/reset", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
        assert "Password changed" in visible(done)
        phone.open(backend.url("/b"))
        assert "Check your details" in visible(sign_in(phone, "mei@example.com", NEW_PASSWORD))
