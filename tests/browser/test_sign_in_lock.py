"""Five wrong passwords lock a bind link, in every browser, while the counter keeps waiting.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.phone import Load, NewPhone, PhoneScreen, says, words
from tests.browser.staff import E164, add_member, bind_now, binding
from tests.support.backend import Counter, LiveBackend

LANGS = ["en", "zh_TW"]


def scan_the_bind_code(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen
) -> dict[str, Any]:
    """Staff starts Mei's binding and ``phone`` scans its QR code; returns the binding."""
    qr = bind_now(counter, add_member(backend, E164, "Mei"))
    phone.open(qr["qr_url"])
    return qr


def guess(phone: PhoneScreen) -> Load:
    """A wrong password for the right member."""
    w = words(phone.lang)
    phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: "guess-again"})
    return phone.tap(w["sign_in"])


@pytest.mark.parametrize("lang", LANGS)
def test_five_wrong_passwords_lock_the_link_for_every_browser(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone, lang: str
) -> None:
    w = words(lang)
    phone = new_phone()
    qr = scan_the_bind_code(backend, counter, phone)
    for tries_left in (4, 3, 2):
        assert guess(phone).status == 200
        assert phone.error_of(w["password_current"]).endswith(str(tries_left))
    assert guess(phone).status == 200
    # The last try points to the way out that locks nothing, and says so once.
    gap = "" if lang == "zh_TW" else " "
    last_try = phone.error_of(w["password_current"])
    assert last_try == w["sign_in_failed"] + gap + w["sign_in_last_try"]
    assert phone.page.locator(".banner").count() == 0, "one problem, one message"
    phone.shot("bind-2-wrong-password-last-try")

    assert guess(phone).status == 429
    says(phone, "error_title", "link_locked", "link_locked_reset")
    phone.shot("error-locked")
    assert binding(counter, qr["id"])["status"] == "scanned"

    # Neither reloading nor another browser gets past the lock.
    assert phone.open(backend.url("/b")).status == 429
    says(phone, "link_locked")
    incognito = new_phone()
    assert incognito.open(qr["qr_url"]).status == 429
    says(incognito, "link_locked")
    assert binding(counter, qr["id"])["status"] == "scanned"


@pytest.mark.parametrize("lang", LANGS)
def test_a_locked_link_still_leads_to_forgot_password(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen
) -> None:
    qr = scan_the_bind_code(backend, counter, phone)
    for _ in range(5):
        guess(phone)
    says(phone, "link_locked")
    w = words(phone.lang)

    forgot = phone.follow(w["forgot_password"])
    assert forgot.status == 200
    says(phone, "reset_request_title")
    assert phone.tap(w["reset_send"]).status == 200
    says(phone, "reset_sent_title")
    # The reset opens nothing else: the link stays locked, the counter keeps waiting.
    assert phone.follow(w["back_to_sign_in"]).status == 429
    says(phone, "link_locked")
    assert binding(counter, qr["id"])["status"] == "scanned"
