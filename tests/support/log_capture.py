"""The whole test run's logs, checked for secrets: a pytest plugin (registered by conftest.py).

For the whole session every record the backend logs in this process goes through the real
``RedactingFilter`` and ``JsonFormatter`` into memory, as ``configure_logging`` would write it
(the backend's own loggers at DEBUG, the strictest an operator can set). Meanwhile a ledger
records every secret the code made or was given: tokens and enrollment codes as
``omo_backend.security`` makes them, PINs and passwords as it hashes or checks them, phone
numbers and e-mails as the backend parses them, LINE's state, code and tokens, and on the
test's side what each HTTP request sent and each reply handed back (so the secrets of a
backend in a child process are known too).

After each test its lines (and any logged between tests) are checked against the ledger: a
token, phone number, e-mail, PIN or password in a line fails that test with the line. Lines
a backend in a child process wrote can be handed in with ``check_external_log``. At the end of
the session whatever was logged outside any test is checked, and a leak there fails the run.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from omo_backend.logs import JsonFormatter, RedactingFilter

# Shorter strings turn up in any log by chance (ports, counts); no secret of ours is that short.
MIN_SECRET = 6
# Below this a secret is matched only as a whole word (a 6-digit PIN inside a longer number is
# another number).
WHOLE_WORD_BELOW = 10
# A phone number is found by its digits, whatever separators a line put between them.
MIN_PHONE_DIGITS = 8
# What a request id may be when the line is clean (the app keeps nothing else).
WELL_FORMED_ID = re.compile(
    r"-|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# Request and form fields whose values are secrets or customer data. Not the CSRF field: the
# real ones come from security.new_token (recorded there), and what a test sends instead is a
# forgery, often a plain word that other tests' lines may hold.
SECRET_FIELD = re.compile(
    r"password|pin|phone|email|identifier|token|enrollment_code|code_verifier|state|to$"
)
# Client libraries log the tests' own requests (urllib3 prints each URL at DEBUG); the
# backend's outgoing calls (Twilio, LINE) carry no customer data in their addresses.
NOT_THE_BACKEND = ("tests", "urllib3", "requests")
_SEPARATORS_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s.\-()/]+(?=\d)")


@dataclasses.dataclass(frozen=True)
class Leak:
    kind: str
    line: str

    def __str__(self) -> str:
        return f"{self.kind} in: {self.line}"


_WORDS_LOCK = threading.Lock()


def _words_of_the_code() -> frozenset[str]:
    # One thread reads the code: concurrent first calls (a dispatcher's send slots) each
    # parsed it, and CPython's compile() raised SystemError under that.
    with _WORDS_LOCK:
        return _read_words_of_the_code()


@functools.cache
def _read_words_of_the_code() -> frozenset[str]:
    """The backend's own string constants, lower-cased, except those of digits only.

    Hypothesis draws strings from the constants of the code under test, so the fuzzer sends
    words like "schema" as PINs; such a word is in the code for anyone to read, and it matches
    log lines that never held a secret. Digits stay secrets: the demo's PINs are constants.
    """
    import ast

    words: set[str] = set()
    for package in ("omo_backend", "backend_client"):
        for path in (Path(__file__).parents[2] / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    words.add(node.value.strip().lower())
    return frozenset(w for w in words if not w.isdigit())


class SecretLedger:
    """Every secret seen during the run, by kind; checks log lines against all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._phones: dict[str, str] = {}
        self._short: dict[str, re.Pattern[str]] = {}

    def add(self, kind: str, value: object) -> None:
        if not isinstance(value, str):
            return
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) < MIN_SECRET or text.lower() in _words_of_the_code():
            return
        with self._lock:
            self._secrets.setdefault(text.lower(), f"{kind} {text!r}")
            if len(text) < WHOLE_WORD_BELOW:
                self._short[text.lower()] = re.compile(
                    rf"(?<![a-z0-9]){re.escape(text.lower())}(?![a-z0-9])"
                )

    def add_phone(self, value: object) -> None:
        """A phone number as typed or as stored: its last 8 digits find it in any spelling."""
        if not isinstance(value, str):
            return
        digits = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isdigit())
        if len(digits) >= MIN_PHONE_DIGITS:
            with self._lock:
                self._phones.setdefault(digits[-MIN_PHONE_DIGITS:], "phone number")

    def add_all(self, kind: str, value: object) -> None:
        """Every string inside ``value`` (a dataclass, mapping or sequence of them)."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                self.add_all(kind, getattr(value, item.name))
        elif isinstance(value, Mapping):
            for item in value.values():
                self.add_all(kind, item)
        elif isinstance(value, list | tuple):
            for item in value:
                self.add_all(kind, item)
        else:
            self.add(kind, value)

    def leaks(self, lines: Iterable[str]) -> list[Leak]:
        with self._lock:
            secrets = dict(self._secrets)
            phones = dict(self._phones)
            short = dict(self._short)
        return [
            Leak(kind, line)
            for line in lines
            for kind in dict.fromkeys(_leaks_in(line, secrets, phones, short))
        ]

    def __len__(self) -> int:
        return len(self._secrets) + len(self._phones)


def _leaks_in(
    line: str,
    secrets: Mapping[str, str],
    phones: Mapping[str, str],
    short: Mapping[str, re.Pattern[str]],
) -> Iterator[str]:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        entry = {"msg": line}
    if not isinstance(entry, dict):
        entry = {"msg": line}
    if len(line.rstrip("\n").splitlines()) > 1:
        yield "a line break inside one record"
    request_id = entry.get("request_id", "-")
    if not (isinstance(request_id, str) and WELL_FORMED_ID.fullmatch(request_id)):
        yield f"a request id that is no id ({request_id!r})"
    values = [
        unicodedata.normalize("NFKC", str(v)).lower()
        for k, v in entry.items()
        if k not in ("ts", "request_id")
    ]
    for value in values:
        for secret, named in secrets.items():
            if secret in value and (secret not in short or short[secret].search(value)):
                yield named
        digits = _SEPARATORS_BETWEEN_DIGITS.sub("", value)
        for tail, kind in phones.items():
            if tail in digits:
                yield f"{kind} ending {tail!r}"


class LogCapture(logging.Handler):
    """Each record as the served backend would write it; kept until ``take``."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._redact = RedactingFilter()
        self._format = JsonFormatter()
        self._pending: list[str] = []
        self._lines_lock = threading.Lock()
        self.checked = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_THE_BACKEND):
            return
        # A copy: the filter rewrites the record, and pytest's own handlers see it as logged.
        copy = logging.makeLogRecord(record.__dict__)
        self._redact.filter(copy)
        line = self._format.format(copy)
        self.add_lines([line])

    def add_lines(self, lines: Iterable[str]) -> None:
        with self._lines_lock:
            self._pending.extend(lines)

    def lines(self) -> list[str]:
        """What is logged and not yet checked (a test reading its own lines leaves them)."""
        with self._lines_lock:
            return list(self._pending)

    def take(self) -> list[str]:
        with self._lines_lock:
            lines, self._pending = self._pending, []
            self.checked += len(lines)
        return lines


