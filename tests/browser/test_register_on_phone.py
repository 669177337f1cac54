"""A customer joins from the SMS link in a real phone browser while the counter follows.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from omo_backend.models import Customer
from tests.browser.phone import PhoneScreen, words
from tests.browser.staff import E164, PASSWORD, STORE, invitation, invite
from tests.support.backend import Counter, LiveBackend, latest_link

LANGS = ["en", "zh_TW"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_customer_fixes_a_mistake_and_joins_while_the_counter_follows(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, lang: str
) -> None:
    w = words(lang)
    sent = invite(counter)
    assert invitation(counter, sent["id"])["status"] in ("queued", "sent")

    form = phone.open(latest_link(backend, E164))
    assert form.status == 200
    assert form.url == backend.url("/r"), "the token leaves the address bar"
    assert w["register_title"].format(store=STORE) in phone.text()
    assert invitation(counter, sent["id"])["status"] == "opened"
    phone.shot("register-1-form")

    # First try: the second password differs.
    phone.typed(
        {
            w["name"]: "林小華",
            w["email"]: "hua@example.com",
            w["birthday"]: "1990-05-04",
            w["password"]: PASSWORD,
            w["password_confirm"]: PASSWORD + "x",
        }
    )
    terms = phone.page.get_by_role("checkbox", name=w["terms_consent"].format(store=STORE))
    terms.check()
    mistake = phone.tap(w["submit"])
    assert mistake.status == 422
    assert mistake.url == backend.url("/r")
    # One problem: its own message, and no banner above the form saying there are problems.
    assert phone.page.get_by_role("alert").count() == 0
    assert phone.error_of(w["password_confirm"]) == w["password_mismatch"]
    for label in ("name", "email", "birthday", "password"):
        assert phone.is_valid(w[label]), f"{label} is marked wrong too"
    # What was typed is kept, except the passwords (never sent back to the browser).
    assert phone.field(w["name"]).input_value() == "林小華"
    assert phone.field(w["email"]).input_value() == "hua@example.com"
    assert phone.field(w["birthday"]).input_value() == "1990-05-04"
    assert phone.field(w["password"]).input_value() == ""
    assert phone.field(w["password_confirm"]).input_value() == ""
    assert terms.is_checked()
    assert invitation(counter, sent["id"])["status"] == "opened"
    phone.shot("register-2-mistake")

    phone.typed({w["password"]: PASSWORD, w["password_confirm"]: PASSWORD})
    done = phone.tap(w["submit"])
    assert done.status == 200
    assert done.url == backend.url("/r/done")
    assert w["done_title"].format(store=STORE) in phone.text()
    seen = invitation(counter, sent["id"])
    assert seen["status"] == "registered"
    assert isinstance(seen["customer_id"], int)
    with backend.db.transaction(write=False) as session:
        member = session.scalars(select(Customer).where(Customer.phone == E164)).one()
        assert (member.id, member.name, member.is_member) == (seen["customer_id"], "林小華", True)
        assert member.email == "hua@example.com"
    phone.shot("register-3-done")

    # Reloading the last page shows it again.
    assert phone.open(backend.url("/r/done")).status == 200


def test_the_language_switch_turns_the_page_and_is_remembered(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen
) -> None:
    invite(counter)
    phone.open(latest_link(backend, E164))
    assert words("en")["register_title"].format(store=STORE) in phone.text()
    phone.field(words("en")["name"]).fill("Hua")

    switched = phone.switch_language("zh_TW")
    assert switched.status == 200
    assert switched.url == backend.url("/r?lang=zh_TW")
    zh = words("zh_TW")
    assert zh["register_title"].format(store=STORE) in phone.text()
    assert phone.field(zh["name"]).is_visible()
    phone.shot("register-1-form-switched-from-en")

    # Remembered: the form's own address, without ?lang=, stays in Chinese.
    assert phone.open(backend.url("/r")).status == 200
    assert zh["register_title"].format(store=STORE) in phone.text()

    back = phone.switch_language("en")
    assert back.url == backend.url("/r?lang=en")
    assert words("en")["register_title"].format(store=STORE) in phone.text()
