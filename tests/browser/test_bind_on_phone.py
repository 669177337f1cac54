"""A member links their membership to the store from the counter's QR code (or its SMS) in a
real phone browser: signs in, confirms their details, while the counter follows each step.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

from datetime import date

import pytest

from omo_backend.models import Customer
from tests.browser.phone import NewPhone, PhoneScreen, words
from tests.browser.staff import E164, PASSWORD, STORE, add_member, bind_now, binding, send_bind_sms
from tests.support.backend import Counter, LiveBackend, latest_link


def assert_referral_to_amy(seen: dict[str, object], via: str) -> None:
    referral = seen["referral"]
    assert isinstance(referral, dict), seen
    assert referral["store"]["code"] == "TPE01"
    assert referral["staff"]["code"] == "1001"
    assert referral["via"] == via


@pytest.mark.parametrize(
    ("db_factory", "lang"),
    [("sqlite", "en"), ("sqlite", "zh_TW"), ("postgresql", "en")],
    indirect=["db_factory"],
)
def test_a_member_scans_signs_in_confirms_and_the_counter_follows(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    qr = bind_now(counter, member_id)
    assert qr["status"] == "pending"

    sign_in = phone.open(qr["qr_url"])
    assert sign_in.status == 200
    assert sign_in.url == backend.url("/b"), "the token leaves the address bar"
    assert w["bind_title"].format(store=STORE) in phone.text()
    assert "933222111" not in phone.text().replace(" ", ""), "the member's phone is masked"
    assert binding(counter, qr["id"])["status"] == "scanned"
    phone.shot("bind-1-sign-in")

    phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: "not-the-password"})
    wrong = phone.tap(w["sign_in"])
    assert wrong.status == 200
    error = phone.error_of(w["password_current"])
    assert w["sign_in_failed"] in error
    assert w["tries_left"] in error
    assert error.endswith("4")
    assert phone.field(w["identifier"]).input_value() == "0933 222 111", "identifier kept"
    assert phone.field(w["password_current"]).input_value() == ""
    assert phone.is_valid(w["identifier"])
    assert binding(counter, qr["id"])["status"] == "scanned"
    phone.shot("bind-2-wrong-password")

    phone.field(w["password_current"]).fill(PASSWORD)
    details = phone.tap(w["sign_in"])
    assert details.status == 200
    assert details.url == backend.url("/b")
    assert w["details_title"] in phone.text()
    assert binding(counter, qr["id"])["status"] == "signed_in"
    assert phone.field(w["name"]).input_value() == "Mei"
    assert "mei@example.com" not in phone.text(), "the e-mail on file is masked"
    assert phone.page.get_by_label(w["email"], exact=True).count() == 0, "nothing to add"
    phone.shot("bind-3-details")

    assert phone.birthday_chosen() == ("", "", ""), "no birthday on file yet"
    phone.typed({w["name"]: "Mei Lin"})
    phone.choose_birthday(1990, 5, 6)
    done = phone.tap(w["confirm_details"])
    assert done.status == 200
    assert done.url == backend.url("/b/done")
    assert w["bind_done"].format(store=STORE) in phone.text()
    assert w["referral_new"].format(store=f"{STORE} · Amy") in phone.text()
    seen = binding(counter, qr["id"])
    assert seen["status"] == "completed"
    assert_referral_to_amy(seen, via="qr")
    with backend.db.transaction(write=False) as session:
        member = session.get_one(Customer, member_id)
        assert (member.name, member.birthday) == ("Mei Lin", date(1990, 5, 6))
    phone.shot("bind-4-done")


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_the_sms_link_works_in_another_browser_while_the_first_still_works(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei")  # no e-mail yet: the details ask for one
    qr = bind_now(counter, member_id)
    first = new_phone()
    assert first.open(qr["qr_url"]).status == 200
    assert binding(counter, qr["id"])["status"] == "scanned"

    # "Can't scan?": the SMS link, opened in a separate browser (its own cookies).
    assert send_bind_sms(counter, qr["id"])["sms_sent"] is True
    second = new_phone()
    sms = second.open(latest_link(backend, E164))
    assert sms.status == 200
    assert sms.url == backend.url("/b")
    assert w["bind_title"].format(store=STORE) in second.text()
    second.shot("bind-sms-1-sign-in")

    second.typed({w["identifier"]: "+886 933 222 111", w["password_current"]: PASSWORD})
    assert second.tap(w["sign_in"]).status == 200
    assert w["details_title"] in second.text()
    assert binding(counter, qr["id"])["status"] == "signed_in"

    # The first browser was not signed in by the second, and still can sign in itself.
    assert first.open(backend.url("/b")).status == 200
    assert w["bind_title"].format(store=STORE) in first.text()
    first.typed({w["identifier"]: "0933222111", w["password_current"]: PASSWORD})
    assert first.tap(w["sign_in"]).status == 200
    assert w["details_title"] in first.text()
    assert binding(counter, qr["id"])["status"] == "signed_in"

    # The second confirms, adding an e-mail (with a mistake first).
    second.field(w["email"]).fill("mei@")
    mistake = second.tap(w["confirm_details"])
    assert mistake.status == 422
    assert second.error_of(w["email"]) == w["invalid_email"]
    assert second.field(w["email"]).input_value() == "mei@"
    assert second.field(w["name"]).input_value() == "Mei"
    second.shot("bind-sms-2-details-email-mistake")
    second.field(w["email"]).fill("Mei@Example.com")
    done = second.tap(w["confirm_details"])
    assert done.status == 200
    assert done.url == backend.url("/b/done")
    seen = binding(counter, qr["id"])
    assert seen["status"] == "completed"
    assert_referral_to_amy(seen, via="sms")
    second.shot("bind-sms-3-done")
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Customer, member_id).email == "mei@example.com"

    # The first browser, signed in as the same member, is shown the result too.
    also_done = first.tap(w["confirm_details"])
    assert also_done.status == 200
    assert also_done.url == backend.url("/b/done")
    assert w["bind_done"].format(store=STORE) in first.text()
    assert binding(counter, qr["id"])["status"] == "completed"
