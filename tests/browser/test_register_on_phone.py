"""A customer joins from the SMS link in a real phone browser while the counter follows.

Every page load is checked by ``PhoneScreen``: under the size budget, nothing fetched from
another origin, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from omo_backend.models import Customer
from tests.browser.phone import BROWSER_LOCALE, PhoneScreen, says, words
from tests.browser.staff import E164, PASSWORD, STORE, invitation, invite, set_store_pages
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
    # The birthday reads in the page's language: year, month, day in Chinese (as dates are
    # written in Taiwan), whatever the phone's own date format; month, day, year in English.
    order = ["year", "month", "day"] if lang == "zh_TW" else ["month", "day", "year"]
    assert phone.birthday_reading_order() == order
    assert phone.page.locator("input[type=date]").count() == 0
    phone.shot("register-1-form")

    # First try: the second password differs.
    phone.typed(
        {
            w["name"]: "林小華",
            w["email"]: "hua@example.com",
            w["password"]: PASSWORD,
            w["password_confirm"]: PASSWORD + "x",
        }
    )
    phone.choose_birthday(1990, 5, 4)
    terms = phone.page.get_by_role("checkbox", name=w["terms_consent"].format(store=STORE))
    terms.check()
    mistake = phone.tap(w["submit"])
    assert mistake.status == 422
    assert mistake.url == backend.url("/r")
    # One problem: its own message, and no banner above the form saying there are problems.
    assert phone.page.get_by_role("alert").count() == 0
    assert phone.error_of(w["password_confirm"]) == w["password_mismatch"]
    for label in ("name", "email", "birthday_year", "birthday_day", "password"):
        assert phone.is_valid(w[label]), f"{label} is marked wrong too"
    # What was typed is kept, except the passwords (never sent back to the browser).
    assert phone.field(w["name"]).input_value() == "林小華"
    assert phone.field(w["email"]).input_value() == "hua@example.com"
    assert phone.birthday_chosen() == ("1990", "5", "4")
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
        assert member.birthday == date(1990, 5, 4)
    # The store has no online shop: the last page says plainly that it can be closed.
    says(phone, "done_body", "can_close")
    assert phone.page.get_by_role("link", name=w["shop_go"]).count() == 0
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


@pytest.mark.parametrize("lang", LANGS)
def test_the_phone_speaks_its_language_and_a_wrong_birthday_is_named(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, lang: str
) -> None:
    """Each language's browser is a phone of that language (what a Taiwanese phone sends),
    and a birthday the lists can make but the calendar has not gets its own message."""
    w = words(lang)
    invite(counter)
    sent_languages: list[str] = []
    phone.page.on("request", lambda r: sent_languages.append(r.headers["accept-language"]))
    phone.open(latest_link(backend, E164))
    assert phone.page.evaluate("navigator.language") == BROWSER_LOCALE[lang]
    assert sent_languages
    assert all(h.startswith(BROWSER_LOCALE[lang]) for h in sent_languages), sent_languages

    phone.typed({w["name"]: "林小華", w["password"]: PASSWORD, w["password_confirm"]: PASSWORD})
    phone.page.get_by_role("checkbox", name=w["terms_consent"].format(store=STORE)).check()
    phone.choose_birthday(1990, 2, 30)
    assert phone.tap(w["submit"]).status == 422
    assert phone.error_of(w["birthday_day"]) == w["birthday_no_such_day"]
    assert phone.birthday_chosen() == ("1990", "2", "30"), "what was chosen is kept"

    phone.choose_birthday(1990, None, 30)
    assert phone.tap(w["submit"]).status == 422
    assert phone.error_of(w["birthday_month"]) == w["birthday_incomplete"]
    phone.shot("register-2-birthday-incomplete")

    phone.choose_birthday(None, None, None)  # optional: all three empty is no birthday
    phone.typed({w["password"]: PASSWORD, w["password_confirm"]: PASSWORD})
    assert phone.tap(w["submit"]).status == 200
    with backend.db.transaction(write=False) as session:
        member = session.scalars(select(Customer).where(Customer.phone == E164)).one()
        assert member.birthday is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_terms_open_beside_the_form_in_the_stores_words_or_the_default_ones(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, lang: str
) -> None:
    w = words(lang)
    invite(counter)
    phone.open(latest_link(backend, E164))
    phone.typed({w["name"]: "林小華"})

    # The store wrote no terms: the default text, in the page's language, in a tab of its own.
    link = phone.page.get_by_role("link", name=w["terms_link"], exact=True)
    # A target of its own, not words inside the consent's label (where a tap near it would
    # tick the box instead).
    assert link.evaluate("a => a.closest('label')") is None
    consent = phone.page.get_by_role("checkbox", name=w["terms_consent"].format(store=STORE))
    assert not consent.is_checked()
    with phone.context.expect_page() as opened:
        link.tap()
    terms = opened.value
    terms.wait_for_load_state("load")
    assert not consent.is_checked(), "opening the terms ticks nothing"
    assert terms.url == backend.url("/stores/TPE01/terms")
    text = " ".join(terms.locator("body").inner_text().split())
    heading = terms.get_by_role("heading", level=1).inner_text()
    assert heading == w["terms_title"].format(store=STORE)
    first = w["terms_default"].format(store=STORE).split("\n\n")[0]
    assert " ".join(first.split()) in text
    assert w["terms_close"] in text
    assert terms.locator("script").count() == 0
    # The form is where it was, with what was typed.
    assert phone.page.url == backend.url("/r")
    assert phone.field(w["name"]).input_value() == "林小華"
    phone.page.bring_to_front()
    assert phone.open(backend.url("/stores/TPE01/terms")).status == 200
    phone.shot("register-terms-default")

    # The store's own text, as the store wrote it (its paragraphs kept).
    set_store_pages(backend, terms_text="第一條 會員資格\n\n第二條 個人資料")
    shown = phone.open(backend.url("/stores/TPE01/terms"))
    assert shown.status == 200
    paragraphs = phone.page.locator("article p").all_inner_texts()
    assert paragraphs == ["第一條 會員資格", "第二條 個人資料"]
    assert w["terms_default"].format(store=STORE)[:20] not in phone.text()
    phone.shot("register-terms-store")
    assert phone.open(backend.url("/stores/NOPE/terms")).status == 404
