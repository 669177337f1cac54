"""The customer pages' words: gettext catalogs, with English as the source language.

The English text is each message's id; ``locale/zh_TW/LC_MESSAGES/pages.po`` holds the
Traditional Chinese, and the pages read the ``.mo`` compiled from it (a translator's tools
work on the ``.po``, as on the counter app's Qt ``.ts``). Templates say their words with
Jinja2's i18n extension (``{{ _("Sign in") }}``); the code names the words it picks by a key
in ``WORDS`` (error codes, headings). ``babel.cfg`` tells Babel where to look for both.

- ``python -m omo_backend.pages.i18n`` compiles each ``.po`` to its ``.mo`` (set-up runs it).
- ``python -m omo_backend.pages.i18n update`` extracts the words into ``locale/pages.pot`` and
  merges them into each ``.po``; new entries are left empty for a translator to fill in.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LOCALES = ("zh_TW", "en")
DEFAULT_LOCALE = "zh_TW"
SOURCE_LOCALE = "en"
# Each language's name in itself, for the header's switch.
LANGUAGE_NAMES = {"en": "English", "zh_TW": "中文"}
DOMAIN = "pages"
PAGES_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PAGES_DIR / "locale"
MAPPING_FILE = PAGES_DIR / "babel.cfg"
TEMPLATE_FILE = LOCALE_DIR / f"{DOMAIN}.pot"
COMPILE_COMMAND = "python -m omo_backend.pages.i18n"


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction; it is translated where it is shown."""
    return msgid


