"""A webhook receiver as an integrator would write one: a real HTTP server that checks each
delivery's ``OMO-Signature`` (HMAC-SHA256 over ``"<t>.<raw body>"``) and its replay window,
written from the README's description rather than from the backend's code."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLAY_WINDOW_SECONDS = 300


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    signed: bool
    answered: int

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


def signature_ok(secret: str, header: str, body: bytes, now: float) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp = fields.get("t", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > REPLAY_WINDOW_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields.get("v1", ""))


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # Statuses to answer with, in order; then 200. A bad signature is always 401.
    answers: list[int] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Cleared by hang(): requests are taken in and recorded, then wait for release().
    answering: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.answering.set()

    def hang(self) -> None:
        self.answering.clear()

    def release(self) -> None:
        self.answering.set()

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        status = self._record(headers, body)
        self.answering.wait(timeout=60)
        return status

    def _record(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            signed = signature_ok(self.secret, headers.get("omo-signature", ""), body, time.time())
            status = (self.answers.pop(0) if self.answers else 200) if signed else 401
            self.deliveries.append(Delivery(headers, body, signed, status))
            return status

    def wait_for(self, count: int, deadline_s: float = 20) -> list[Delivery]:
        """The first ``count`` deliveries, once they have come (polled, with a deadline)."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.deliveries) >= count:
                    return list(self.deliveries[:count])
            time.sleep(0.02)
        with self.lock:
            got = [d.headers.get("omo-event") for d in self.deliveries]
        raise AssertionError(f"{count} deliveries expected, got {got}")

    def answered_ok(self, event: str) -> list[Delivery]:
        with self.lock:
            return [
                d
                for d in self.deliveries
                if d.headers.get("omo-event") == event and d.answered == 200
            ]


@contextmanager
def webhook_receiver(path: str = "/hooks/omo?token=abc") -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.handle(headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    receiver = Receiver(url=f"http://{host!s}:{port}{path}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