ledger = SecretLedger()
capture = LogCapture()
_outside_tests: list[str] = []


def check_external_log(path: Path, into: LogCapture | None = None) -> None:
    """Hand in what a backend in a child process logged, to be checked with this test's lines."""
    text = path.read_text("utf-8", errors="replace")
    (into or capture).add_lines(line for line in text.splitlines() if line.strip())


# --- recording the secrets --------------------------------------------------------------------


def _wrap(
    module: ModuleType, name: str, record: Callable[[tuple[Any, ...], dict[str, Any], Any], None]
) -> None:
    """Replace ``module.name`` (and every backend module's own reference to it) by a recorder."""
    original = getattr(module, name)

    @functools.wraps(original)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        record(args, kwargs, result)
        return result

    for loaded in list(sys.modules.values()):
        if (
            isinstance(loaded, ModuleType)
            and loaded.__name__.startswith("omo_backend")
            and getattr(loaded, name, None) is original
        ):
            setattr(loaded, name, recorded)


def _first(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, index: int = 0) -> Any:
    return kwargs.get(name, args[index] if len(args) > index else None)


def _record_the_backends_secrets() -> None:
    # Everything that imports these, imported first, so that every reference is replaced.
    import omo_backend.app
    import omo_backend.cli
    import omo_backend.demo_seed
    import omo_backend.messaging.dispatcher  # noqa: F401 (imported for its references)
    from omo_backend import phones, security
    from omo_backend.line import client as line_client

    _wrap(security, "new_token", lambda a, k, token: ledger.add("token", token))
    _wrap(security, "new_api_key", lambda a, k, key: ledger.add("API key", key))
    _wrap(security, "new_enrollment_code", lambda a, k, code: ledger.add("enrollment code", code))
    _wrap(security, "hash_token", lambda a, k, _: ledger.add("token", _first(a, k, "token")))
    _wrap(security, "hash_pin", lambda a, k, _: ledger.add("PIN", _first(a, k, "pin")))
    _wrap(security, "hash_secret", lambda a, k, _: ledger.add("password", _first(a, k, "secret")))
    _wrap(
        security,
        "verify_secret",
        lambda a, k, _: ledger.add("password or PIN", _first(a, k, "secret", 1)),
    )
    _wrap(
        phones,
        "normalise_phone",
        lambda a, k, e164: (ledger.add_phone(_first(a, k, "raw")), ledger.add_phone(e164)),
    )
    _wrap(
        phones,
        "normalise_email",
        lambda a, k, email: (
            ledger.add("e-mail", _first(a, k, "raw")),
            ledger.add("e-mail", email),
        ),
    )
    _wrap(line_client, "new_login_request", lambda a, k, req: ledger.add_all("LINE secret", req))
    _wrap(line_client, "parse_callback", lambda a, k, got: ledger.add_all("LINE code", got))
    _wrap(line_client, "exchange_code", lambda a, k, tokens: ledger.add_all("LINE token", tokens))


