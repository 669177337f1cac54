"""A local stand-in for Twilio's Messages API that speaks its real protocol.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic auth (account sid,
auth token) and a form-encoded body (``To``, ``Body``, ``From`` or ``MessagingServiceSid``);
201 with Twilio's message JSON, or Twilio's error JSON (``code``, ``message``, ``more_info``,
``status``). Every request is recorded, and tests can make it fail or hang on purpose.

A message created with a ``StatusCallback`` URL gets Twilio's status callbacks there when a
test asks (``send_receipt``): form-encoded, signed in ``X-Twilio-Signature`` as Twilio signs
them (base64 HMAC-SHA1 with the auth token over the URL and the sorted parameters).

Segment counts are worked out here on their own (roughly: ASCII as GSM-7, anything else as
UCS-2) so that tests comparing them with ours are not comparing our code with itself.

``GET .../Messages.json`` lists the messages as Twilio does: newest first, filtered by ``To``,
``From`` and ``DateSent`` / ``DateSent>=`` / ``DateSent<=`` (dates, ``YYYY-MM-DD``, compared
with ``date_sent``), ``PageSize`` a page, the next page named by ``next_page_uri``. Here a
message counts as sent (``date_sent``) the moment it is created; ``add_message`` puts one in
the history at a given time, as if sent earlier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode

import requests

from tests.fakes.http_fake import HttpFake

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # Decoded from the Authorization header, when it is Basic.
    auth: tuple[str, str] | None
    form: dict[str, str] = field(default_factory=dict)


def _more_info(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


def _segments(body: str) -> int:
    if all(ord(ch) < 128 for ch in body):
        return 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


class FakeTwilio(HttpFake):
    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
    ) -> None:
        super().__init__()
        self.account_sid = account_sid or "AC" + secrets.token_hex(16)
        self.auth_token = auth_token or secrets.token_hex(16)
        self._lock = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._created: list[dict[str, Any]] = []
        self._fail_next = 0
        self._fail_status = 500
        self._hanging = False
        self._released = threading.Event()
        self.latency_seconds = 0.0

    # --- life ----------------------------------------------------------------------------

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_Handler):
            twilio = fake

        return Handler

    def stop(self) -> None:
        self.release()  # a hanging request must not hold the shutdown
        super().stop()

    # --- knobs ---------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` (after recording them)."""
        with self._lock:
            self._fail_next = count
            self._fail_status = status

    def hang(self) -> None:
        """From now on, record each request and then give no answer until ``release()``."""
        with self._lock:
            self._released.clear()
            self._hanging = True

    def release(self) -> None:
        """Stop hanging; requests held so far are answered (if their client is still there)."""
        with self._lock:
            self._hanging = False
            self._released.set()

    # --- what was received ---------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def created(self) -> list[dict[str, Any]]:
        """The message resources answered with 201, in order."""
        with self._lock:
            return list(self._created)

    def bodies(self) -> list[str]:
        """The bodies of the messages asked for (POSTs), in order, whatever the answer."""
        return [r.form.get("Body", "") for r in self.requests if r.method == "POST"]

    def lookups(self) -> list[ReceivedRequest]:
        """The list requests (GETs), in order."""
        return [r for r in self.requests if r.method == "GET"]

    def add_message(
        self, *, to: str, body: str, created: datetime, sender: str = "+15005550006"
    ) -> str:
        """A message already in the account's history, created (and sent) at ``created``."""
        sid = "SM" + uuid.uuid4().hex
        payload = _message(self.account_sid, sid, to, body, sender, "", created)
        self._created_message(payload | {"status": "delivered", "status_callback": None})
        return sid

    def wait_for_requests(self, count: int, *, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Block until at least ``count`` requests arrived; fails the test after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"fake Twilio got {len(self._requests)} requests, expected {count}"
                    )
                self._lock.wait(left)
            return list(self._requests)

    def settings_overrides(self) -> dict[str, Any]:
        """``Settings(**fake.settings_overrides())`` sends SMS through this fake."""
        return {
            "sms_provider": "twilio",
            "twilio_account_sid": self.account_sid,
            "twilio_auth_token": self.auth_token,
            "twilio_from": "+15005550006",  # Twilio's magic test sender
            "twilio_api_base": self.base_url,
        }

    def message(self, sid: str) -> dict[str, Any]:
        [found] = [m for m in self.created if m["sid"] == sid]
        return found

    def send_receipt(
        self,
        sid: str,
        status: str,
        *,
        error_code: int | None = None,
        signature: str | None = None,
        url: str | None = None,
    ) -> requests.Response:
        """Post the status callback Twilio would for message ``sid``; the receiver's answer.

        ``signature`` replaces the real one ("" sends none); ``url`` posts elsewhere than the
        message's ``StatusCallback`` (signed for where it goes).
        """
        message = self.message(sid)
        target = url or message["status_callback"]
        form = {
            "ApiVersion": "2010-04-01",
            "AccountSid": self.account_sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message["to"],
        }
        if message["from"]:
            form["From"] = message["from"]
        if message["messaging_service_sid"]:
            form["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        headers = {"X-Twilio-Signature": self.sign(target, form)}
        if signature is not None:
            headers = {"X-Twilio-Signature": signature} if signature else {}
        return requests.post(target, data=form, headers=headers, timeout=10)

    def sign(self, url: str, form: dict[str, str]) -> str:
        text = url
        for key in sorted(form):
            text += key + form[key]
        mac = hmac.new(self.auth_token.encode("utf-8"), text.encode("utf-8"), hashlib.sha1)
        return base64.b64encode(mac.digest()).decode("ascii")

    # --- called by the handler -----------------------------------------------------------

    def _record(self, request: ReceivedRequest) -> tuple[int | None, bool]:
        """Store the request; returns (forced failure status or None, whether to hang)."""
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            forced = None
            if self._fail_next > 0:
                self._fail_next -= 1
                forced = self._fail_status
            return forced, self._hanging

    def _wait_released(self) -> None:
        self._released.wait()

    def _created_message(self, payload: dict[str, Any]) -> None:
        with self._lock:
            self._created.append(payload)


class _Handler(BaseHTTPRequestHandler):
    twilio: FakeTwilio
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
            form = {key: values[-1] for key, values in parsed.items()}
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            headers={k: v for k, v in self.headers.items()},
            body=raw,
            auth=_basic_auth(self.headers.get("Authorization")),
            form=form,
        )
        forced, hang = self.twilio._record(request)
        if hang:
            self.twilio._wait_released()
        if self.twilio.latency_seconds:
            time.sleep(self.twilio.latency_seconds)
        try:
            self._answer(request, forced)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (or was killed) while we held the request.
            self.close_connection = True

    def _answer(self, request: ReceivedRequest, forced: int | None) -> None:
        twilio = self.twilio
        match = _PATH.match(request.path.split("?", 1)[0])
        if match is None:
            self._error(404, 20404, f"The requested resource {request.path} was not found")
            return
        if request.auth != (twilio.account_sid, twilio.auth_token):
            self._error(401, 20003, "Authenticate")
            return
        if match["sid"] != twilio.account_sid:
            self._error(403, 20003, "Authenticate")
            return
        if forced is not None:
            self._error(forced, 20500, "Internal Server Error")
            return
        if request.method == "GET":
            self._list(request)
            return
        if request.method != "POST":
            self._error(405, 20004, "Method not allowed")
            return
        form = request.form
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From", ""), form.get("MessagingServiceSid", "")
        if not to:
            self._error(400, 21604, "A 'To' phone number is required.")
            return
        if not body:
            self._error(400, 21602, "Message body is required.")
            return
        if not (sender or service):
            self._error(400, 21603, "A 'From' phone number is required.")
            return
        if not _E164.match(to):
            self._error(400, 21211, f"Invalid 'To' Phone Number: {to}")
            return
        sid = "SM" + uuid.uuid4().hex
        payload = _message(
            twilio.account_sid, sid, to, body, sender, service, datetime.now(UTC), sent=False
        )
        # Not part of Twilio's answer: where its status callbacks go (None: nowhere).
        callback = form.get("StatusCallback") or None
        twilio._created_message(payload | {"status_callback": callback})
        self._json(201, payload)

    def _list(self, request: ReceivedRequest) -> None:
        path, _, query = request.path.partition("?")
        params = {key: values[-1] for key, values in parse_qs(query).items()}
        try:
            size = min(1000, max(1, int(params.get("PageSize", "50"))))
            page = max(0, int(params.get("Page", "0")))
            bounds = {
                op: date.fromisoformat(params[f"DateSent{op}"])
                for op in ("", ">=", "<=")
                if f"DateSent{op}" in params
            }
        except ValueError:
            self._error(400, 20001, "Invalid parameter")
            return
        listed = []
        for message in self.twilio.created:
            shown = {k: v for k, v in message.items() if k != "status_callback"}
            # Sent the moment it was created: the list shows its date_sent.
            shown["date_sent"] = shown["date_created"]
            if shown["status"] in ("queued", "accepted"):
                shown["status"] = "sent"
            if _listed(shown, params, bounds):
                listed.append(shown)
        # Newest first, the latest created of equal times first.
        order = sorted(enumerate(listed), key=lambda pair: (_when(pair[1]), pair[0]), reverse=True)
        messages = [message for _, message in order]
        chunk = messages[page * size : (page + 1) * size]
        filters = {k: v for k, v in params.items() if k not in ("Page", "PageToken")}

        def page_uri(number: int) -> str:
            token = {"PageToken": f"PA{number}"} if number else {}
            return f"{path}?{urlencode({**filters, 'Page': str(number), **token})}"

        more = (page + 1) * size < len(messages)
        self._json(
            200,
            {
                "messages": chunk,
                "page": page,
                "page_size": size,
                "start": page * size,
                "end": page * size + max(0, len(chunk) - 1),
                "uri": page_uri(page),
                "first_page_uri": page_uri(0),
                "previous_page_uri": page_uri(page - 1) if page else None,
                "next_page_uri": page_uri(page + 1) if more else None,
            },
        )

    def _error(self, status: int, code: int, message: str) -> None:
        self._json(
            status,
            {"code": code, "message": message, "more_info": _more_info(code), "status": status},
        )

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        self.end_headers()
        self.wfile.write(data)


def _message(
    account_sid: str,
    sid: str,
    to: str,
    body: str,
    sender: str,
    service: str,
    created: datetime,
    *,
    sent: bool = True,
) -> dict[str, Any]:
    """Twilio's message resource, as created at ``created``."""
    when = format_datetime(created.astimezone(UTC).replace(microsecond=0))
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": when,
        "date_sent": when if sent else None,
        "date_updated": when,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": sender or None,
        "messaging_service_sid": service or None,
        "num_media": "0",
        "num_segments": str(_segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        # With only a messaging service Twilio has not picked a sender yet.
        "status": "queued" if sender else "accepted",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


def _when(message: dict[str, Any]) -> datetime:
    return datetime.strptime(message["date_created"], "%a, %d %b %Y %H:%M:%S %z")


def _listed(message: dict[str, Any], params: dict[str, str], bounds: dict[str, date]) -> bool:
    if "To" in params and message["to"] != params["To"]:
        return False
    if "From" in params and message["from"] != params["From"]:
        return False
    sent = _when(message).date()
    return not (
        ("" in bounds and sent != bounds[""])
        or (">=" in bounds and sent < bounds[">="])
        or ("<=" in bounds and sent > bounds["<="])
    )


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password
