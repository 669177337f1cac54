"""The LINE step on the customer pages, against a fake LINE that speaks LINE Login v2.1.

After the member signs in on the bind link (or registers), a page offers LINE's button (or
going on without LINE); the button sends the phone to LINE's consent screen; LINE sends it
back to ``/line/callback`` with a code (or the customer's "Cancel"); the member's LINE user id
and friendship are stored and the counter sees each turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from omo_backend.models import AuditEvent, Customer, LineLogin, PageSession, RetiredIdentifier
from omo_backend.pages.rendering import PAGE_HEADERS
from tests.api.test_bind_sign_in import (
    E164,
    OTHER,
    add_member,
    bind_now,
    confirm,
    sign_in,
    status_of,
    watch,
    while_counter_waits,
)
from tests.fakes.line_server import FakeLine
from tests.support.backend import DatabaseFactory, LiveBackend, Phone, latest_link, live_backend
from tests.support.page_text import visible


@pytest.fixture
def line() -> Iterator[FakeLine]:
    with FakeLine() as fake:
        yield fake


@pytest.fixture
def backend(db_factory: DatabaseFactory, line: FakeLine) -> Iterator[LiveBackend]:
    with live_backend(db_factory, **line.settings_overrides()) as live:
        live.add_store("TPE01", "台北總店")
        live.add_staff("TPE01", "1001", "Amy")
        yield live


@pytest.fixture
def member_id(backend: LiveBackend) -> int:
    add_member(backend, OTHER, "Someone else", email="other@example.com")
    return add_member(backend, E164, "Mei", email="mei@example.com")


def member(backend: LiveBackend, member_id: int) -> Customer:
    with backend.db.transaction(write=False) as session:
        found = session.get_one(Customer, member_id)
        session.expunge(found)
        return found


def binding_of(counter: Any, binding_id: int) -> dict[str, Any]:
    reply: dict[str, Any] = counter.get(f"/api/v1/bindings/{binding_id}").json()
    return reply


def scanned(backend: LiveBackend, member_id: int) -> tuple[Any, dict[str, Any], Phone]:
    counter = backend.counter("TPE01", "1001")
    binding = bind_now(counter, member_id)
    phone = Phone(backend)
    assert phone.open(binding["qr_url"]).status_code == 200
    return counter, binding, phone


def line_step(phone: Phone) -> requests.Response:
    """The member signs in: the LINE step's page, which does not go to LINE by itself."""
    page = sign_in(phone)
    assert page.status_code == 200, page.text
    assert [r.status_code for r in page.history] == [303], "not to LINE without a tap"
    assert 'href="/b/line"' in page.text, "LINE's button"
    assert "Log in with LINE" in visible(page)
    assert 'action="/b/line/skip"' in page.text, "and going on without LINE"
    return page


def to_line(phone: Phone) -> requests.Response:
    """Signed in, the member taps LINE's button: the page LINE's answer leads to."""
    line_step(phone)
    return phone.open(phone.backend.url("/b/line"))


