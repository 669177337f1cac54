"""Links that can't be used: each gets its HTTP status and a page, in the phone's language,
that says what happened and what to do next.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from omo_backend.models import BindingSession, Invitation, utcnow
from tests.browser.phone import NewPhone, PhoneScreen, says
from tests.browser.staff import E164, bind_now, binding, invitation, invite
from tests.support.backend import Counter, LiveBackend, Phone, latest_link, register_on_phone

LANGS = ["en", "zh_TW"]


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_link_and_a_page_without_its_link_say_to_open_the_sms_again(
    backend: LiveBackend, phone: PhoneScreen
) -> None:
    assert phone.open(backend.url("/r/not-a-real-token")).status == 404
    says(phone, "error_title", "link_unknown")
    phone.shot("error-unknown-link")
    assert phone.open(backend.url("/b/not-a-real-token")).status == 404
    says(phone, "link_unknown")

    # The form's own address without the cookie its link sets (a bookmark, another browser).
    assert phone.open(backend.url("/b")).status == 404
    says(phone, "bind_session_missing")
    phone.shot("error-no-session")
    assert phone.open(backend.url("/r")).status == 404
    says(phone, "session_missing")


def expire_invitation(backend: LiveBackend, invitation_id: int) -> None:
    with backend.db.transaction() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def expire_binding(backend: LiveBackend, binding_id: int) -> None:
    with backend.db.transaction() as session:
        session.execute(
            update(BindingSession)
            .where(BindingSession.id == binding_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


@pytest.mark.parametrize("lang", LANGS)
def test_expired_and_used_links_say_what_to_do_and_the_counter_agrees(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone
) -> None:
    # Expired: the customer opens the SMS too late.
    late = invite(counter)
    expire_invitation(backend, late["id"])
    phone = new_phone()
    assert phone.open(latest_link(backend, E164)).status == 410
    says(phone, "error_title", "link_expired")
    phone.shot("error-expired-link")
    assert invitation(counter, late["id"])["status"] == "expired"

    # Used: the customer (on another phone) joined already; the link is opened again.
    used = invite(counter)
    register_on_phone(backend, E164)
    seen = invitation(counter, used["id"])
    assert seen["status"] == "registered"
    again = new_phone()
    assert again.open(latest_link(backend, E164)).status == 410
    says(again, "error_title", "link_used")
    again.shot("error-used-link")

    # The bind link: expired, then used.
    member_id = seen["customer_id"]
    stale = bind_now(counter, member_id)
    expire_binding(backend, stale["id"])
    expired = new_phone()
    assert expired.open(stale["qr_url"]).status == 410
    says(expired, "error_title", "link_expired")
    assert binding(counter, stale["id"])["status"] == "expired"

    qr = bind_now(counter, member_id)
    other = Phone(backend)
    other.open(qr["qr_url"])
    other.submit("/b", identifier="0933222111", password="password1")  # register_on_phone's
    assert other.submit("/b/details", name="林小華").status_code == 200
    assert binding(counter, qr["id"])["status"] == "completed"
    bind_again = new_phone()
    assert bind_again.open(qr["qr_url"]).status == 410
    # Good news told again: a success, not a warning, and the end of the path.
    says(bind_again, "bind_link_used_title", "bind_link_used", "can_close")
    assert bind_again.page.locator(".mark.done").is_visible()
    assert bind_again.page.locator(".mark.problem").count() == 0
    bind_again.shot("error-used-bind-link")
