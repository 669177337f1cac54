"""Five wrong passwords lock a bind link, in every browser, while the counter keeps waiting.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

import pytest

from tests.browser.phone import NewPhone, says, words
from tests.browser.staff import E164, add_member, bind_now, binding
from tests.support.backend import Counter, LiveBackend

LANGS = ["en", "zh_TW"]


@pytest.mark.parametrize("lang", LANGS)
def test_five_wrong_passwords_lock_the_link_for_every_browser(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei")
    qr = bind_now(counter, member_id)
    phone = new_phone()
    phone.open(qr["qr_url"])
    for tries_left in (4, 3, 2, 1):
        phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: "guess-again"})
        assert phone.tap(w["sign_in"]).status == 200
        assert phone.error_of(w["password_current"]).endswith(str(tries_left))
    phone.shot("bind-2-wrong-password-last-try")

    phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: "guess-again"})
    assert phone.tap(w["sign_in"]).status == 429
    says(phone, "error_title", "link_locked")
    phone.shot("error-locked")
    assert binding(counter, qr["id"])["status"] == "scanned"

    # Neither reloading nor another browser gets past the lock.
    assert phone.open(backend.url("/b")).status == 429
    says(phone, "link_locked")
    incognito = new_phone()
    assert incognito.open(qr["qr_url"]).status == 429
    says(incognito, "link_locked")
    assert binding(counter, qr["id"])["status"] == "scanned"
