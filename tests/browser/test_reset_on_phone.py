"""'Forgot password?' on the bind link in a real phone browser: the member asks for a reset
link, sets a new password from the SMS (in the SMS app's browser, or in the same one), and signs
in with it on the bind page, while the counter keeps waiting and then sees the binding done.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

import pytest

from backend_client.masking import mask_phone
from tests.browser.phone import NewPhone, PhoneScreen, says, words
from tests.browser.staff import (
    E164,
    PASSWORD,
    STORE,
    add_member,
    bind_now,
    binding,
    set_store_pages,
)
from tests.support.backend import Counter, LiveBackend, latest_link

LANGS = ["en", "zh_TW"]
NEW_PASSWORD = "new-password-9"
SHOP = "https://shop.example.com/tpe01"


def on_sign_in(phone: PhoneScreen, backend: LiveBackend, counter: Counter, member_id: int) -> int:
    """The member scans the counter's QR code: the sign-in page. The binding's id."""
    qr = bind_now(counter, member_id)
    assert phone.open(qr["qr_url"]).url == backend.url("/b")
    says(phone, "bind_title")
    return int(qr["id"])


def reset_link(backend: LiveBackend) -> str:
    link = latest_link(backend, E164)
    assert "/b/reset/" in link, link
    return link


def ask_for_a_reset_link(phone: PhoneScreen, backend: LiveBackend, shots: bool = True) -> None:
    """From the sign-in page: "Forgot password?", then "Send reset link"."""
    w = words(phone.lang)
    masked = mask_phone(E164)
    assert masked is not None
    forgot = phone.follow(w["forgot_password"])
    assert forgot.status == 200
    assert forgot.url == backend.url("/b/forgot")
    says(phone, "reset_request_title")
    assert w["reset_request_sms"].format(store=STORE, phone=masked) in phone.text()
    assert "933222111" not in phone.text().replace(" ", ""), "the member's phone is masked"
    if shots:
        phone.shot("reset-1-request")

    sent = phone.tap(w["reset_send"])
    assert sent.status == 200
    says(phone, "reset_sent_title")
    assert w["reset_sent"].format(store=STORE, phone=masked) in phone.text()
    if shots:
        phone.shot("reset-2-sent")


def signs_in(phone: PhoneScreen, password: str) -> None:
    w = words(phone.lang)
    phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: password})
    assert phone.tap(w["sign_in"]).status == 200


@pytest.mark.parametrize("lang", LANGS)
def test_the_member_resets_from_the_sms_in_another_browser_and_signs_in_with_it(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone, lang: str
) -> None:
    w = words(lang)
    set_store_pages(backend, shop_url=SHOP)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    phone = new_phone()
    binding_id = on_sign_in(phone, backend, counter, member_id)
    ask_for_a_reset_link(phone, backend)
    assert binding(counter, binding_id)["status"] == "scanned"

    # The SMS app opens the link in a browser of its own.
    sms = new_phone()
    form = sms.open(reset_link(backend))
    assert form.status == 200
    assert form.url == backend.url("/b/reset"), "the token leaves the address bar"
    says(sms, "reset_title")
    assert sms.field(w["password_new"]).get_attribute("autocomplete") == "new-password"
    sms.shot("reset-3-form")

    sms.typed({w["password_new"]: "short", w["password_confirm"]: "short"})
    short = sms.tap(w["reset_save"])
    assert short.status == 422
    assert sms.error_of(w["password_new"]) == w["password_short"]
    assert sms.field(w["password_new"]).input_value() == "", "passwords are not sent back"
    sms.shot("reset-4-too-short")

    sms.typed({w["password_new"]: NEW_PASSWORD, w["password_confirm"]: NEW_PASSWORD})
    done = sms.tap(w["reset_save"])
    assert done.status == 200
    says(sms, "reset_done_title", "reset_done", "shop_offer")
    # The way on from here: the store's online shop (a setting of the store).
    shop = sms.page.get_by_role("link", name=w["shop_go"], exact=True)
    assert shop.get_attribute("href") == SHOP
    sms.shot("reset-5-done")
    assert binding(counter, binding_id)["status"] == "scanned"

    # Back on the first browser's sign-in page: the old password fails, the new one works.
    back = phone.follow(w["back_to_sign_in"])
    assert back.url == backend.url("/b")
    signs_in(phone, PASSWORD)
    assert w["sign_in_failed"] in phone.error_of(w["password_current"])
    assert binding(counter, binding_id)["status"] == "scanned"
    phone.field(w["password_current"]).fill(NEW_PASSWORD)
    assert phone.tap(w["sign_in"]).status == 200
    says(phone, "details_title")
    assert binding(counter, binding_id)["status"] == "signed_in"
    assert phone.tap(w["confirm_details"]).url == backend.url("/b/done")
    says(phone, "bind_done_title")
    assert binding(counter, binding_id)["status"] == "completed"


@pytest.mark.parametrize("lang", LANGS)
def test_a_reset_in_the_same_browser_comes_back_to_sign_in_and_its_link_is_spent(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = on_sign_in(phone, backend, counter, member_id)
    ask_for_a_reset_link(phone, backend, shots=False)
    link = reset_link(backend)

    assert phone.open(link).url == backend.url("/b/reset")
    phone.typed({w["password_new"]: NEW_PASSWORD, w["password_confirm"]: NEW_PASSWORD})
    back = phone.tap(w["reset_save"])
    assert back.status == 200
    assert back.url == backend.url("/b?reset=done")
    says(phone, "bind_title", "reset_done_here")
    assert phone.page.get_by_role("status").inner_text().strip() == w["reset_done_here"]
    phone.shot("reset-6-back-to-sign-in")
    assert binding(counter, binding_id)["status"] == "scanned"

    # Asking again within the minute is refused, and says to wait.
    assert phone.follow(w["forgot_password"]).status == 200
    wait = phone.tap(w["reset_send"])
    assert wait.status == 429
    says(phone, "reset_wait")
    phone.shot("reset-wait")
    assert [m for m in backend.messages_to(E164) if "/b/reset/" in m["links"][0]][1:] == []

    # The spent link, opened again (from the SMS), says it was used.
    assert phone.open(link).status == 410
    says(phone, "reset_link_used")
    phone.shot("reset-link-used")

    phone.open(backend.url("/b"))
    signs_in(phone, NEW_PASSWORD)
    says(phone, "details_title")
    assert binding(counter, binding_id)["status"] == "signed_in"
