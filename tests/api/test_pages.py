"""The customer's registration page, opened from the SMS link on a phone, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select, update

from omo_backend import security
from omo_backend.app import create_app
from omo_backend.db import Database
from omo_backend.errors import RateLimited
from omo_backend.models import Consent, Customer, Invitation, Referral, utcnow
from omo_backend.pages.rendering import PAGE_HEADERS
from omo_backend.phones import normalise_phone
from omo_backend.settings import Settings
from tests.support.backend import (
    Counter,
    DatabaseFactory,
    LiveBackend,
    Phone,
    latest_link,
    live_backend,
)
from tests.support.live_server import bound_socket, serve_in_thread
from tests.support.page_text import visible

PHONE = "0912 345 678"
E164 = "+886912345678"
MASKED = "+886 9•••••678"
PASSWORD = "s3cret-pass"
GOOD_FORM = {
    "name": "林小華",
    "email": "hua@example.com",
    "birthday": "1990-05-04",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "terms": "1",
    "marketing": "1",
}
VOID = {"input", "meta", "br", "img", "link", "hr"}
# Inline markup inside a sentence (a store's name kept on one line): no break in the text.
RUN_ON = {"span"}


class Page(HTMLParser):
    """What a person (or a screen reader) gets from a page: elements by id, inputs, the text."""

    def __init__(self, reply: requests.Response) -> None:
        super().__init__()
        self.reply = reply
        self.attrs_by_id: dict[str, dict[str, str | None]] = {}
        self.text_by_id: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}
        self.html_lang: str | None = None
        self.viewport: str | None = None
        self.tags: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._label_for: str | None = None
        self._select: str | None = None
        self._chosen: str | None = None
        self._text: list[str] = []
        self._skip = 0
        self.feed(reply.text)

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in RUN_ON:
            self._text.append(" ")
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = found.get("lang")
        if tag == "meta" and found.get("name") == "viewport":
            self.viewport = found.get("content")
        if tag in ("style", "title", "script"):
            self._skip += 1
        if tag == "label":
            self._label_for = found.get("for")
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "input" and found.get("name"):
            self.inputs[str(found["name"])] = found
        if tag == "select" and found.get("name"):
            # A list: its type is "select", its value the option shown as chosen.
            self._select = str(found["name"])
            self.inputs[self._select] = found | {"type": "select", "value": ""}
        if tag == "option" and self._select and "selected" in found:
            # An option without a value sends its text.
            self._chosen = self._select if found.get("value") is None else None
            self.inputs[self._select]["value"] = found.get("value") or ""
        element_id = found.get("id")
        if element_id:
            self.attrs_by_id[element_id] = found
            self.text_by_id.setdefault(element_id, "")
        if tag not in VOID:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        if tag not in RUN_ON:
            self._text.append(" ")
        if tag in ("style", "title", "script"):
            self._skip -= 1
        if tag == "label":
            self._label_for = None
        if tag == "select":
            self._select = None
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._chosen:
            self.inputs[self._chosen]["value"] = data.strip()
            self._chosen = None
        if self._skip:
            return
        self._text.append(data)
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data
        if self._label_for:
            self.labels[self._label_for] = self.labels.get(self._label_for, "") + data.strip()

    def error_of(self, field: str) -> str:
        """The error a screen reader announces for ``field``: via aria-describedby."""
        element = self.inputs[field]
        assert element.get("aria-invalid") == "true", f"{field} is not marked invalid"
        described_by = element.get("aria-describedby")
        assert described_by, f"{field} points at no error"
        ids = described_by.split()
        for ref in ids:
            assert ref in self.text_by_id, f"{field} points at a missing #{ref}"
        errors = [ref for ref in ids if ref.endswith("-err")]
        assert len(errors) == 1, f"{field} points at no error element: {ids}"
        return " ".join(self.text_by_id[errors[0]].split())

    def is_checked(self, field: str) -> bool:
        return "checked" in self.inputs[field]


def assert_page(reply: requests.Response, status: int, *words: str) -> Page:
    """A customer page: HTML, the status, no referrer leak, no stack trace, the words."""
    assert reply.status_code == status, reply.text[:2000]
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["Cache-Control"] == "no-store"
    page = Page(reply)
    for bad in ("Traceback", "Exception", "Internal Server Error", '"error":'):
        assert bad not in reply.text
    for word in words:
        assert word in page.text, f"{word!r} not in {page.text!r}"
    return page


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    return backend.counter("TPE01", "1001")


def invite(
    backend: LiveBackend, counter: Counter, phone: str = PHONE
) -> tuple[dict[str, Any], str]:
    """Staff taps "Sign up" for ``phone``: the invitation and the link in its SMS."""
    reply = counter.invite(phone)
    assert reply.status_code == 201, reply.text
    return reply.json(), latest_link(backend, normalise_phone(phone, "TW"))


def status_of(counter: Counter, invitation_id: int) -> str:
    reply = counter.get(f"/api/v1/invitations/{invitation_id}")
    assert reply.status_code == 200, reply.text
    status: str = reply.json()["status"]
    return status


def token_of(link: str) -> str:
    return link.rsplit("/r/", 1)[1]


def members_with(backend: LiveBackend, **where: Any) -> list[Customer]:
    with backend.db.transaction(write=False) as session:
        query = select(Customer).filter_by(**where)
        return list(session.scalars(query))


# --- the link --------------------------------------------------------------------------------


def test_a_link_token_is_long_random_and_stored_only_as_its_hash(
    backend: LiveBackend, counter: Counter
):
    first, first_link = invite(backend, counter, "0912 345 678")
    second, second_link = invite(backend, counter, "0922 333 444")

    tokens = [token_of(first_link), token_of(second_link)]
    assert tokens[0] != tokens[1]
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    with backend.db.transaction(write=False) as session:
        rows = [session.get_one(Invitation, i["id"]) for i in (first, second)]
        for row, token in zip(rows, tokens, strict=True):
            assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
            assert token not in repr([getattr(row, c.key) for c in Invitation.__table__.columns])
            # Valid for two hours from the tap.
            assert row.expires_at - row.created_at == timedelta(hours=2)


def test_the_link_opens_a_small_phone_page_in_chinese_with_the_verified_phone_masked(
    backend: LiveBackend, counter: Counter
):
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="zh-TW,zh;q=0.9,en;q=0.8")

    opened = phone.open(link)

    # The token was swapped for a session cookie and left the address bar.
    hop = opened.history[0]
    assert hop.status_code == 303
    assert hop.headers["Location"] == "/r"
    assert hop.headers["Referrer-Policy"] == "no-referrer"
    cookie = hop.headers["Set-Cookie"].lower()
    assert cookie.startswith("omo_reg=")
    assert "httponly" in cookie
    assert "path=/r" in cookie
    assert "samesite=lax" in cookie
    assert opened.url == backend.url("/r")
    assert token_of(link) not in opened.text

    page = assert_page(opened, 200, "加入台北總店會員", MASKED, "已由此連結驗證")
    assert page.html_lang == "zh-Hant-TW"
    assert "912345678" not in opened.text
    assert "0912" not in opened.text
    assert page.viewport is not None
    assert "width=device-width" in page.viewport
    # Small and self-contained: no scripts, no outside fonts or images to wait for.
    assert len(opened.content) < 12_000
    assert "script" not in page.tags
    assert "http://" not in opened.text
    assert "https://" not in opened.text

    # It asks for the name, e-mail, birthday (year, month and day lists, in that order in
    # Chinese), a password twice and the two consents.
    kinds = {name: field.get("type") for name, field in page.inputs.items()}
    assert kinds == {
        "csrf": "hidden",
        "name": "text",
        "email": "email",
        "birthday_year": "select",
        "birthday_month": "select",
        "birthday_day": "select",
        "password": "password",
        "password_confirm": "password",
        "terms": "checkbox",
        "marketing": "checkbox",
    }
    assert [page.labels[f"birthday_{part}"] for part in ("year", "month", "day")] == [
        "年",
        "月",
        "日",
    ]
    for field in ("name", "email", "password", "password_confirm"):
        assert page.labels.get(field), f"{field} has no label"
    assert not page.is_checked("marketing"), "marketing consent is opt-in"
    assert not page.is_checked("terms")


def test_the_page_speaks_the_browsers_language_and_switches_on_request(
    backend: LiveBackend, counter: Counter
):
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en-US,en;q=0.9,zh-TW;q=0.5")

    page = assert_page(phone.open(link), 200, "Become a member of 台北總店", MASKED)
    assert page.html_lang == "en"

    # The switch in the header ("中文") is a relative link; the choice sticks.
    assert page.links == ["?lang=zh_TW", "/stores/TPE01/terms"], "language switch, terms"
    assert "中文" in visible(page)
    chinese = assert_page(phone.open(backend.url("/r") + page.links[0]), 200, "加入台北總店會員")
    assert chinese.html_lang == "zh-Hant-TW"
    assert_page(phone.open(backend.url("/r")), 200, "加入台北總店會員")
    back = assert_page(phone.open(backend.url("/r?lang=en")), 200, "Become a member")
    assert back.html_lang == "en"


# --- registering -----------------------------------------------------------------------------


def test_registering_makes_a_member_bound_to_the_store_and_staff_who_invited(
    backend: LiveBackend, counter: Counter
):
    invitation, link = invite(backend, counter)
    phone = Phone(backend, accept_language="zh-TW")
    phone.open(link)
    before = utcnow()

    done = phone.submit("/r", **GOOD_FORM)

    assert done.url == backend.url("/r/done")
    assert done.history[0].status_code == 303
    assert_page(done, 200, "歡迎加入台北總店！")
    after = utcnow()
    assert status_of(counter, invitation["id"]) == "registered"

    found = counter.search(phone=PHONE)["items"]
    assert len(found) == 1
    member = found[0]
    assert member["is_member"] is True
    assert member["name"] == "林小華"
    assert member["referral"]["store"]["code"] == "TPE01"
    assert member["referral"]["staff"]["name"] == "Amy"

    [customer] = members_with(backend, phone=E164)
    assert customer.email == "hua@example.com"
    assert customer.birthday == date(1990, 5, 4)
    assert customer.password_hash is not None
    assert PASSWORD not in customer.password_hash
    assert security.verify_secret(customer.password_hash, PASSWORD)
    with backend.db.transaction(write=False) as session:
        referral = session.get_one(Referral, customer.id)
        assert referral.store.code == "TPE01"
        assert referral.staff is not None
        assert referral.staff.name == "Amy"
        assert referral.device_id is not None
        assert before <= referral.bound_at <= after
        assert referral.via == "registration"


def test_a_second_browser_works_until_registration_and_then_the_link_is_gone_everywhere(
    backend: LiveBackend, counter: Counter
):
    _, link = invite(backend, counter)
    in_sms_app = Phone(backend, accept_language="en")
    in_chrome = Phone(backend, accept_language="en")

    assert_page(in_sms_app.open(link), 200, "Become a member")
    # The customer copies the link into another browser: it still works there.
    assert_page(in_chrome.open(link), 200, "Become a member")
    assert in_chrome.form_fields()["csrf"] != in_sms_app.form_fields()["csrf"]

    assert_page(in_chrome.submit("/r", **GOOD_FORM), 200, "Welcome to 台北總店!")

    # The first browser's open form now leads to the welcome page, not a second account.
    again = in_sms_app.submit("/r", **GOOD_FORM | {"email": "other@example.com"})
    assert again.url == backend.url("/r/done")
    assert_page(again, 200, "Welcome to 台北總店!")
    assert len(members_with(backend, phone=E164)) == 1
    assert members_with(backend, email="other@example.com") == []

    # And the link itself is used up, in every browser.
    for browser in (in_sms_app, in_chrome, Phone(backend, accept_language="en")):
        assert_page(browser.open(link), 410, "This link has been used already")
    assert_page(Phone(backend, "zh-TW").open(link), 410, "此連結已使用過")


def test_consent_is_stored_with_when_where_and_the_words_shown(
    backend: LiveBackend, counter: Counter
):
    invitation, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    form = Page(phone.open(link))
    terms_words = "I agree to 台北總店's member terms and privacy notice."
    marketing_words = "Send me news and offers from 台北總店 by SMS and e-mail."
    assert terms_words in form.text
    assert marketing_words in form.text
    before = utcnow()

    phone.submit("/r", **GOOD_FORM)

    after = utcnow()
    [customer] = members_with(backend, phone=E164)
    with backend.db.transaction(write=False) as session:
        rows = session.scalars(
            select(Consent).where(Consent.customer_id == customer.id).order_by(Consent.purpose)
        ).all()
        ids = session.get_one(Invitation, invitation["id"])
        store_id, staff_id = ids.store_id, ids.staff_id
    assert [(c.purpose, c.granted, c.text_shown) for c in rows] == [
        ("marketing", True, marketing_words),
        ("terms", True, terms_words),
    ]
    for consent in rows:
        assert consent.locale == "en"
        assert consent.channel == "registration_page"
        assert (consent.store_id, consent.staff_id) == (store_id, staff_id)
        assert consent.staff_id is not None
        assert before <= consent.created_at <= after


def test_a_customer_who_leaves_marketing_unticked_is_recorded_as_declining(
    backend: LiveBackend, counter: Counter
):
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="zh-TW")
    phone.open(link)

    phone.submit("/r", **{k: v for k, v in GOOD_FORM.items() if k != "marketing"})

    [customer] = members_with(backend, phone=E164)
    with backend.db.transaction(write=False) as session:
        marketing = session.scalars(
            select(Consent).where(
                Consent.customer_id == customer.id, Consent.purpose == "marketing"
            )
        ).one()
    assert marketing.granted is False
    assert marketing.text_shown == "我願意透過簡訊及電子郵件收到台北總店的最新消息與優惠。"
    assert marketing.locale == "zh_TW"


# --- what the customer can get wrong ---------------------------------------------------------


def test_an_e_mail_of_an_existing_member_cannot_sign_up_a_second_account(
    backend: LiveBackend, counter: Counter
):
    _, first_link = invite(backend, counter, "0912 345 678")
    first = Phone(backend, accept_language="en")
    first.open(first_link)
    assert first.submit("/r", **GOOD_FORM).url == backend.url("/r/done")

    invitation, second_link = invite(backend, counter, "0922 333 444")
    second = Phone(backend, accept_language="en")
    second.open(second_link)
    typed = GOOD_FORM | {"name": "Hua Lin", "email": " HUA@example.com", "marketing": "1"}

    refused = second.submit("/r", **typed)

    page = assert_page(refused, 409, "This e-mail belongs to a member already.")
    assert "Please check the fields marked below." not in refused.text, "one problem, no banner"
    assert refused.url == backend.url("/r")
    assert page.error_of("email").startswith("This e-mail belongs to a member already.")
    for other in ("name", "birthday_year", "password", "password_confirm", "terms"):
        assert "aria-invalid" not in page.inputs[other], other
    # What was typed is kept, except the passwords.
    assert page.inputs["name"]["value"] == "Hua Lin"
    assert page.inputs["email"]["value"] == " HUA@example.com"
    birthday = [page.inputs[f"birthday_{part}"]["value"] for part in ("year", "month", "day")]
    assert birthday == ["1990", "5", "4"]
    assert page.is_checked("terms")
    assert page.is_checked("marketing")
    assert page.inputs["password"]["value"] == ""
    assert page.inputs["password_confirm"]["value"] == ""
    assert PASSWORD not in refused.text

    assert len(members_with(backend, email="hua@example.com")) == 1
    assert members_with(backend, phone="+886922333444") == []
    assert status_of(counter, invitation["id"]) == "opened"

    # Leaving the e-mail out lets the customer finish.
    done = second.submit("/r", **typed | {"email": ""})
    assert_page(done, 200, "Welcome to 台北總店!")
    [member] = members_with(backend, phone="+886922333444")
    assert member.email is None


def test_each_form_error_is_tied_to_its_field_and_the_rest_is_kept(
    backend: LiveBackend, counter: Counter
):
    invitation, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    phone.open(link)

    refused = phone.submit(
        "/r",
        name="   ",
        email="hua-at-example.com",
        birthday="2999-01-01",
        password="short",
        password_confirm="short",
        marketing="1",
    )

    page = assert_page(refused, 422, "Please check the fields marked below.")
    assert page.error_of("name") == "Please fill this in."
    assert page.error_of("email") == "That is not an e-mail address."
    assert page.error_of("birthday_year") == "Use a real date in the past."
    assert page.error_of("birthday_day") == "Use a real date in the past."
    assert page.error_of("password") == "Use at least 8 characters."
    assert page.error_of("terms") == "Please agree to the member terms to join."
    assert "aria-invalid" not in page.inputs["password_confirm"]
    assert page.inputs["email"]["value"] == "hua-at-example.com"
    assert page.inputs["birthday_month"]["value"] == "1", "kept as far as the lists go"
    assert page.is_checked("marketing")
    assert not page.is_checked("terms")
    assert page.inputs["password"]["value"] == ""

    # Next try: all fine but the second password; markup in the name stays text.
    name = 'Amy "A" <b>Chen</b>'
    refused = phone.submit(
        "/r", **GOOD_FORM | {"name": name, "password_confirm": PASSWORD + "x", "marketing": ""}
    )
    page = assert_page(refused, 422)
    assert page.error_of("password_confirm") == "The two passwords differ."
    assert [n for n, f in page.inputs.items() if "aria-invalid" in f] == ["password_confirm"]
    assert page.inputs["name"]["value"] == name
    assert "<b>Chen</b>" not in refused.text
    assert not page.is_checked("marketing")
    assert page.is_checked("terms")

    assert members_with(backend, phone=E164) == []
    assert status_of(counter, invitation["id"]) == "opened"


def test_the_same_errors_are_told_in_chinese(backend: LiveBackend, counter: Counter):
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="zh-TW")
    phone.open(link)

    page = assert_page(phone.submit("/r", name="", password="x"), 422, "請檢查下方標示的欄位。")

    assert page.error_of("name") == "此欄位必填。"
    assert page.error_of("password") == "密碼至少需要 8 個字元。"
    assert page.error_of("terms") == "請同意會員條款以加入會員。"


def test_a_form_without_this_browsers_csrf_token_is_refused_with_403(
    backend: LiveBackend, counter: Counter
):
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    other = Phone(backend, accept_language="en")
    phone.open(link)
    other.open(link)

    for csrf in ("", "forged", other.form_fields()["csrf"]):
        refused = phone.http.post(backend.url("/r"), data=GOOD_FORM | {"csrf": csrf}, timeout=10)
        assert_page(refused, 403, "The page was open too long. Please try again.")
    no_field = phone.http.post(backend.url("/r"), data=GOOD_FORM, timeout=10)
    assert_page(no_field, 403)
    assert members_with(backend, phone=E164) == []

    phone.open(backend.url("/r"))
    assert_page(phone.submit("/r", **GOOD_FORM), 200, "Welcome")


# --- links that can't be used ----------------------------------------------------------------


def test_an_unknown_link_gets_a_clear_404_page(backend: LiveBackend, counter: Counter):
    phone = Phone(backend, accept_language="en")
    guessed = backend.url(f"/r/{secrets.token_urlsafe(16)}")

    assert_page(phone.open(guessed), 404, "We don't know this link.")
    assert_page(Phone(backend, "zh-TW").open(guessed), 404, "無法辨識此連結")
    for odd in ("/r/x", "/r/%E4%B8%AD%E6%96%87", "/r/a/b", "/r/" + "A" * 2000, "/r/%00"):
        assert_page(phone.open(backend.url(odd)), 404)
    # Without having opened a link there is no form to show or to send.
    assert_page(phone.open(backend.url("/r")), 404, "Please open the link from your SMS again.")
    assert_page(phone.open(backend.url("/r/done")), 404)
    assert_page(phone.http.post(backend.url("/r"), data=GOOD_FORM, timeout=10), 404)


@pytest.mark.settings(registration_ttl_seconds=1)
def test_a_link_opened_too_late_says_it_expired_and_the_counter_sees_expired(
    backend: LiveBackend, counter: Counter
):
    invitation, link = invite(backend, counter)

    deadline = time.monotonic() + 10
    while status_of(counter, invitation["id"]) != "expired":
        assert time.monotonic() < deadline, "the invitation never expired"
        time.sleep(0.05)

    phone = Phone(backend, accept_language="en")
    assert_page(phone.open(link), 410, "This link has expired.")
    assert_page(Phone(backend, "zh-TW").open(link), 410, "此連結已過期")
    assert status_of(counter, invitation["id"]) == "expired"


def test_a_link_that_expires_while_the_form_is_open_refuses_the_form(
    backend: LiveBackend, counter: Counter
):
    invitation, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    assert_page(phone.open(link), 200, "Become a member")

    with backend.db.transaction() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    assert_page(phone.submit("/r", **GOOD_FORM), 410, "This link has expired.")
    assert_page(phone.open(backend.url("/r")), 410, "This link has expired.")
    assert_page(phone.open(link), 410, "This link has expired.")
    assert members_with(backend, phone=E164) == []
    assert status_of(counter, invitation["id"]) == "expired"


def test_a_link_the_staff_abandoned_can_no_longer_be_used(backend: LiveBackend, counter: Counter):
    invitation, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    phone.open(link)

    # "Check again" at the counter abandons the invitation.
    cancelled = counter.post(f"/api/v1/invitations/{invitation['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"

    assert_page(phone.submit("/r", **GOOD_FORM), 410, "This link has expired.")
    assert_page(Phone(backend, accept_language="en").open(link), 410, "This link has expired.")
    with backend.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_box_sent_as_unticked_is_no_consent(backend: LiveBackend, counter: Counter):
    # Browsers leave an unticked box out; a script or an older form may send "0" or "off".
    _, link = invite(backend, counter)
    phone = Phone(backend, accept_language="en")
    phone.open(link)

    for unticked in ("0", "off", "false"):
        refused = phone.submit("/r", **GOOD_FORM | {"terms": unticked})
        page = assert_page(refused, 422)
        assert page.error_of("terms") == "Please agree to the member terms to join."
        assert not page.is_checked("terms")
    assert members_with(backend, phone=E164) == []

    phone.submit("/r", **GOOD_FORM | {"terms": "on", "marketing": "0"})

    [customer] = members_with(backend, phone=E164)
    with backend.db.transaction(write=False) as session:
        granted = dict(
            session.execute(
                select(Consent.purpose, Consent.granted).where(Consent.customer_id == customer.id)
            ).all()
        )
    assert granted == {"terms": True, "marketing": False}


# --- every customer-facing address answers with a page, whatever goes wrong ------------------


def _customer_routes() -> dict[str, set[str]]:
    """The app's own routes outside the API and its documents, each path with its methods.

    Read from the app itself, so a page route added later is covered without a word here.
    """
    settings = Settings(database_url="sqlite:////nonexistent/never-opened.db", dev_mode=True)
    app = create_app(settings)
    documents = [url for url in (app.openapi_url, app.docs_url, app.redoc_url) if url]
    routes: dict[str, set[str]] = {}
    for route in iter_route_contexts(app.routes):
        path = route.path
        if path is None or path.startswith("/api/"):
            continue
        if any(path == url or path.startswith(url + "/") for url in documents):
            continue
        routes.setdefault(path, set()).update(route.methods or ())
    return routes


def _form_fields() -> dict[str, list[str]]:
    """The customer routes that read a form: path → the fields they read."""
    settings = Settings(database_url="sqlite:////nonexistent/never-opened.db")
    forms: dict[str, list[str]] = {}
    for route in iter_route_contexts(create_app(settings).routes):
        original = route.original_route
        if isinstance(original, APIRoute) and route.path in CUSTOMER_ROUTES:
            fields = [param.alias for param in original.dependant.body_params]
            if fields:
                forms[str(route.path)] = fields
    return forms


CUSTOMER_ROUTES = _customer_routes()
FORMS = _form_fields()


def _address(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "not-a-real-token", path)


def assert_plain_page(reply: requests.Response, status: int) -> Page:
    """A page with every one of the pages' headers, not the API's JSON."""
    page = assert_page(reply, status)
    for header, value in PAGE_HEADERS.items():
        assert reply.headers.get(header) == value, header
    return page


@pytest.fixture(scope="module")
def site(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    """One backend for the module: these answers come before any page reads the database."""
    with live_backend(sqlite_factory) as live:
        yield live


def test_every_page_route_is_found_and_the_api_is_not_among_them():
    assert {"/r", "/b", "/b/line", "/line/callback", "/b/reset/{token}"} <= set(CUSTOMER_ROUTES)
    assert {"/b", "/r", "/b/details", "/b/reset"} <= set(FORMS)


@pytest.mark.parametrize("path", sorted(CUSTOMER_ROUTES))
def test_a_wrong_method_on_a_customer_address_is_a_405_page(site: LiveBackend, path: str):
    wrong = next(m for m in ("PUT", "PATCH", "DELETE") if m not in CUSTOMER_ROUTES[path])
    reply = site.http.request(wrong, site.url(_address(path)), timeout=10)
    assert_plain_page(reply, 405)
    # Starlette names the methods of the first route that matched the address.
    assert set(reply.headers["Allow"].split(", ")) <= CUSTOMER_ROUTES[path]


@pytest.mark.parametrize("path", sorted(CUSTOMER_ROUTES))
def test_an_unknown_address_under_a_customer_route_is_a_404_page(site: LiveBackend, path: str):
    reply = site.http.get(site.url(_address(path).rstrip("/") + "/no/such/page"), timeout=10)
    assert_plain_page(reply, 404)


@pytest.mark.parametrize("path", sorted(FORMS))
def test_a_malformed_form_on_a_customer_address_is_a_422_page(site: LiveBackend, path: str):
    # Each field sent as a file: what no form of ours can send, and what the parser refuses.
    files = {field: ("x.txt", b"x", "text/plain") for field in FORMS[path]}
    reply = site.http.post(site.url(_address(path)), files=files, timeout=10)
    assert_plain_page(reply, 422)


def test_an_address_that_names_nothing_is_a_page_and_the_api_stays_json(site: LiveBackend):
    assert_plain_page(site.http.get(site.url("/no-such-page"), timeout=10), 404)
    assert_plain_page(site.http.put(site.url("/favicon.ico"), timeout=10), 404)
    for api in ("/api/v1/no-such-thing", "/api", "/openapi.json/x"):
        reply = site.http.get(site.url(api), timeout=10)
        assert reply.status_code == 404
        assert reply.headers["Content-Type"].startswith("application/json"), api
    assert site.http.put(site.url("/openapi.json"), timeout=10).json()["error"]["code"] == (
        "method_not_allowed"
    )


def test_a_database_outage_a_bug_and_a_limit_on_a_customer_page_are_pages(tmp_path: Path):
    """503 with Retry-After on ``/b`` (the database file cannot be opened), a 500, and a rule's
    429 that no page has words for, with its Retry-After."""
    url = f"sqlite:///{tmp_path}/missing-directory/omo.db"
    app = create_app(Settings(database_url=url, longpoll_check_seconds=60), Database(url))

    @app.get("/line/crash/page")
    def crash_page() -> None:
        raise RuntimeError("a bug on a page")

    @app.get("/line/busy/page")
    def busy_page() -> None:
        raise RateLimited("Too many.", retry_after=42, details={}, code="some_limit")

    with serve_in_thread(app, bound_socket()) as base_url:
        down = requests.get(f"{base_url}/b", cookies={"omo_bind": "x"}, timeout=10)
        assert_plain_page(down, 503)
        assert down.headers["Retry-After"] == "5"
        crashed = requests.get(f"{base_url}/line/crash/page", timeout=10)
        assert_plain_page(crashed, 500)
        assert "RuntimeError" not in crashed.text
        busy = requests.get(
            f"{base_url}/line/busy/page", headers={"Accept-Language": "en"}, timeout=10
        )
        assert_page(busy, 429, "Too many tries in a short time.")
        assert busy.headers["Retry-After"] == "42"
