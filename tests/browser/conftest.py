"""A real headless Chromium (Debian's, never a downloaded one) at phone size, and the store
set-up the phone tests share."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.phone import BROWSER_LOCALE, VIEWPORT, NewPhone, PhoneScreen
from tests.browser.staff import STORE
from tests.support.backend import Counter, DatabaseFactory, LiveBackend

# Debian's package; elsewhere any Chromium or Chrome binary (a path, or a name on PATH).
CHROMIUM = os.environ.get("OMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A step that hangs fails in seconds, not after Playwright's default 30 s.
STEP_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test process; each test gets its own contexts (fresh cookies)."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        reason = f"no Chromium at {CHROMIUM}: run scripts/setup.sh, or point OMO_CHROMIUM at one"
        if os.environ.get("OMO_ALLOW_NO_BROWSER") == "1":
            pytest.skip(reason)
        pytest.fail(f"{reason} (OMO_ALLOW_NO_BROWSER=1 skips the browser tests instead)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def db_factory(request: pytest.FixtureRequest) -> DatabaseFactory:
    """SQLite, unless a test asks for PostgreSQL too (``indirect`` parametrization)."""
    kind = getattr(request, "param", "sqlite")
    factory: DatabaseFactory = request.getfixturevalue(f"{kind}_factory")
    return factory


@pytest.fixture
def lang() -> str:
    """The phone's language; tests parametrize it over "en" and "zh_TW"."""
    return "en"


@pytest.fixture
def elsewhere() -> tuple[str, ...]:
    """Origins other than the backend's that the phones may visit: none, unless a test module
    sends the customer somewhere (a fake LINE) and says so by overriding this fixture."""
    return ()


@pytest.fixture
def new_phone(
    browser: Browser, backend: LiveBackend, lang: str, elsewhere: tuple[str, ...]
) -> Iterator[NewPhone]:
    """Opens another phone browser (or an incognito window): its own cookies and tab; it may
    visit the ``elsewhere`` origins, or those given to it."""
    phones: list[PhoneScreen] = []
    default_elsewhere = elsewhere

    def open_phone(
        language: str | None = None, elsewhere: tuple[str, ...] | None = None
    ) -> PhoneScreen:
        language = language or lang
        context = browser.new_context(
            viewport=VIEWPORT,
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
            locale=BROWSER_LOCALE[language],
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        allowed = default_elsewhere if elsewhere is None else elsewhere
        phones.append(PhoneScreen(context, backend.base_url, language, allowed))
        return phones[-1]

    yield open_phone
    for opened in phones:
        opened.context.close()
    for opened in phones:
        opened.assert_stayed_home()


@pytest.fixture
def phone(new_phone: NewPhone) -> PhoneScreen:
    """The customer's phone, in the test's language."""
    return new_phone()


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    """Amy's counter at the Taipei store, logged in."""
    backend.add_store("TPE01", STORE)
    backend.add_staff("TPE01", "1001", "Amy")
    return backend.counter("TPE01", "1001")