# The words the code picks by name: its error codes, headings and buttons. The placeholders
# are %(store)s and %(phone)s, filled in by ``Words.fill``.
WORDS: dict[str, str] = {
    "register_title": N_("Become a member of %(store)s"),
    "terms_consent": N_("I agree to %(store)s's member terms and privacy notice."),
    "marketing_consent": N_("Send me news and offers from %(store)s by SMS and e-mail."),
    "required": N_("Please fill this in."),
    "name_too_long": N_("Keep the name under 100 characters."),
    "invalid_email": N_("That is not an e-mail address."),
    "not_one_line": N_(
        "Type this on one line of text, without tabs, line breaks or control characters."
    ),
    "email_taken": N_(
        "This e-mail belongs to a member already. Sign in with it instead, or leave it empty."
    ),
    "email_in_use": N_(
        "This e-mail is on another customer's purchases. Use another e-mail or leave it empty; the store can merge the accounts later."
    ),
    "identifier_retired": N_("This e-mail can no longer be used to sign up."),
    "request_problem": N_(
        "We couldn't handle that request. Please open the link from your SMS again."
    ),
    "slow_down": N_("Too many tries in a short time. Please wait a moment, then try again."),
    "invalid_birthday": N_("Use a real date in the past."),
    "birthday_incomplete": N_("Choose the year, month and day, or leave all three empty."),
    "birthday_no_such_day": N_("That month has no such day. Check the day."),
    "password_short": N_("Use at least 8 characters."),
    "password_mismatch": N_("The two passwords differ."),
    "terms_required": N_("Please agree to the member terms to join."),
    "done_title": N_("Welcome to %(store)s!"),
    "done_body": N_(
        "You are now a member. Next time at the counter, give your mobile number to collect points and use your member offers."
    ),
    "error_title": N_("This link can't be used"),
    "link_unknown": N_(
        "We don't know this link. Scan the QR code again, or check that you opened the whole link from the SMS."
    ),
    "link_expired": N_("This link has expired. Ask the store staff for a new QR code or link."),
    "bind_link_used": N_(
        "This link has been used: your membership is already linked to %(store)s."
    ),
    "link_used": N_(
        "This link has been used already. If you are a member, sign in with your mobile number and password."
    ),
    "already_member": N_("This mobile number is already a member. Sign in with it instead."),
    "session_missing": N_("Please open the link from your SMS again."),
    "bind_session_missing": N_(
        "Please scan the QR code again, or open the link from your SMS again."
    ),
    "csrf_failed": N_("The page was open too long. Please try again."),
    "server_trouble": N_("Something went wrong on our side. Please try again in a moment."),
    "bind_title": N_("Link your membership to %(store)s"),
    "identifier_invalid": N_("Type your mobile number (like 0912 345 678) or your e-mail address."),
    "sign_in_failed": N_(
        "This mobile number or e-mail and password don't sign in the member the staff found. Check both and try again."
    ),
    "tries_left": N_("Tries left before this link locks:"),
    # The header and the page title where the page knows no store: one neutral name.
    "neutral_name": N_("Member centre"),
    # A sentence about a store the page can't name.
    "the_store": N_("the store"),
    "forgot_password": N_("Forgot password?"),
    "sign_in_last_try": N_(
        "Only one try is left before this link locks. Not sure of your password? "
        "Tap “Forgot password?” below instead."
    ),
    "link_locked_reset": N_(
        "Forgot your password? Reset it first, then scan the new QR code from the staff."
    ),
    "link_locked": N_(
        "Too many wrong sign-ins, so this link is locked. Ask the store staff to start the binding again."
    ),
    "details_title": N_("Check your details"),
    "bind_done_title": N_("Membership linked"),
    "bind_done": N_("Your membership is now linked to %(store)s."),
    "referral_new": N_("Your referral store is now %(store)s."),
    "referral_kept": N_("Your referral was set earlier and stays unchanged: %(store)s."),
    "line_title": N_("Link LINE with %(store)s"),
    "line_intro": N_(
        "On LINE, tap “Allow”, then “Add friend” to get %(store)s's news and member offers on LINE."
    ),
    # LINE's own words for its button (LINE Login button design guidelines).
    "line_login": N_("Log in with LINE"),
    "line_add_friend": N_("Add friend"),
    "line_try_again": N_("Try LINE again"),
    "line_skip": N_("Continue without LINE"),
    "line_problem_title": N_("LINE not linked"),
    "line_cancelled": N_(
        "You cancelled on LINE, so your LINE account was not linked to %(store)s. You can try again, or continue without LINE."
    ),
    "line_taken": N_(
        "This LINE account is already linked to another member of %(store)s. Continue without LINE, or try again with your own LINE account."
    ),
    "line_failed": N_(
        "We couldn't finish signing in with LINE just now. Try again, or continue without LINE."
    ),
    "line_state_unknown": N_(
        "This LINE sign-in doesn't belong to any of our pages. Go back to the page you came from and tap “Log in with LINE” again."
    ),
    "line_trip_used": N_(
        "This LINE sign-in is already done. Go back to the page you came from, or open your link again."
    ),
    "line_trip_expired": N_(
        "This LINE sign-in took too long. Go back to the page you came from and tap “Log in with LINE” again."
    ),
    "line_linked_friend": N_("LINE linked: %(store)s's news will reach you on LINE."),
    "line_linked_not_friend": N_(
        "LINE linked. You haven't added %(store)s as a friend; you can add it any time in LINE."
    ),
    "line_linked_title": N_("LINE linked"),
    "line_linked_elsewhere": N_(
        "Your LINE account is linked to %(store)s. Go back to the page where you started to finish there."
    ),
    "line_go_back": N_("Go back to the page where you started to go on from there."),
    "reset_request_title": N_("Reset your password"),
    "reset_request_sms": N_("We'll send a link to reset your password by SMS to %(phone)s."),
    "reset_request_email": N_("We'll send a link to reset your password by e-mail to %(phone)s."),
    "reset_send": N_("Send reset link"),
    "back_to_sign_in": N_("Back to sign in"),
    "reset_sent_title": N_("Check your messages"),
    "reset_sent": N_(
        "We sent a reset link to %(phone)s. It works once, for 30 minutes. After you change your password, come back to this page and sign in."
    ),
    "reset_wait": N_(
        "A reset link was sent a moment ago. Please wait a minute before asking for another."
    ),
    "reset_too_many": N_(
        "Too many reset links were asked for today. Ask the store staff for help."
    ),
    "reset_title": N_("Choose a new password"),
    "reset_done_title": N_("Password changed"),
    "bind_link_used_title": N_("Membership already linked"),
    # The end of a path: the store's online shop, or the plain word that it is the end.
    "shop_offer": N_("Shop at %(store)s online too, with the same mobile number and password."),
    "shop_go": N_("Go to the online shop"),
    "can_close": N_("You're all set. You can close this page now."),
    # The store's member terms and privacy notice, when the store has not written its own.
    "terms_title": N_("%(store)s: member terms and privacy notice"),
    "terms_default": N_(
        "%(store)s keeps the details you give when you join (your name, mobile number, e-mail and birthday) to run your membership: to find you at the counter, keep your points and purchases, and give you member offers.\n\n"
        "News and offers reach you by SMS, e-mail or LINE only if you agreed to them, and you can stop them at any time.\n\n"
        "Your details are used by %(store)s alone. They are not sold or given to anyone else, unless the law requires it.\n\n"
        "You can ask the staff at any time to see, correct or delete your details, or to end your membership, as Taiwan's Personal Data Protection Act provides."
    ),
    "reset_done": N_(
        "Your password is changed. Go back to the page where you were signing in, or scan the QR code at the counter again."
    ),
    "reset_done_here": N_("Password changed. Sign in with your new password."),
    "reset_link_used": N_(
        "This reset link has been used already. If you still can't sign in, ask for a new one from the sign-in page."
    ),
    "reset_link_expired": N_(
        "This reset link has expired. Ask for a new one from the sign-in page."
    ),
    # A member added by the store (no password yet) opening their first-login link.
    "first_login_title": N_("Welcome to %(store)s: set your password"),
    "first_login_done_title": N_("Password set"),
    "first_login_done": N_(
        "Your password is set. Sign in with your mobile number or e-mail and this password, at the counter or online."
    ),
}