def test_signed_in_the_member_allows_line_adds_the_friend_and_the_counter_sees_it(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    user = line.user(add_friend=True)

    page = to_line(phone)
    # LINE's button: /b/line → LINE's consent screen → /line/callback → the details step.
    assert page.status_code == 200, page.text
    assert page.url == backend.url("/b")
    assert "Check your details" in visible(page)
    assert [r.status_code for r in page.history] == [303, 302, 303]
    authorize = urlsplit(page.history[1].url)
    asked = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert asked["response_type"] == "code"
    assert asked["scope"] == "openid profile"
    assert asked["bot_prompt"] == "aggressive"
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == backend.url("/line/callback")
    assert {"state", "nonce", "code_challenge"} <= set(asked)
    assert len(line.requests_to("/oauth2/v2.1/token")) == 1
    assert len(line.requests_to("/friendship/v1/status")) == 1

    seen = binding_of(counter, binding["id"])
    assert seen["status"] == "line_linked"
    assert seen["line_outcome"] == "linked"
    assert seen["line_friend"] is True
    stored = member(backend, member_id)
    assert stored.line_user_id == user.sub
    assert stored.line_friend is True

    done = confirm(phone)
    assert done.url == backend.url("/b/done")
    assert "LINE linked" in visible(done)
    assert status_of(counter, binding["id"]) == "completed"
    found = counter.get("/api/v1/customers/search", params={"phone": E164}).json()["items"][0]
    assert found["line_bound"] is True
    assert found["line_friend"] is True


def test_a_member_who_does_not_add_the_friend_is_linked_and_staff_see_not_a_friend(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user(add_friend=False)
    page = to_line(phone)
    assert "Check your details" in visible(page)
    seen = binding_of(counter, binding["id"])
    assert (seen["status"], seen["line_outcome"], seen["line_friend"]) == (
        "line_linked",
        "linked",
        False,
    )
    done = confirm(phone)
    assert "You haven't added 台北總店 as a friend" in visible(done)


def test_cancel_on_line_is_a_clear_page_the_counter_sees_and_try_again_links(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user(approve=False)
    page = to_line(phone)
    assert page.status_code == 403
    assert "LINE not linked" in visible(page)
    assert "You cancelled on LINE" in visible(page)
    assert 'href="/b/line"' in page.text, "try again"
    assert 'action="/b/line/skip"' in page.text, "or go on without LINE"
    seen = binding_of(counter, binding["id"])
    assert (seen["status"], seen["line_outcome"]) == ("signed_in", "cancelled")
    assert member(backend, member_id).line_user_id is None
    # The details step is not open until LINE is linked or skipped.
    assert phone.open(backend.url("/b")).status_code == 403
    assert confirm(phone).status_code == 403

    line.user(approve=True)
    again = phone.open(backend.url("/b/line"))
    assert again.url == backend.url("/b")
    assert "Check your details" in visible(again)
    assert binding_of(counter, binding["id"])["line_outcome"] == "linked"


def test_the_counter_waiting_on_signed_in_wakes_when_line_is_cancelled(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user(approve=False)
    line_step(phone)
    assert status_of(counter, binding["id"]) == "signed_in"

    def cancel_on_line() -> requests.Response:
        return phone.open(backend.url("/b/line"))

    reply = counter.get(
        f"/api/v1/bindings/{binding['id']}",
        params={"wait": 0, "known_status": "signed_in", "known_line_outcome": "none"},
    )
    assert reply.json()["line_outcome"] is None
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            counter.get,
            f"/api/v1/bindings/{binding['id']}",
            params={"wait": 10, "known_status": "signed_in", "known_line_outcome": "none"},
        )
        backend.wait_until_waiting(1)
        assert cancel_on_line().status_code == 403
        woke = waiting.result(timeout=20).json()
    assert (woke["status"], woke["line_outcome"]) == ("signed_in", "cancelled")
    # A caller that already has "cancelled" is not woken by it a second time.
    stale = counter.get(
        f"/api/v1/bindings/{binding['id']}",
        params={"wait": 0.3, "known_status": "signed_in", "known_line_outcome": "cancelled"},
    )
    assert stale.json()["line_outcome"] == "cancelled"


def test_continuing_without_line_completes_the_binding_and_the_counter_sees_skipped(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user(approve=False)
    to_line(phone)
    skipped, seen = while_counter_waits(
        backend, counter, binding["id"], "signed_in", lambda: phone.submit("/b/line/skip")
    )
    assert seen["line_outcome"] == "skipped"
    assert "Check your details" in visible(skipped)
    done = confirm(phone)
    assert done.url == backend.url("/b/done")
    assert "LINE linked" not in visible(done)
    final = binding_of(counter, binding["id"])
    assert (final["status"], final["line_outcome"]) == ("completed", "skipped")


def test_line_can_be_skipped_before_going_there_with_the_pages_token_only(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user()
    # Not before signing in: the skip is a step of the signed-in member's.
    with backend.db.transaction(write=False) as session:
        csrf = session.scalars(select(PageSession.csrf_token)).one()
    early = phone.http.post(backend.url("/b/line/skip"), data={"csrf": csrf}, timeout=10)
    assert early.url == backend.url("/b")
    assert binding_of(counter, binding["id"])["line_outcome"] is None
    line_step(phone)
    forged = phone.http.post(backend.url("/b/line/skip"), data={"csrf": "x"}, timeout=10)
    assert forged.status_code == 403
    assert binding_of(counter, binding["id"])["line_outcome"] is None
    skipped = phone.submit("/b/line/skip")
    assert skipped.url == backend.url("/b")
    assert "Check your details" in visible(skipped)
    assert binding_of(counter, binding["id"])["line_outcome"] == "skipped"
    assert not line.requests_to("/oauth2/v2.1/token"), "never went to LINE"
    # Skipped, LINE's button leads nowhere any more: on to the details.
    assert "Check your details" in visible(phone.open(backend.url("/b/line")))


@pytest.mark.parametrize("held", ["linked", "retired"])
def test_a_line_account_of_another_member_is_refused(
    backend: LiveBackend, line: FakeLine, member_id: int, held: str
):
    """Linked to another member, or retired when that member's account was merged away."""
    user = line.user()
    with backend.db.transaction() as session:
        other = session.scalar(select(Customer).where(Customer.phone == OTHER))
        assert other is not None
        if held == "linked":
            other.line_user_id = user.sub
        else:
            session.add(RetiredIdentifier(kind="line", value=user.sub, customer_id=other.id))
    counter, binding, phone = scanned(backend, member_id)
    page = to_line(phone)
    assert page.status_code == 409
    assert "already linked to another member" in visible(page)
    seen = binding_of(counter, binding["id"])
    assert (seen["status"], seen["line_outcome"]) == ("signed_in", "taken")
    assert member(backend, member_id).line_user_id is None
    phone.submit("/b/line/skip")
    assert confirm(phone).url == backend.url("/b/done")


def test_line_failing_us_is_a_502_page_and_the_member_can_try_again(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user()
    line_step(phone)
    line.fail_next(1, status=500)  # the token endpoint is down for a moment
    page = phone.open(backend.url("/b/line"))
    assert page.status_code == 502
    assert "couldn't finish signing in with LINE" in visible(page)
    assert binding_of(counter, binding["id"])["line_outcome"] == "failed"
    again = phone.open(backend.url("/b/line"))
    assert "Check your details" in visible(again)


def test_the_callback_is_one_use_and_an_unknown_state_is_refused(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    _, _, phone = scanned(backend, member_id)
    line.user()
    page = to_line(phone)
    callback = page.history[2].url
    assert urlsplit(callback).path == "/line/callback"
    replay = requests.get(callback, timeout=10)
    assert replay.status_code == 410
    assert "此 LINE 登入已完成" in visible(replay), "no Accept-Language: Traditional Chinese"
    stranger = requests.get(backend.url("/line/callback?code=abc&state=nope"), timeout=10)
    assert stranger.status_code == 400
    bare = requests.get(backend.url("/line/callback"), timeout=10)
    assert bare.status_code == 400


def consent_screen(phone: Phone, backend: LiveBackend, identifier: str = "0912 345 678") -> str:
    """Signed in, the member taps LINE's button: the address of LINE's consent screen, not
    yet answered (the phone stops there)."""
    sign_in(phone, identifier)
    to_line = phone.http.get(backend.url("/b/line"), allow_redirects=False, timeout=10)
    assert to_line.status_code == 303
    address: str = to_line.headers["Location"]
    return address


def answered_by_line(authorize: str) -> str:
    """LINE's consent screen answered (as the fake's user was told to): the callback address."""
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback: str = answer.headers["Location"]
    assert urlsplit(callback).path == "/line/callback"
    return callback


def same_browser_in_audit(backend: LiveBackend) -> list[bool]:
    with backend.db.transaction(write=False) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("line.linked", "line.not_linked")))
        )
        return [bool(event.details["same_browser"]) for event in events]


def nothing_of_the_members(page: requests.Response, browser: Phone) -> None:
    """A page for a browser that is not the member's: no name, birthday, form or session."""
    for personal in ("Mei", "1990", "mei@", "m•", "Check your details", "<form"):
        assert personal not in page.text, personal
    assert not {"omo_bind", "omo_reg"} & set(browser.http.cookies.keys())


def test_line_hands_the_phone_back_to_another_browser_which_is_sent_back(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    """LINE's app may open the callback in a browser of its own, which has no cookie of ours:
    LINE is linked and the counter sees it, but only the browser that left goes on."""
    counter, binding, phone = scanned(backend, member_id)
    user = line.user()
    callback = answered_by_line(consent_screen(phone, backend))

    in_app = Phone(backend)
    page = in_app.open(callback)
    assert page.status_code == 200
    assert urlsplit(page.url).path == "/line/back", "no way on to the member's pages"
    assert "LINE linked" in visible(page)
    assert "Your LINE account is linked to 台北總店" in visible(page)
    assert "Go back to the page where you started" in visible(page)
    nothing_of_the_members(page, in_app)
    assert all(header in page.headers for header in PAGE_HEADERS)
    assert page.headers["Cache-Control"] == "no-store"
    seen = binding_of(counter, binding["id"])
    assert (seen["status"], seen["line_outcome"]) == ("line_linked", "linked")
    assert member(backend, member_id).line_user_id == user.sub
    # A page of its own: a reload and the language switch keep it (the callback is spent).
    assert "您的 LINE 帳號已與台北總店連結" in visible(in_app.open(page.url + "&lang=zh_TW"))
    assert in_app.open(backend.url("/line/back?line=nonsense")).status_code == 404
    assert in_app.open(backend.url("/b")).status_code == 404
    assert confirm(in_app).status_code == 404

    # The browser that left for LINE goes on from its own page.
    back = phone.open(backend.url("/b"))
    assert "Check your details" in visible(back)
    assert confirm(phone).url == backend.url("/b/done")
    assert status_of(counter, binding["id"]) == "completed"
    assert same_browser_in_audit(backend) == [False]


def test_the_state_alone_is_no_sign_in_even_with_a_trip_cookie_of_another_page(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    """A member passes LINE's consent link on to someone (or it leaks): whoever completes it,
    in a browser with a LINE trip of their own underway, gets no session of the member's."""
    counter, binding, phone = scanned(backend, member_id)
    authorize = consent_screen(phone, backend)

    # Someone else, mid-way through their own bind link with its own trip to LINE.
    with backend.db.transaction() as session:
        other = session.scalar(select(Customer).where(Customer.phone == OTHER))
        assert other is not None
        other_id = other.id
    _, _, someone = scanned(backend, other_id)
    consent_screen(someone, backend, "0922 000 111")

    own_session = someone.http.cookies["omo_bind"]
    stranger = line.user()  # the LINE account that answers is the someone's
    page = someone.open(answered_by_line(authorize))
    assert page.status_code == 200
    assert "Your LINE account is linked to 台北總店" in visible(page)
    for personal in ("Mei", "1990", "m•", "Check your details", "<form"):
        assert personal not in page.text
    assert someone.http.cookies["omo_bind"] == own_session, "no session of the member's"
    assert "omo_line" in someone.http.cookies, "a LINE trip cookie, but not the member's"
    assert "Log in with LINE" in visible(someone.open(backend.url("/b"))), (
        "their own page, as it was"
    )

    # What stays possible, and is on record: the member's link now carries the someone's
    # LINE account (the member passed it on); the member's own browser sees it linked.
    assert member(backend, member_id).line_user_id == stranger.sub
    assert "Check your details" in visible(phone.open(backend.url("/b")))
    assert binding_of(counter, binding["id"])["line_outcome"] == "linked"
    assert same_browser_in_audit(backend) == [False]


def test_a_cancel_in_another_browser_says_so_there_and_the_member_chooses_at_home(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    counter, binding, phone = scanned(backend, member_id)
    line.user(approve=False)
    callback = answered_by_line(consent_screen(phone, backend))

    in_app = Phone(backend, accept_language="zh-TW")
    page = in_app.open(callback)
    assert page.status_code == 403
    assert "未連結 LINE" in visible(page)
    assert "您在 LINE 上取消了" in visible(page)
    assert "請回到原本的頁面繼續。" in visible(page)
    nothing_of_the_members(page, in_app)
    assert 'action="/b/line/skip"' not in page.text
    assert binding_of(counter, binding["id"])["line_outcome"] == "cancelled"

    home = phone.open(backend.url("/b"))
    assert home.status_code == 403
    assert 'action="/b/line/skip"' in home.text
    assert same_browser_in_audit(backend) == [False]


def test_a_registration_finished_on_line_in_another_browser_shows_at_home(
    backend: LiveBackend, line: FakeLine
):
    counter = backend.counter("TPE01", "1001")
    counter.invite("0933 111 222")
    user = line.user(add_friend=True)
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886933111222"))
    welcome = phone.submit(
        "/r", name="林小華", password="password1", password_confirm="password1", terms="1"
    )
    assert welcome.url == backend.url("/r/done"), "registered; LINE is offered, not forced"
    to_line = phone.http.get(backend.url("/r/line"), allow_redirects=False, timeout=10)

    in_app = Phone(backend)
    page = in_app.open(answered_by_line(to_line.headers["Location"]))
    assert page.status_code == 200
    assert "Your LINE account is linked to 台北總店" in visible(page)
    assert "林小華" not in page.text
    nothing_of_the_members(page, in_app)
    assert in_app.open(backend.url("/r/done")).status_code == 404

    done = phone.open(backend.url("/r/done"))
    assert "LINE linked" in visible(done)
    with backend.db.transaction(write=False) as session:
        new = session.scalar(select(Customer).where(Customer.phone == "+886933111222"))
        assert new is not None
        assert new.line_user_id == user.sub


def test_trips_to_line_keep_no_state_in_clear_and_nothing_personal_in_the_audit(
    backend: LiveBackend, line: FakeLine, member_id: int
):
    _, _, phone = scanned(backend, member_id)
    user = line.user()
    page = to_line(phone)
    state = parse_qs(urlsplit(page.history[2].url).query)["state"][0]
    with backend.db.transaction(write=False) as session:
        trips = session.scalars(select(LineLogin)).all()
        assert len(trips) == 1
        assert trips[0].state_hash != state
        assert len(trips[0].state_hash) == 64
        assert trips[0].used_at is not None
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "line.linked"))
        details = [event.details for event in events]
    assert len(details) == 1
    assert user.sub not in str(details)
    assert details[0]["same_browser"] is True


def test_registration_with_line_links_the_new_member(backend: LiveBackend, line: FakeLine):
    counter = backend.counter("TPE01", "1001")
    reply = counter.post(
        "/api/v1/invitations", json={"phone": "0933 111 222"}, headers={"Idempotency-Key": "k1"}
    )
    assert reply.status_code == 201, reply.text
    user = line.user(add_friend=True)
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886933111222"))
    welcome = phone.submit(
        "/r", name="林小華", password="password1", password_confirm="password1", terms="1"
    )
    assert welcome.url == backend.url("/r/done")
    assert "Welcome to 台北總店" in visible(welcome)
    assert 'href="/r/line"' in welcome.text, "LINE's button"
    done = phone.open(backend.url("/r/line"))
    assert done.url == backend.url("/r/done")
    assert "Welcome to 台北總店" in visible(done)
    assert "LINE linked" in visible(done)
    with backend.db.transaction(write=False) as session:
        new = session.scalar(select(Customer).where(Customer.phone == "+886933111222"))
        assert new is not None
        assert (new.line_user_id, new.line_friend) == (user.sub, True)


def test_registration_goes_on_without_line_when_the_customer_cancels(
    backend: LiveBackend, line: FakeLine
):
    counter = backend.counter("TPE01", "1001")
    counter.post(
        "/api/v1/invitations", json={"phone": "0933 111 222"}, headers={"Idempotency-Key": "k1"}
    )
    line.user(approve=False)
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886933111222"))
    phone.submit("/r", name="林小華", password="password1", password_confirm="password1", terms="1")
    page = phone.open(backend.url("/r/line"))
    assert page.status_code == 403
    assert 'href="/r/line"' in page.text
    assert 'href="/r/done"' in page.text
    done = phone.open(backend.url("/r/done"))
    assert done.status_code == 200
    assert "Log in with LINE" in visible(done)
    assert 'href="/r/line"' in done.text


def test_without_a_line_channel_there_is_no_line_step(db_factory: DatabaseFactory):
    with live_backend(db_factory) as backend:
        backend.add_store("TPE01", "台北總店")
        backend.add_staff("TPE01", "1001", "Amy")
        member_id = add_member(backend, E164, "Mei")
        counter, binding, phone = scanned(backend, member_id)
        page = sign_in(phone)
        assert "Check your details" in visible(page)
        assert [r.status_code for r in page.history] == [303]
        assert phone.open(backend.url("/b/line")).url == backend.url("/b")
        assert requests.get(backend.url("/line/callback?state=x"), timeout=10).status_code == 400
        confirm(phone)
        final = binding_of(counter, binding["id"])
        assert (final["status"], final["line_outcome"]) == ("completed", None)
        assert watch(counter, binding["id"], "completed")["status"] == "completed"