def _record_what_the_tests_send(session: requests.Session, request: Any, **kwargs: Any) -> Any:
    reply = _send(session, request, **kwargs)
    try:
        _record_request(request)
        _record_reply(reply)
    except ValueError:
        pass  # a body that is not JSON (some tests send one on purpose) holds nothing to record
    return reply


# A report's or an export's date range ends at "to" too: a day, not an SMS recipient.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _record_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    for name, value in pairs:
        if not SECRET_FIELD.search(name.lower()):
            continue
        if name == "to" and isinstance(value, str) and _ISO_DAY.fullmatch(value):
            continue
        if "phone" in name or name in ("identifier", "to"):
            ledger.add_phone(value)
        ledger.add_all(f"'{name}' sent by a test", value)


def _record_request(request: requests.PreparedRequest) -> None:
    _record_fields(parse_qsl(urlsplit(request.url or "").query))
    # An API key the test sends (printed by the CLI in a child process, so not recorded there).
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.startswith("omo_"):
        ledger.add("API key sent by a test", credentials)
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not body:
        return
    content_type = request.headers.get("Content-Type", "")
    if "json" in content_type:
        loaded = json.loads(body)
        if isinstance(loaded, dict):
            _record_fields(loaded.items())
    elif "form" in content_type:
        _record_fields(parse_qsl(body))


def _record_reply(reply: requests.Response) -> None:
    for cookie in reply.cookies:
        ledger.add("cookie", cookie.value)
    if "json" not in reply.headers.get("Content-Type", ""):
        return
    body = reply.json()
    items = body.get("items", [body]) if isinstance(body, dict) else []
    for item in items:
        if not isinstance(item, dict):
            continue
        for name, value in item.items():
            if name.endswith("token"):
                ledger.add("token handed to a test", value)
            elif name == "links" and isinstance(value, list):
                for link in value:
                    ledger.add("link token", str(link).rstrip("/").rsplit("/", 1)[-1])


_send = requests.Session.send


# --- the plugin's hooks -----------------------------------------------------------------------

_saved: dict[str, Any] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _record_the_backends_secrets()
    requests.Session.send = _record_what_the_tests_send  # type: ignore[assignment,method-assign]
    root, backend = logging.getLogger(), logging.getLogger("omo_backend")
    _saved.update(root_level=root.level, backend_level=backend.level)
    root.addHandler(capture)
    # As served: the root at INFO (libraries' notes), the backend's own at DEBUG.
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    backend.setLevel(logging.DEBUG)


@pytest.fixture(autouse=True)
def no_secret_in_the_logs() -> Iterator[None]:
    """Fails the test whose run (set-up and tear-down included) logged a secret."""
    _outside_tests.extend(capture.take())
    yield
    leaks = ledger.leaks(capture.take())
    if leaks:
        pytest.fail(
            "the logs hold a secret:\n" + "\n".join(str(leak) for leak in leaks[:20]),
            pytrace=False,
        )


# Leaks pytest-xdist's workers found outside any test, reported by the controller, and how
# much they checked.
_from_workers: list[str] = []
_worker_counts = {"lines": 0, "secrets": 0}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    _from_workers.extend(output.get("omo_log_leaks", []))
    for key in _worker_counts:
        _worker_counts[key] += output.get(f"omo_log_{key}", 0)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _outside_tests.extend(capture.take())
    leaks = [str(leak) for leak in ledger.leaks(_outside_tests)] + _from_workers
    logging.getLogger().removeHandler(capture)
    logging.getLogger().setLevel(_saved.get("root_level", logging.WARNING))
    logging.getLogger("omo_backend").setLevel(_saved.get("backend_level", logging.NOTSET))
    requests.Session.send = _send  # type: ignore[method-assign]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # A worker's exit status is not the run's: its controller reports these.
        workeroutput["omo_log_leaks"] = leaks
        workeroutput["omo_log_lines"] = capture.checked
        workeroutput["omo_log_secrets"] = len(ledger)
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        lines = capture.checked + _worker_counts["lines"]
        known = len(ledger) + _worker_counts["secrets"]
        # The progress line has no end of its own yet.
        reporter.write(f"\nlog check: {lines} log lines against {known} secrets seen\n")
    if leaks:
        sys.stderr.write(
            "\nthe logs outside any test hold a secret:\n" + "\n".join(leaks[:20]) + "\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
