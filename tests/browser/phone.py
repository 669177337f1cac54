"""A customer's phone in a real headless Chromium: loads pages, fills forms by their labels,
checks each page's weight and origin, and keeps a full-page screenshot of every page."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import BrowserContext, Locator, Page, Request, Response, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from omo_backend.pages.i18n import LANGUAGE_NAMES, SOURCE_LOCALE, WORDS, translations
from tests.browser.staff import STORE

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "phone"
# A page's first load on a slow phone connection: the document and everything it loads.
PAGE_BUDGET_BYTES = 30_000
# A comfortable tap target, in CSS pixels (WCAG 2.2 "target size (enhanced)", Apple's HIG).
FINGERTIP_PX = 44
VIEWPORT: ViewportSize = {"width": 390, "height": 844}
# Text against its background (WCAG 2.2, 1.4.3), for every size of text on the pages.
TEXT_CONTRAST = 4.5
# What the phone's browser sends as its language (Playwright sets Accept-Language from it).
BROWSER_LOCALE = {"en": "en-US", "zh_TW": "zh-TW"}
# The birthday's three lists.
BIRTHDAY = ("year", "month", "day")


# The templates' own words (``{{ _("...") }}``), by the names the tests know them by: their
# English is their message id in the catalogs.
TEMPLATE_WORDS = {
    "register_intro": (
        "Your mobile number %(phone)s is verified by this link. Fill in your details to finish."
    ),
    "form_has_errors": "Please check the fields marked below.",
    "name": "Name",
    "email": "E-mail (optional)",
    "birthday": "Birthday (optional)",
    "birthday_year": "Year",
    "birthday_month": "Month",
    "birthday_day": "Day",
    "terms_link": "Read the member terms and privacy notice",
    "terms_close": "Close this tab to go back to the form.",
    "password": "Password for signing in",
    "password_hint": "At least 8 characters.",
    "password_confirm": "Password again",
    "submit": "Join",
    "bind_intro": (
        "Sign in with the member account you registered: "
        "your mobile number or e-mail, and your password."
    ),
    "bind_member": "The staff found member %(phone)s.",
    "identifier": "Mobile number or e-mail",
    "identifier_hint": "For example 0912 345 678, +886 912 345 678 or you@example.com.",
    "password_current": "Password",
    "sign_in": "Sign in",
    "details_intro": (
        "Signed in. Check your details, then confirm to link your membership to %(store)s."
    ),
    "email_on_file": "E-mail",
    "confirm_details": "Confirm",
    "reset_intro": "For member %(phone)s.",
    "password_new": "New password",
    "reset_save": "Save new password",
    "first_password_save": "Save password",
}


def words(lang: str) -> dict[str, str]:
    """The pages' words in ``lang``, as the backend's catalogs have them (the tests follow its
    wording), with ``str.format`` placeholders: ``w["done_title"].format(store=...)``."""
    catalog = translations(lang)
    found = {}
    for key, msgid in (WORDS | TEMPLATE_WORDS).items():
        text = catalog.gettext(msgid)
        assert lang == SOURCE_LOCALE or text != msgid, f"{key}: {msgid!r} not in the {lang} catalog"
        found[key] = re.sub(r"%\((\w+)\)s", r"{\1}", text)
    found["switch_to"] = LANGUAGE_NAMES["en" if lang == "zh_TW" else "zh_TW"]
    return found


# Measured in the page: each visible tap target's box (a checkbox's is its label; a list, a
# field and a link are targets too) and each visible text's colour against the first opaque
# background behind it.
_MEASURE_JS = """([touch, minimum]) => {
  const rgba = (css) => {
    const m = css.match(/rgba?\\(([^)]*)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r, g, b, a: a === undefined ? 1 : a };
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const over = (fg, bg) => ({
    r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
    b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1,
  });
  const ground = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a >= 1) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };  // the browser's canvas
  };
  const shown = (e) => {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    return box.width > 0 && box.height > 0 &&
      style.visibility !== 'hidden' && style.opacity !== '0';
  };
  const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} ` +
    `"${((e.tagName === 'SELECT' ? e.value : e.innerText) || e.value || e.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 50)}"`;
  // The one exception, and only this pair of colours: LINE's own buttons (LINE Login, Add
  // friend) are white on LINE green #06C755 (about 2.2:1) because LINE's brand guidelines
  // require exactly that and allow no other colours for them. An element marked
  // data-brand="line" may draw that pair; any other colour in it is measured as usual.
  const LINE_GREEN = { r: 6, g: 199, b: 85 }, WHITE = { r: 255, g: 255, b: 255 };
  const same = (a, b) => a.r === b.r && a.g === b.g && a.b === b.b;
  const lines_own = (e, fg, bg) =>
    e.closest('[data-brand="line"]') !== null && same(fg, WHITE) && same(bg, LINE_GREEN);
  const small = [], faint = [];
  const targets = new Set();
  const tappable = 'a, button, select, textarea, input:not([type=hidden])';
  for (const e of document.querySelectorAll(tappable)) {
    const box = ['checkbox', 'radio'].includes(e.type) ? e.closest('label') || e : e;
    targets.add(box);
  }
  for (const e of targets) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width < touch || r.height < touch)
      small.push(`${name(e)}: ${Math.round(r.width)}x${Math.round(r.height)} px`);
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node; (node = texts.nextNode());) {
    const e = node.parentElement;
    if (!node.data.trim() || seen.has(e) || !shown(e)) continue;
    seen.add(e);
    const bg = ground(e), fg = over(rgba(getComputedStyle(e).color), bg);
    const r = ratio(fg, bg);
    if (r < minimum && !lines_own(e, fg, bg)) faint.push(`${name(e)}: ${r.toFixed(2)}:1`);
  }
  const fields =
    'select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  for (const e of document.querySelectorAll(fields)) {
    if (!shown(e)) continue;
    const bg = ground(e), r = ratio(over(rgba(getComputedStyle(e).color), bg), bg);
    if (r < minimum) faint.push(`${name(e)}: ${r.toFixed(2)}:1`);
  }
  return { small, faint };
}"""


def unreadable_or_small(page: Page) -> dict[str, list[str]]:
    """What on the page is too small to tap (under 44 px either way) or too faint to read
    (text under 4.5:1 on its background): ``{"small": [...], "faint": [...]}``."""
    found: dict[str, list[str]] = page.evaluate(_MEASURE_JS, [FINGERTIP_PX, TEXT_CONTRAST])
    return found


class NavigationAborted(AssertionError):
    """The browser dropped a navigation (Chromium's net::ERR_ABORTED): the tap led nowhere, and
    the customer is left looking at the page they tapped on."""


@dataclass
class Load:
    """One page as the customer got it: the main response and all it took to show it."""

    url: str
    status: int
    transferred: int
    requests: list[str] = field(default_factory=list)
    small_targets: list[str] = field(default_factory=list)


class PhoneScreen:
    """One browser context (one phone's browser, or one incognito window) with one tab.

    Every request stays on the backend's origin, except to the few ``elsewhere`` origins this
    phone is told it may visit (a stand-in for LINE, where the pages send the customer).
    """

    def __init__(
        self, context: BrowserContext, origin: str, lang: str, elsewhere: tuple[str, ...] = ()
    ) -> None:
        self.context = context
        self.origin = origin
        self.lang = lang
        self.elsewhere = elsewhere
        self.page: Page = context.new_page()
        self.requests: list[Request] = []
        self.loads: list[Load] = []
        context.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.requests.append(request)

    # --- moving around ------------------------------------------------------------------------

    def open(self, url: str) -> Load:
        """Types ``url`` into the address bar (or taps it in an SMS)."""
        start = len(self.requests)
        response = self.page.goto(url, wait_until="load")
        assert response is not None, f"no response for {url}"
        return self._loaded(start, response)

    def tap(self, button: str) -> Load:
        """Taps the button named ``button``; its form is sent and the next page loads."""
        # The button posts a form: a navigation the tap starts, so waited for around it.
        return self._navigate(self.page.get_by_role("button", name=button, exact=True), button)

    def follow(self, link: str) -> Load:
        """Taps the link named ``link`` (a link drawn as a button too); the next page loads."""
        return self._navigate(self.page.get_by_role("link", name=link, exact=True), link)

    def switch_language(self, to: str) -> Load:
        """Taps the header's language link (named in the language it switches to)."""
        name = words(self.lang)["switch_to"]
        link = self.page.get_by_role("link", name=name, exact=True)
        self.lang = to
        return self._navigate(link, name)

    def tap_away(self, button: str, role: Literal["button", "link"] = "button") -> str:
        """Taps a button (or a link drawn as one) that takes the phone to another site (one
        it may visit); no checks of ours apply to that site's page. Returns where the phone
        landed."""
        start = len(self.requests)
        self._wait_for_navigation(self.page.get_by_role(role, name=button, exact=True), button)
        self._stayed_allowed(start)
        assert not self.page.url.startswith(self.origin + "/"), f"still at {self.page.url}"
        return self.page.url

    def back(self) -> Load:
        """The browser's Back button; the previous page is fetched again (pages are no-store)."""
        start = len(self.requests)
        response = self.page.go_back(wait_until="load")
        assert response is not None, "going back loaded nothing (a page from the cache?)"
        return self._loaded(start, response)

    def _navigate(self, target: Locator, name: str) -> Load:
        start = len(self.requests)
        response = self._wait_for_navigation(target, name)
        assert response is not None, f"tapping {name!r} loaded nothing"
        return self._loaded(start, response)

    def _wait_for_navigation(self, target: Locator, name: str) -> Response | None:
        start = len(self.requests)
        try:
            with self.page.expect_navigation(wait_until="load") as navigation:
                target.tap()
        except PlaywrightError as error:
            if "ERR_ABORTED" not in error.message:
                raise
            made = [f"{r.method} {r.url}" for r in self.requests[start:]]
            raise NavigationAborted(
                f"tapping {name!r}: the browser dropped the navigation and stays at "
                f"{self.page.url} (a redirect the page's Content-Security-Policy does not allow, "
                f"such as form-action, is one cause); requests made: {made}"
            ) from error
        return navigation.value

    def field(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)

    def typed(self, values: dict[str, str]) -> None:
        """Types into the fields labelled by the keys."""
        for label, value in values.items():
            self.field(label).fill(value)

    def choose_birthday(self, year: int | None, month: int | None, day: int | None) -> None:
        """Picks the birthday's year, month and day from their lists (None: left empty)."""
        w = words(self.lang)
        for part, value in (("year", year), ("month", month), ("day", day)):
            self.field(w[f"birthday_{part}"]).select_option("" if value is None else str(value))

    def birthday_chosen(self) -> tuple[str, str, str]:
        """What the birthday's year, month and day lists show as chosen ("" for none)."""
        w = words(self.lang)
        year, month, day = (self.field(w[f"birthday_{p}"]).input_value() for p in BIRTHDAY)
        return year, month, day

    def birthday_reading_order(self) -> list[str]:
        """The birthday's lists as the eye reads them, left to right: their labels' words."""
        w = words(self.lang)
        lefts = {}
        for part in BIRTHDAY:
            box = self.field(w[f"birthday_{part}"]).bounding_box()
            assert box is not None, f"the birthday's {part} list is not shown"
            lefts[part] = box["x"]
        return sorted(BIRTHDAY, key=lambda part: lefts[part])

    def text(self) -> str:
        return " ".join(self.page.locator("body").inner_text().split())

    def error_of(self, label: str) -> str:
        """The error a screen reader reads out for the field: the ``-err`` it is described by."""
        element = self.field(label)
        assert element.get_attribute("aria-invalid") == "true", f"{label!r} is not marked invalid"
        described_by = (element.get_attribute("aria-describedby") or "").split()
        errors = [ref for ref in described_by if ref.endswith("-err")]
        assert len(errors) == 1, f"{label!r} is described by no error: {described_by}"
        error = self.page.locator(f"#{errors[0]}")
        assert error.is_visible(), f"the error of {label!r} is not shown"
        return " ".join(error.inner_text().split())

    def is_valid(self, label: str) -> bool:
        return self.field(label).get_attribute("aria-invalid") != "true"

    # --- what every page must be ----------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        return url.startswith((self.origin + "/", "data:", *(o + "/" for o in self.elsewhere)))

    def _stayed_allowed(self, start: int) -> None:
        for request in self.requests[start:]:
            assert self._allowed(request.url), (
                f"{self.page.url} made a request off the backend's origin: {request.url}"
            )

    def _loaded(self, start: int, response: Response) -> Load:
        made = self.requests[start:]
        self._stayed_allowed(start)
        transferred = 0
        for request in made:
            if request.url.startswith("data:"):
                continue
            sizes = request.sizes()
            transferred += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        load = Load(
            url=self.page.url,
            status=response.status,
            transferred=transferred,
            requests=[f"{r.method} {r.url.removeprefix(self.origin)}" for r in made],
        )
        self.loads.append(load)
        assert transferred < PAGE_BUDGET_BYTES, (
            f"{load.url} took {transferred} bytes to load (budget {PAGE_BUDGET_BYTES}): "
            f"{load.requests}"
        )
        assert self.page.locator("script").count() == 0, f"{load.url} has a <script>"
        expected = "zh-Hant-TW" if self.lang == "zh_TW" else "en"
        lang = self.page.locator("html").get_attribute("lang")
        assert lang == expected, (
            f"{load.url} ({load.status}) is in {lang!r}, not {expected!r}: {self.text()[:300]}"
        )
        load.small_targets = self._fits_the_screen()
        return load

    def _fits_the_screen(self) -> list[str]:
        """Nothing scrolls sideways; returns the tap targets smaller than a fingertip.

        Those are noted with the screenshot rather than failed: WCAG's 24 px minimum lets a
        lone small link pass by its spacing, so it is a finding for a person to judge.
        """
        layout: dict[str, Any] = self.page.evaluate(
            """(fingertip) => ({
                scroll: document.documentElement.scrollWidth,
                width: window.innerWidth,
                // A box inside its label is tapped anywhere on the label.
                small: [...document.querySelectorAll('a, button, select, input:not([type=hidden])')]
                    .map(e => [e.closest('label') || e, e])
                    .map(([target, e]) => [
                        e.tagName.toLowerCase() + ' ' + (e.id || e.name || e.textContent.trim()),
                        target.getBoundingClientRect()])
                    .filter(([, r]) => r.width > 0 && (r.width < fingertip || r.height < fingertip))
                    .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`),
            })""",
            FINGERTIP_PX,
        )
        assert layout["scroll"] <= layout["width"], (
            f"{self.page.url} scrolls sideways: {layout['scroll']} > {layout['width']} px"
        )
        small: list[str] = layout["small"]
        return small

    def assert_stayed_home(self) -> None:
        """Nothing this browser ever asked for, loads or not, left the backend's origin (or
        went anywhere but the origins it was allowed)."""
        away = [r.url for r in self.requests if not self._allowed(r.url)]
        assert not away, f"requests off the backend's origin: {away}"

    # --- the pictures ---------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        """A full-page PNG of what the phone shows now, with what its last load weighed."""
        folder = SHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        # Every page with a picture is one a customer sees: each target takes a fingertip
        # and each text reads.
        found = unreadable_or_small(self.page)
        assert found == {"small": [], "faint": []}, f"{name} ({self.page.url}): {found}"
        # What the page keeps on one line (a store's name, a masked number) is on one line.
        split = self.page.evaluate(
            "[...document.querySelectorAll('.nobr')]"
            ".filter(e => e.getClientRects().length > 1).map(e => e.textContent)"
        )
        assert split == [], f"{name}: broken across lines: {split}"
        last = self.loads[-1] if self.loads else None
        record = {
            "url": self.page.url.removeprefix(self.origin),
            "status": last.status if last else None,
            "transferred_bytes": last.transferred if last else None,
            "requests": last.requests if last else [],
            "small_tap_targets": last.small_targets if last else [],
        }
        summary = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
        path.with_suffix(".json").write_text(summary, encoding="utf-8")
        return path


def says(phone: PhoneScreen, *keys: str) -> None:
    """The page has a heading and these messages (the store's name filled in), in its language."""
    w = words(phone.lang)
    text = phone.text()
    for key in keys:
        assert w[key].format(store=STORE, phone="") in text, f"{w[key]!r} not in {text!r}"
    assert phone.page.get_by_role("heading", level=1).is_visible()
    for bad in ("Traceback", "Internal Server Error", '"detail"', "{store}", "%(store)s"):
        assert bad not in text


# Opens another phone browser: ``new_phone()`` in the test's language, or ``new_phone("en")``;
# ``new_phone(elsewhere=(origin,))`` lets it visit another origin too.
NewPhone = Callable[..., PhoneScreen]
