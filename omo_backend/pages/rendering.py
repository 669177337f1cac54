"""How every customer page is drawn and answered: language, headers, message pages, cookies."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from omo_backend.errors import DomainError
from omo_backend.models import Store
from omo_backend.pages.i18n import (
    LANGUAGE_NAMES,
    WORDS,
    nobr,
    pick_locale,
    translations,
    translator,
    typeset,
)
from omo_backend.settings import Settings

TEMPLATES_DIR = Path(__file__).parent / "templates"


@functools.cache
def templates(locale: str) -> Jinja2Templates:
    """The templates speaking ``locale``: ``{{ _("...") }}`` is its catalog's gettext, typeset
    (``i18n.typeset``); ``value|nobr`` keeps a store's name or a number on one line."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    catalog = translations(locale)

    def gettext(message: str) -> Markup:
        return typeset(catalog.gettext(message))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return typeset(catalog.ngettext(singular, plural, n))

    # Newstyle: ``_("Hello %(store)s", store=name)`` fills in (and escapes) the placeholders.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True
    )
    env.filters["nobr"] = nobr
    return Jinja2Templates(env=env)


# The counter's brand colour and ink (omo_desktop/design/tokens.py PALETTE).
DEFAULT_BRAND = "#0b6e4f"
_INK = "#1d1d1f"
_WHITE = "#ffffff"
_CANVAS = "#f6f6f8"
TEXT_CONTRAST = 4.5  # WCAG 2.2, 1.4.3
EDGE_CONTRAST = 3.0  # WCAG 2.2, 1.4.11
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _linear(channel: str) -> float:
    value = int(channel, 16) / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _ratio(ink: str, ground: str) -> float:
    """WCAG contrast of two ``#rrggbb`` colours."""
    weights = (0.2126, 0.7152, 0.0722)
    lum = [
        sum(w * _linear(c[i : i + 2]) for w, i in zip(weights, (1, 3, 5), strict=True))
        for c in (ink, ground)
    ]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


def _darker(colour: str) -> str:
    return "#" + "".join(f"{int(int(colour[i : i + 2], 16) * 0.9):02x}" for i in (1, 3, 5))


@dataclass(frozen=True)
class BrandColours:
    """A store's colour as the pages use it, each use readable (≥ 4.5:1).

    ``fill`` is the header's and the main button's face, ``on_fill`` their words (white or
    ink, whichever reads); ``ink`` is the colour as text and edges on white and the canvas
    (links, secondary buttons): the store's own, darkened until it reads.
    """

    fill: str
    on_fill: str
    ink: str

    @classmethod
    def of(cls, brand: str | None) -> BrandColours:
        colour = brand if brand and _HEX.fullmatch(brand) else DEFAULT_BRAND
        ink = colour.lower()
        while _ratio(ink, _CANVAS) < TEXT_CONTRAST:
            ink = _darker(ink)
        fill = colour.lower()
        # The main button's face must stand out from the card (≥ 3:1, WCAG 1.4.11) and carry
        # readable words; otherwise it is drawn in the darkened colour.
        readable = max(_ratio(_WHITE, fill), _ratio(_INK, fill)) >= TEXT_CONTRAST
        if not readable or _ratio(fill, _WHITE) < EDGE_CONTRAST:
            fill = ink
        on_fill = _WHITE if _ratio(_WHITE, fill) >= _ratio(_INK, fill) else _INK
        return cls(fill=fill, on_fill=on_fill, ink=ink)


REG_COOKIE = "omo_reg"
BIND_COOKIE = "omo_bind"
RESET_COOKIE = "omo_reset"
# The page session that left for LINE, sent back only to the LINE callback.
LINE_COOKIE = "omo_line"
LANG_COOKIE = "omo_lang"
PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def is_page(request: Request) -> bool:
    """Whether ``request`` came from a customer's browser (a page) or an API caller (JSON).

    By rule rather than by list: everything outside the API and its documents is for a
    customer's browser, so a page added later, or an address that names nothing, is answered
    with a page too. The documents are asked of the app, wherever it serves them.
    """
    path = request.url.path
    app = request.scope.get("app")
    documents = (getattr(app, name, None) for name in ("openapi_url", "docs_url", "redoc_url"))
    for prefix in ("/api", *(url for url in documents if url)):
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return False
    return True


def page_headers(request: Request) -> dict[str, str]:
    """The pages' headers; with LINE, its login page is a place a form may lead to.

    Signing in on the bind link (or registering) posts a form whose answer redirects to
    LINE's consent screen, and browsers hold every hop of a form's redirects to form-action.
    """
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is None or not settings.line_enabled:
        return PAGE_HEADERS
    parts = urlsplit(settings.line_auth_base)
    origin = f"{parts.scheme}://{parts.netloc}"
    csp = PAGE_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return PAGE_HEADERS | {"Content-Security-Policy": csp}


LANGUAGES = ("en", "zh_TW")


def locale_of(request: Request) -> str:
    return pick_locale(
        request.headers.get("accept-language"),
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
    )


