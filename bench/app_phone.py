"""The customer's phone for the app bench, in a process of its own: ``python -m bench.app_phone``.

The phone is another device: its HTTP and HTML parsing must not run on the app's UI thread, nor
hold the app process's GIL, or the bench would count the phone's work as the app's stalls. It
reads one JSON command per line on stdin and answers one JSON line on stdout:

    {"do": "register", "base_url": …, "phone": "+8869…"}   open the newest SMS link, sign up
    {"do": "open", "url": …}                                  open a link (a scanned QR code)
    {"do": "bind", "base_url": …, "identifier": "0912…"}     sign in on the open bind page, confirm

Each answer is ``{"ok": true, "status": 200}`` or ``{"ok": false, "error": "…"}``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import requests

_HIDDEN = (
    re.compile(r'name="(\w+)" type="hidden" value="([^"]*)"'),
    re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"'),
)
# What a customer types on the registration page.
REGISTRATION = {
    "name": "林小華",
    "password": "password1",
    "password_confirm": "password1",
    "terms": "1",
}


class Phone:
    """A browser: one cookie jar, the last page it opened, the hidden fields of its form."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"
        self.last: requests.Response | None = None

    def open(self, url: str) -> int:
        self.last = self.http.get(url, timeout=10)
        return self.last.status_code

    def submit(self, base_url: str, action: str, **fields: str) -> int:
        hidden: dict[str, str] = {}
        if self.last is not None:
            for pattern in _HIDDEN:
                hidden.update(pattern.findall(self.last.text))
        self.last = self.http.post(base_url + action, data=hidden | fields, timeout=10)
        return self.last.status_code

    def register(self, base_url: str, phone: str) -> int:
        """The SMS arrives (read from the outbox, dev mode), the customer opens it and signs up."""
        reply = self.http.get(f"{base_url}/api/v1/dev/messages", params={"to": phone}, timeout=10)
        reply.raise_for_status()
        items = reply.json()["items"]
        if not items or not items[0]["links"]:
            raise RuntimeError(f"no SMS with a link to {phone}")
        status = self.open(items[0]["links"][0])
        if status != 200:
            raise RuntimeError(f"the registration link answered {status}")
        return self.submit(base_url, "/r", **REGISTRATION)


def bind(phone: Phone, base_url: str, identifier: str) -> int:
    """On the scanned bind page: sign in as the member, then confirm the details."""
    status = phone.submit(base_url, "/b", identifier=identifier, password=REGISTRATION["password"])
    if status != 200:
        raise RuntimeError(f"signing in answered {status}")
    return phone.submit(base_url, "/b/details", name=REGISTRATION["name"])


def _handle(phone: Phone, command: dict[str, Any]) -> int:
    match command["do"]:
        case "register":
            return phone.register(command["base_url"], command["phone"])
        case "open":
            return phone.open(command["url"])
        case "bind":
            return bind(phone, command["base_url"], command["identifier"])
    raise ValueError(f"unknown command {command['do']!r}")


def main() -> int:
    phone = Phone()
    print(json.dumps({"ok": True, "status": 0}), flush=True)  # ready
    for line in sys.stdin:
        try:
            answer: dict[str, Any] = {"ok": True, "status": _handle(phone, json.loads(line))}
        except Exception as exc:  # reported to the driver, which says which step failed
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