class CatalogError(RuntimeError):
    """A language's compiled catalog is missing or older than its source: the pages would
    otherwise speak English to a Chinese phone without a word said."""


def po_path(locale: str, directory: Path = LOCALE_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str, directory: Path = LOCALE_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def load(locale: str, directory: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """``locale``'s compiled catalog; English, the source language, needs none.

    An installed package or a bundle carries the ``.mo`` alone; a source tree has the
    ``.po`` beside it, and a ``.mo`` older than its ``.po`` is refused, not used.
    """
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    mo, po = mo_path(locale, directory), po_path(locale, directory)
    if not mo.is_file():
        raise CatalogError(
            f"The pages' {locale} translations are not compiled: {mo} is missing. "
            f"Run `{COMPILE_COMMAND}` (scripts/setup.sh does it)."
        )
    if po.is_file() and po.stat().st_mtime > mo.stat().st_mtime:
        raise CatalogError(
            f"The pages' {locale} translations changed since they were compiled: {po} is "
            f"newer than {mo.name}. Run `{COMPILE_COMMAND}` (scripts/setup.sh does it)."
        )
    with mo.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog of ``locale`` (an unknown one gets the default language's), read once."""
    return load(locale if locale in LOCALES else DEFAULT_LOCALE)


def check_catalogs() -> None:
    """Raises ``CatalogError`` unless every language's catalog can be used."""
    for locale in LOCALES:
        translations(locale)


class Words(Mapping[str, str]):
    """``WORDS`` in one language: ``words["link_expired"]``, ``words.fill("done_title",
    store=name)``."""

    def __init__(self, locale: str) -> None:
        self._gettext = translations(locale).gettext

    def __getitem__(self, key: str) -> str:
        return self._gettext(WORDS[key])

    def __iter__(self) -> Iterator[str]:
        return iter(WORDS)

    def __len__(self) -> int:
        return len(WORDS)

    def fill(self, key: str, **values: str) -> str:
        """The words of ``key`` with their placeholders filled in (plain text)."""
        return self[key] % values

    def html(self, key: str, **values: str) -> Markup:
        """The words of ``key`` typeset for a page: each value kept on one line."""
        return typeset(self[key]) % {name: nobr(value) for name, value in values.items()}


# What a line must not break inside: a word joined by hyphens ("e-mail", where a browser
# breaks after "e-"), a number written in groups ("+886 912 345 678"), "QR code", a number
# with its Chinese unit ("30 分鐘", which broke as "30 分 / 鐘").
_UNBREAKABLE = re.compile(
    r"\d+ ?(?:個字元|個字|分鐘|小時|秒|天|次)|\+?\d+(?: \d+)+|QR [Cc]ode|\w+(?:-\w+)+"
)


# The longest value kept on one line, in half-width letters (a Chinese character is two): on
# a phone, 20 fit half a line of body text and most of a heading's line.
NOBR_MAX_WIDTH = 20


def _width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in value)


def nobr(value: str) -> Markup:
    """``value`` (a store's name, a masked number) escaped and kept on one line; one too long
    for that may break, or it would push the page sideways."""
    if _width(value) > NOBR_MAX_WIDTH:
        return escape(value)
    return Markup('<span class="nobr">{}</span>').format(value)


def typeset(text: str) -> Markup:
    """``text`` escaped, with what must stay on one line kept whole; its placeholders are
    left to fill."""
    pieces: list[str | Markup] = []
    start = 0
    for match in _UNBREAKABLE.finditer(text):
        pieces += [text[start : match.start()], nobr(match.group())]
        start = match.end()
    pieces.append(text[start:])
    return Markup("").join(pieces)  # escapes the plain pieces


def pick_locale(accept_language: str | None, override: str | None = None) -> str:
    """``?lang=`` first, then the browser's languages in order of preference."""
    if override in LOCALES:
        return str(override)
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality <= 0:
            continue  # "q=0" means the browser does not accept that language (RFC 9110).
        ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh_TW"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def translator(locale: str) -> Words:
    return Words(locale)


# --- the catalogs' upkeep (set-up and translators) ------------------------------------------


def extract() -> Catalog:
    """Every word the templates and this package mark, as Babel finds them (``babel.cfg``)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with MAPPING_FILE.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            mapping, str(MAPPING_FILE)
        )
    catalog = Catalog(project="OMO Counter pages", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PAGES_DIR), method_map, options_map, comment_tags=("Translators:",)
    ):
        path = f"omo_backend/pages/{filename}"
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    # File names without line numbers: an edit elsewhere in a file leaves the catalogs alone.
    write_po(buffer, catalog, include_lineno=False, omit_header=False, sort_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> list[Path]:
    """Writes ``pages.pot`` from the sources and merges it into each ``.po``."""
    from babel.messages.pofile import read_po

    template = extract()
    _write(template, TEMPLATE_FILE)
    updated = [TEMPLATE_FILE]
    for locale in LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        with po_path(locale).open("rb") as source:
            catalog = read_po(source, locale=locale, domain=DOMAIN)
        # No guessing from similar entries: a guess is a wrong word on a customer's phone.
        catalog.update(template, no_fuzzy_matching=True)
        _write(catalog, po_path(locale))
        updated.append(po_path(locale))
    return updated


def compile_catalogs(directory: Path = LOCALE_DIR) -> list[Path]:
    """Compiles each ``.po`` under ``directory`` to its ``.mo``; unfinished entries (empty or
    fuzzy) are left out of it, so they show in English: the tests fail on them first."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    built = []
    for locale in LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        with po_path(locale, directory).open("rb") as source:
            catalog = read_po(source, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path(locale, directory).write_bytes(buffer.getvalue())
        built.append(mo_path(locale, directory))
    return built


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        for path in update():
            print(f"updated {path}: translate the unfinished entries")
    for path in compile_catalogs():
        print(f"built {path}")
