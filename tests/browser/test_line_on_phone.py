"""The LINE step in a real phone browser: after signing in on the bind link (or registering)
the phone goes to LINE and comes back, while the counter follows each turn.

LINE is ``FakeLine``, a local server speaking LINE Login v2.1 whose consent screen answers at
once with what the test told its user to tap. Its origin is the only one besides the backend's
that these phones may visit. Every page load is checked by ``PhoneScreen``: under the size
budget, no script, nothing wider than the screen, in the phone's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Route
from sqlalchemy import select

from omo_backend.models import Customer
from tests.browser.phone import Load, NewPhone, PhoneScreen, says, words
from tests.browser.staff import (
    E164,
    PASSWORD,
    STORE,
    add_member,
    bind_now,
    binding,
    invitation,
    invite,
    set_store_pages,
)
from tests.fakes.line_server import FakeLine
from tests.support.backend import Counter, DatabaseFactory, LiveBackend, latest_link, live_backend

LANGS = ["en", "zh_TW"]
ADD_FRIEND = "https://line.me/R/ti/p/@omo-tpe01"
AUTHORIZE = "/oauth2/v2.1/authorize"


@pytest.fixture
def line() -> Iterator[FakeLine]:
    with FakeLine() as fake:
        yield fake


@pytest.fixture
def backend(db_factory: DatabaseFactory, line: FakeLine) -> Iterator[LiveBackend]:
    """The backend with a LINE channel (the fake's): the phones and the counter use this one."""
    with live_backend(db_factory, **line.settings_overrides()) as live:
        yield live


@pytest.fixture
def elsewhere(line: FakeLine) -> tuple[str, ...]:
    """The phones may go to LINE."""
    return (line.base_url,)


def line_of(counter: Counter, binding_id: int) -> tuple[Any, Any, Any]:
    """What the counter shows of the binding: its status, LINE's outcome, LINE friendship."""
    seen = binding(counter, binding_id)
    return seen["status"], seen["line_outcome"], seen["line_friend"]


def went_to_line(load: Load, line: FakeLine) -> None:
    """The load passed through LINE's consent screen and came back through our callback."""
    assert any(r.startswith(f"GET {line.base_url}{AUTHORIZE}?") for r in load.requests), load
    assert any(r.startswith("GET /line/callback?") for r in load.requests), load


def ready_for_line(
    phone: PhoneScreen, backend: LiveBackend, counter: Counter, member_id: int
) -> int:
    """The member scans the counter's QR code and signs in: the LINE step's page, with
    LINE's button and the way on without LINE. The binding's id."""
    w = words(phone.lang)
    qr = bind_now(counter, member_id)
    assert phone.open(qr["qr_url"]).url == backend.url("/b")
    assert line_of(counter, qr["id"]) == ("scanned", None, None)
    phone.typed({w["identifier"]: "0933 222 111", w["password_current"]: PASSWORD})
    intro = phone.tap(w["sign_in"])
    assert intro.status == 200
    assert intro.url == backend.url("/b")
    assert not any(AUTHORIZE in r for r in intro.requests), "not to LINE without a tap"
    says(phone, "line_title", "line_intro")
    assert phone.page.get_by_role("link", name=w["line_login"], exact=True).is_visible()
    assert phone.page.get_by_role("button", name=w["line_skip"], exact=True).is_visible()
    assert line_of(counter, qr["id"]) == ("signed_in", None, None)
    return int(qr["id"])


def actions(phone: PhoneScreen) -> list[tuple[str, bool]]:
    """The page's actions in order, each with whether it is drawn as the main one."""
    found: list[tuple[str, bool]] = phone.page.locator("main .card").evaluate(
        """card => [...card.querySelectorAll('a.btn, button')].map(e =>
            [(e.querySelector('span') || e).textContent.trim(),
             !e.classList.contains('quiet')])"""
    )
    return [(name, main) for name, main in found]


def confirmed(phone: PhoneScreen, backend: LiveBackend) -> str:
    """The member confirms their details as they are; the text of the page that follows."""
    done = phone.tap(words(phone.lang)["confirm_details"])
    assert done.status == 200
    assert done.url == backend.url("/b/done")
    says(phone, "bind_done_title", "bind_done")
    return phone.text()


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_allows_line_adds_the_friend_and_the_counter_follows(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    user = line.user(approve=True, add_friend=True)

    # LINE's button → /b/line → LINE's consent screen → /line/callback → the details step.
    details = phone.follow(w["line_login"])
    assert details.status == 200
    assert details.url == backend.url("/b"), "LINE's code and state leave the address bar"
    went_to_line(details, line)
    says(phone, "details_title")
    assert line_of(counter, binding_id) == ("line_linked", "linked", True)
    phone.shot("line-1-details-after-line")

    done = confirmed(phone, backend)
    assert w["line_linked_friend"].format(store=STORE) in done
    assert line_of(counter, binding_id) == ("completed", "linked", True)
    with backend.db.transaction(write=False) as session:
        member = session.get_one(Customer, member_id)
        assert (member.line_user_id, member.line_friend) == (user.sub, True)
    phone.shot("line-2-done-friend")


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_backs_out_of_line_then_links_without_adding_the_friend(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    set_store_pages(backend, line_add_friend_url=ADD_FRIEND)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)

    # LINE's consent screen, as a page that waits (the fake's answers at once), and Back.
    def consent_screen(route: Route) -> None:
        route.fulfill(content_type="text/html", body="<!doctype html><h1>LINE</h1>")

    phone.context.route(f"{line.base_url}/**", consent_screen)
    away = phone.tap_away(w["line_login"], role="link")
    assert away.startswith(f"{line.base_url}{AUTHORIZE}?")
    assert line_of(counter, binding_id) == ("signed_in", None, None)
    intro = phone.back()
    assert intro.status == 200
    assert intro.url == backend.url("/b")
    says(phone, "line_title", "line_intro")
    phone.shot("line-0-intro")
    phone.context.unroute(f"{line.base_url}/**")

    line.user(approve=True, add_friend=False)
    details = phone.follow(w["line_login"])
    went_to_line(details, line)
    assert details.url == backend.url("/b")
    says(phone, "details_title")
    assert line_of(counter, binding_id) == ("line_linked", "linked", False)

    done = confirmed(phone, backend)
    assert w["line_linked_not_friend"].format(store=STORE) in done
    assert w["line_linked_friend"].format(store=STORE) not in done
    assert line_of(counter, binding_id) == ("completed", "linked", False)
    # Not a friend yet: LINE's "Add friend" button, to the store's Official Account.
    add_friend = phone.page.get_by_role("link", name=w["line_add_friend"], exact=True)
    assert add_friend.get_attribute("href") == ADD_FRIEND
    assert actions(phone)[0] == (w["line_add_friend"], True)
    phone.shot("line-2-done-not-friend")


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_goes_on_without_line_before_going_to_line(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    assert actions(phone) == [(w["line_login"], True), (w["line_skip"], False)]

    details = phone.tap(w["line_skip"])
    assert details.status == 200
    assert details.url == backend.url("/b")
    assert not any(AUTHORIZE in r for r in details.requests), "never went to LINE"
    says(phone, "details_title")
    assert line_of(counter, binding_id) == ("signed_in", "skipped", None)
    done = confirmed(phone, backend)
    assert w["line_add_friend"] not in done
    assert line_of(counter, binding_id) == ("completed", "skipped", None)


def left_for_line(phone: PhoneScreen, line: FakeLine, button: str, **user: Any) -> str:
    """The phone taps ``button`` and is left on LINE (LINE's app takes over); LINE's user does
    as ``user`` says, and LINE answers in a browser of its own: the callback's address."""
    # With no user set yet the fake's consent screen is a page that stays (Playwright does
    # not route a redirect's hops, so it cannot be stubbed on the way).
    authorize = phone.tap_away(button, role="link")
    assert authorize.startswith(f"{line.base_url}{AUTHORIZE}?")
    line.user(**user)
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback: str = answer.headers["Location"]
    return callback


@pytest.mark.parametrize("lang", LANGS)
def test_line_answers_in_its_own_browser_which_is_sent_back_to_the_phones_page(
    backend: LiveBackend,
    counter: Counter,
    phone: PhoneScreen,
    new_phone: NewPhone,
    line: FakeLine,
    lang: str,
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    callback = left_for_line(phone, line, w["line_login"], approve=True, add_friend=True)

    in_app = new_phone()
    linked = in_app.open(callback)
    assert linked.status == 200
    says(in_app, "line_linked_title", "line_linked_elsewhere")
    assert "Mei" not in in_app.text()
    assert in_app.page.locator("form").count() == 0
    assert line_of(counter, binding_id) == ("line_linked", "linked", True)
    in_app.shot("line-elsewhere-linked")
    other = "en" if lang == "zh_TW" else "zh_TW"
    assert in_app.switch_language(other).status == 200
    says(in_app, "line_linked_title", "line_linked_elsewhere")

    # Back in the phone's own browser, the page it left goes on to the details.
    details = phone.open(backend.url("/b"))
    assert details.status == 200
    says(phone, "details_title")
    assert w["line_linked_friend"].format(store=STORE) in confirmed(phone, backend)
    assert line_of(counter, binding_id) == ("completed", "linked", True)


@pytest.mark.parametrize("lang", LANGS)
def test_a_cancel_in_lines_own_browser_is_told_there_and_chosen_on_the_phone(
    backend: LiveBackend,
    counter: Counter,
    phone: PhoneScreen,
    new_phone: NewPhone,
    line: FakeLine,
    lang: str,
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    callback = left_for_line(phone, line, w["line_login"], approve=False)

    in_app = new_phone()
    assert in_app.open(callback).status == 403
    says(in_app, "line_problem_title", "line_cancelled", "line_go_back")
    assert in_app.page.get_by_role("button").count() == 0, "nothing to choose there"
    assert line_of(counter, binding_id) == ("signed_in", "cancelled", None)
    in_app.shot("line-elsewhere-cancelled")

    assert phone.open(backend.url("/b")).status == 403
    says(phone, "line_problem_title", "line_cancelled")
    assert phone.page.get_by_role("button", name=w["line_skip"], exact=True).is_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_cancel_on_line_says_so_and_the_member_continues_without_line(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    line.user(approve=False)

    cancelled = phone.follow(w["line_login"])
    went_to_line(cancelled, line)
    assert cancelled.status == 403
    assert cancelled.url == backend.url("/b"), "not the callback's one-use address"
    says(phone, "line_problem_title", "line_cancelled")
    # Cancelled on LINE: trying again is the main action.
    assert actions(phone) == [(w["line_try_again"], True), (w["line_skip"], False)]
    assert line_of(counter, binding_id) == ("signed_in", "cancelled", None)
    phone.shot("line-cancelled")

    # Coming back to the page later: the same choice, not the details step.
    again = phone.open(backend.url("/b"))
    assert again.status == 403
    says(phone, "line_cancelled")

    details = phone.tap(w["line_skip"])
    assert details.status == 200
    assert details.url == backend.url("/b")
    says(phone, "details_title")
    assert line_of(counter, binding_id) == ("signed_in", "skipped", None)

    done = confirmed(phone, backend)
    for key in ("line_linked_friend", "line_linked_not_friend"):
        assert w[key].format(store=STORE) not in done
    assert line_of(counter, binding_id) == ("completed", "skipped", None)
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Customer, member_id).line_user_id is None
    phone.shot("line-done-without-line")


def test_the_line_problem_page_survives_a_reload_and_a_language_switch(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine
) -> None:
    w = words("en")
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)
    line.user(approve=False)
    assert phone.follow(w["line_login"]).status == 403

    # The browser reloads the tab (or brings it back from the background).
    response = phone.page.reload(wait_until="load")
    assert response is not None
    assert response.status == 403, f"{response.url} {response.status}: {phone.text()}"
    says(phone, "line_problem_title", "line_cancelled")

    switched = phone.switch_language("zh_TW")
    assert switched.status == 403, f"{switched.url} {switched.status}: {phone.text()}"
    says(phone, "line_problem_title", "line_cancelled")
    zh = words("zh_TW")
    assert phone.page.get_by_role("link", name=zh["line_try_again"], exact=True).is_visible()
    assert phone.page.get_by_role("button", name=zh["line_skip"], exact=True).is_visible()
    assert line_of(counter, binding_id) == ("signed_in", "cancelled", None)


@pytest.mark.parametrize("lang", LANGS)
def test_a_line_account_of_another_member_is_refused_and_the_member_tries_again_with_their_own(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    partner = line.user(approve=True, add_friend=True)  # the phone's LINE is someone else's
    with backend.db.transaction() as session:
        session.add(
            Customer(
                name="Wei",
                name_search="wei",
                phone="+886955444333",
                is_member=True,
                line_user_id=partner.sub,
            )
        )
    member_id = add_member(backend, E164, "Mei", email="mei@example.com")
    binding_id = ready_for_line(phone, backend, counter, member_id)

    taken = phone.follow(w["line_login"])
    went_to_line(taken, line)
    assert taken.status == 409
    assert taken.url == backend.url("/b")
    says(phone, "line_problem_title", "line_taken")
    # Its words recommend going on without LINE: that is the main action, and comes first.
    assert actions(phone) == [(w["line_skip"], True), (w["line_try_again"], False)]
    assert line_of(counter, binding_id) == ("signed_in", "taken", None)
    phone.shot("line-taken")

    # "Try LINE again" with their own account: cancelled at first, then allowed.
    own = line.user(approve=False)
    cancelled = phone.follow(w["line_try_again"])
    went_to_line(cancelled, line)
    assert cancelled.status == 403
    says(phone, "line_cancelled")
    assert line_of(counter, binding_id) == ("signed_in", "cancelled", None)

    line.user(sub=own.sub, approve=True, add_friend=True)
    details = phone.follow(w["line_try_again"])
    went_to_line(details, line)
    assert details.status == 200
    assert details.url == backend.url("/b")
    says(phone, "details_title")
    assert line_of(counter, binding_id) == ("line_linked", "linked", True)
    assert w["line_linked_friend"].format(store=STORE) in confirmed(phone, backend)
    assert line_of(counter, binding_id) == ("completed", "linked", True)
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Customer, member_id).line_user_id == own.sub


def registered(phone: PhoneScreen, backend: LiveBackend, counter: Counter) -> tuple[int, Load]:
    """The customer opens the SMS and sends the form: the invitation and the load that follows."""
    w = words(phone.lang)
    sent = invite(counter)
    assert phone.open(latest_link(backend, E164)).url == backend.url("/r")
    phone.typed({w["name"]: "林小華", w["password"]: PASSWORD, w["password_confirm"]: PASSWORD})
    phone.page.get_by_role("checkbox", name=w["terms_consent"].format(store=STORE)).check()
    return int(sent["id"]), phone.tap(w["submit"])


def line_of_member(backend: LiveBackend) -> tuple[str | None, bool | None]:
    with backend.db.transaction(write=False) as session:
        member = session.scalars(select(Customer).where(Customer.phone == E164)).one()
        return member.line_user_id, member.line_friend


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_member_registers_and_links_line_on_the_way(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    user = line.user(approve=True, add_friend=True)
    invitation_id, welcome = registered(phone, backend, counter)
    assert welcome.url == backend.url("/r/done")
    assert not any(AUTHORIZE in r for r in welcome.requests), "not to LINE without a tap"
    says(phone, "done_title", "line_intro")
    assert actions(phone) == [(w["line_login"], True)], "LINE's button, and nothing to skip"
    says(phone, "can_close")
    phone.shot("line-register-0-offer")

    done = phone.follow(w["line_login"])
    went_to_line(done, line)
    assert done.status == 200
    assert done.url == backend.url("/r/done")
    says(phone, "done_title", "line_linked_friend")
    assert phone.page.get_by_role("link", name=w["line_login"]).count() == 0
    assert invitation(counter, invitation_id)["status"] == "registered"
    assert line_of_member(backend) == (user.sub, True)
    phone.shot("line-register-done")


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_member_cancels_on_line_goes_on_and_links_it_later_from_the_last_page(
    backend: LiveBackend, counter: Counter, phone: PhoneScreen, line: FakeLine, lang: str
) -> None:
    w = words(lang)
    line.user(approve=False)
    invitation_id, _ = registered(phone, backend, counter)
    cancelled = phone.follow(w["line_login"])
    went_to_line(cancelled, line)
    assert cancelled.status == 403
    assert cancelled.url == backend.url("/r/done?line=cancelled")
    says(phone, "line_problem_title", "line_cancelled")
    assert invitation(counter, invitation_id)["status"] == "registered", "joined all the same"
    phone.shot("line-register-cancelled")

    done = phone.follow(w["line_skip"])
    assert done.status == 200
    assert done.url == backend.url("/r/done")
    says(phone, "done_title")
    offer = w["line_login"]
    assert phone.page.get_by_role("link", name=offer, exact=True).is_visible()
    assert line_of_member(backend) == (None, None)
    phone.shot("line-register-done-offer")

    user = line.user(approve=True, add_friend=False)
    linked = phone.follow(offer)
    went_to_line(linked, line)
    assert linked.url == backend.url("/r/done")
    says(phone, "done_title", "line_linked_not_friend")
    assert phone.page.get_by_role("link", name=offer, exact=True).count() == 0
    # The store has set no add-friend link: there is none to offer.
    assert phone.page.get_by_role("link", name=w["line_add_friend"]).count() == 0
    assert line_of_member(backend) == (user.sub, False)
