"""A customer's phone in a real headless Chromium: loads pages, fills forms by their labels,
checks each page's weight and origin, and keeps a full-page screenshot of every page."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, Request, Response, ViewportSize

from omo_backend.pages.i18n import MESSAGES
from tests.browser.staff import STORE

SHOTS = Path(os.environ.get("OMO_SCREENSHOTS", "test-artifacts/screens")) / "phone"
# A page's first load on a slow phone connection: the document and everything it loads.
PAGE_BUDGET_BYTES = 30_000
# A comfortable tap target, in CSS pixels (WCAG 2.2 "target size (enhanced)", Apple's HIG).
FINGERTIP_PX = 44
VIEWPORT: ViewportSize = {"width": 390, "height": 844}
# What the phone's browser sends as its language (Playwright sets Accept-Language from it).
BROWSER_LOCALE = {"en": "en-US", "zh_TW": "zh-TW"}


def words(lang: str) -> dict[str, str]:
    """The pages' words in ``lang``, as the backend has them (the tests follow its wording)."""
    return MESSAGES[lang]


@dataclass
class Load:
    """One page as the customer got it: the main response and all it took to show it."""

    url: str
    status: int
    transferred: int
    requests: list[str] = field(default_factory=list)
    small_targets: list[str] = field(default_factory=list)


class PhoneScreen:
    """One browser context (one phone's browser, or one incognito window) with one tab."""

    def __init__(self, context: BrowserContext, origin: str, lang: str) -> None:
        self.context = context
        self.origin = origin
        self.lang = lang
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
        start = len(self.requests)
        # The button posts a form: a navigation the click starts, so waited for around it.
        with self.page.expect_navigation(wait_until="load") as navigation:
            self.page.get_by_role("button", name=button, exact=True).tap()
        response = navigation.value
        assert response is not None, f"tapping {button!r} loaded nothing"
        return self._loaded(start, response)

    def switch_language(self, to: str) -> Load:
        """Taps the header's language link (named in the language it switches to)."""
        link = self.page.get_by_role("link", name=words(self.lang)["switch_to"], exact=True)
        self.lang = to
        start = len(self.requests)
        with self.page.expect_navigation(wait_until="load") as navigation:
            link.tap()
        response = navigation.value
        assert response is not None, "the language switch loaded nothing"
        return self._loaded(start, response)

    def field(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)

    def typed(self, values: dict[str, str]) -> None:
        """Types into the fields labelled by the keys."""
        for label, value in values.items():
            self.field(label).fill(value)

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

    def _loaded(self, start: int, response: Response) -> Load:
        made = self.requests[start:]
        for request in made:
            assert request.url.startswith((self.origin + "/", "data:")), (
                f"{self.page.url} made a request off the backend's origin: {request.url}"
            )
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
                small: [...document.querySelectorAll('a, button, input:not([type=hidden])')]
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
        """Nothing this browser ever asked for, loads or not, left the backend's origin."""
        away = [r.url for r in self.requests if not r.url.startswith((self.origin + "/", "data:"))]
        assert not away, f"requests off the backend's origin: {away}"

    # --- the pictures ---------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        """A full-page PNG of what the phone shows now, with what its last load weighed."""
        folder = SHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
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
    for bad in ("Traceback", "Internal Server Error", '"detail"', "{store}"):
        assert bad not in text


# Opens another phone browser: ``new_phone()`` in the test's language, or ``new_phone("en")``.
NewPhone = Callable[..., PhoneScreen]