def _remember_language(request: Request, response: Response) -> None:
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, str(lang), max_age=365 * 86400, samesite="lax")


# What a page's address may carry that it shows by (spent callback codes are not among them).
_KEPT_PARAMS = ("line", "reset", "store")


def _switch_href(request: Request, locale: str) -> str:
    """The header's language link: this page again, in the other language."""
    query = {k: v for k, v in request.query_params.items() if k in _KEPT_PARAMS}
    query["lang"] = "en" if locale == "zh_TW" else "zh_TW"
    return "?" + urlencode(query)


@dataclass(frozen=True)
class Action:
    """A way on from a message page: a link, or a form posted with the page's CSRF token."""

    label: str
    href: str
    post: bool = False
    primary: bool = True
    # A sentence just above it, saying why one would tap it (typeset: ``Words.html``).
    lead: str | Markup = ""
    # Drawn as LINE's own button (LINE's green, its logo), as LINE's guidelines ask of a
    # button that starts LINE Login or adds a LINE friend.
    line: bool = False


def render(
    request: Request, template: str, status: int, *, store: Store | None, **context: Any
) -> HTMLResponse:
    locale = locale_of(request)
    # The store's name where the page knows the store; one neutral name everywhere else.
    name = store.name if store else translator(locale)["neutral_name"]
    response = templates(locale).TemplateResponse(
        request,
        template,
        {
            "locale": locale,
            "store_name": name,
            "colours": BrandColours.of(store.brand_color if store else None),
            "title": context.pop("title", name),
            "switch_href": _switch_href(request, locale),
            "switch_label": LANGUAGE_NAMES["en" if locale == "zh_TW" else "zh_TW"],
            **context,
        },
        status_code=status,
        headers=page_headers(request),
    )
    _remember_language(request, response)
    return response


def message_page(
    request: Request,
    status: int,
    code: str,
    *,
    store: Store | None = None,
    heading_key: str = "error_title",
    icon: str = "",
    more: tuple[str | Markup, ...] = (),
    actions: tuple[Action, ...] = (),
    csrf: str = "",
    phone: str = "",
    closing: str | Markup = "",
) -> HTMLResponse:
    """A page that says what happened and what to do; ``icon`` is "done" or "problem";
    ``closing`` is a last line under the actions (that the page can be closed)."""
    t = translator(locale_of(request))
    # In a sentence, a store the page can't name is "the store".
    store_name = store.name if store else t["the_store"]
    if heading_key == "error_title" and not icon:
        icon = "problem"
    return render(
        request,
        "message.html",
        status,
        store=store,
        title=t.fill(heading_key, store=store_name),
        heading=t.html(heading_key, store=store_name),
        body=t.html(code if code in t else "server_trouble", store=store_name, phone=phone),
        icon=icon,
        more=tuple(line if isinstance(line, Markup) else typeset(line) for line in more),
        actions=actions,
        csrf=csrf,
        closing=closing if isinstance(closing, Markup) else typeset(closing),
    )


def way_on(request: Request, store: Store | None, *, primary: bool = True) -> dict[str, Any]:
    """The end of a path: the store's online shop when it has one, else the plain word that
    the page can be closed; as ``message_page`` arguments (``actions`` and ``closing``)."""
    t = translator(locale_of(request))
    if store is not None and store.shop_url:
        lead = t.html("shop_offer", store=store.name)
        return {"actions": (Action(t["shop_go"], store.shop_url, primary=primary, lead=lead),)}
    return {"actions": (), "closing": t.html("can_close")}


# The words for an HTTP error no page chose its own words for.
_STATUS_WORDS = {404: "link_unknown", 429: "slow_down"}


def status_page(
    request: Request, status: int, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """An HTTP error (405, 413, 422, 500, ...) as a page; ``headers`` such as Allow or
    Retry-After are kept."""
    code = _STATUS_WORDS.get(status, "server_trouble" if status >= 500 else "request_problem")
    page = message_page(request, status, code)
    page.headers.update(headers or {})
    return page


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    """A refusal from the rules as a page: in its own words if the pages have them."""
    if error.code not in WORDS:
        return status_page(request, error.status, error.headers)
    page = message_page(request, error.status, error.code, icon="problem")
    page.headers.update(error.headers or {})
    return page


def redirect(request: Request, path: str) -> Response:
    """A 303 to another page; a language picked with ``?lang=`` is remembered on the way."""
    response = RedirectResponse(path, status_code=303, headers=page_headers(request))
    _remember_language(request, response)
    return response


def set_session_cookie(
    response: Response, settings: Settings, cookie: str, path: str, sid: str
) -> None:
    response.set_cookie(
        cookie,
        sid,
        max_age=settings.page_session_ttl_seconds,
        path=path,
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.startswith("https"),
    )


def enter_session(
    request: Request, settings: Settings, cookie: str, path: str, sid: str
) -> Response:
    """Swaps a link's token for its page session: the token leaves the address bar here."""
    response = redirect(request, path)
    set_session_cookie(response, settings, cookie, path, sid)
    return response
