"""Request bodies are capped before they are read: a real 5 MB body over HTTP gets 413.

The server runs behind a thin outermost ASGI layer that counts the body bytes uvicorn hands
to the app, so each test shows how much of the body the server actually read.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend_client.schemas import Role
from omo_backend.app import create_app
from omo_backend.body_limit import BodyLimit
from omo_backend.db import Database
from omo_backend.devices import service as devices
from omo_backend.models import Device
from omo_backend.settings import Settings
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as stores
from tests.support.backend import DatabaseFactory
from tests.support.live_server import bound_socket, serve_in_thread

FIVE_MB = 5 * 1024 * 1024
CAP = 64 * 1024
# What uvicorn may hand the app in one piece: it stops reading the socket once it holds
# 64 KiB, and one read brings up to 256 KiB (asyncio's most).
ONE_PIECE = 64 * 1024 + 256 * 1024
ENROLL = "/api/v1/devices/enroll"


class BodyBytesRead:
    """Outermost ASGI layer: the request body bytes the server passed to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.read = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@dataclass
class Server:
    host: str
    port: int
    db: Database
    counter: BodyBytesRead

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def enrollment_code(self) -> str:
        with self.db.transaction() as session:
            store = stores.get_by_code_or_raise(session=session, code="TPE01")
            return devices.create_enrollment_code(session=session, store=store, ttl_seconds=600)


@pytest.fixture
def server(sqlite_factory: DatabaseFactory) -> Iterator[Server]:
    url = sqlite_factory.new_url()
    sock = bound_socket()
    host, port = sock.getsockname()
    settings = Settings(database_url=url, public_base_url=f"http://{host}:{port}", log_json=False)
    db = Database(url, pool_size=5)
    with db.transaction() as session:
        store = stores.create(session=session, code="TPE01", name="台北總店", locale="en")
        staff_service.create(
            session=session, store=store, code="1001", name="Amy", role=Role.STAFF, pin="123456"
        )
    counter = BodyBytesRead(create_app(settings, db))
    with serve_in_thread(counter, sock):  # type: ignore[arg-type]
        yield Server(host, port, db, counter)
    db.dispose()


@dataclass
class RawReply:
    status: int
    headers: dict[str, str]
    body: bytes
    closed_after: bool = False
    sent: int = 0
    errors: list[BaseException] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


def read_reply(sock: socket.socket) -> RawReply:
    """One HTTP/1.1 response and, if it says it closes, whether the server hung up."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        assert piece, f"the server closed without answering: {data!r}"
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers["content-length"]):
        piece = sock.recv(65536)
        assert piece, "the server closed in the middle of its answer"
        body += piece
    closed = False
    if headers.get("connection") == "close":
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
    return RawReply(int(status_line.split()[1]), headers, body, closed_after=closed)


def chunked(payload: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        piece = payload[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def post_streaming(
    server: Server,
    path: str,
    payload: bytes,
    *,
    announce: bool,
    answer_first: bool = False,
    content_type: str = "application/json",
) -> RawReply:
    """POST ``payload``, reading the answer while the body streams (or before: ``answer_first``).

    ``announce``: with its Content-Length; otherwise chunked, as a client streaming a body of
    unknown size sends it.
    """
    sock = socket.create_connection((server.host, server.port), timeout=20)
    length = f"Content-Length: {len(payload)}" if announce else "Transfer-Encoding: chunked"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: {content_type}\r\n"
        f"Accept-Language: en\r\n{length}\r\n\r\n"
    )
    sock.sendall(head.encode())
    sent = 0
    errors: list[BaseException] = []

    def send_body() -> None:
        nonlocal sent
        pieces = [payload[i : i + 16 * 1024] for i in range(0, len(payload), 16 * 1024)]
        try:
            for piece in pieces if announce else chunked(payload):
                sock.sendall(piece)
                sent += len(piece)
        except OSError as error:  # the server hung up: what a refused client sees
            errors.append(error)

    sender = threading.Thread(target=send_body, daemon=True)
    if answer_first:
        reply = read_reply(sock)
        sender.start()
    else:
        sender.start()
        reply = read_reply(sock)
    sender.join(timeout=20)
    sock.close()
    reply.sent, reply.errors = sent, errors
    return reply


def five_mb_enrollment(server: Server) -> bytes:
    body = {"enrollment_code": server.enrollment_code(), "device_name": "x" * FIVE_MB}
    payload = json.dumps(body).encode()
    assert len(payload) > FIVE_MB
    return payload


def assert_envelope_413(reply: RawReply) -> None:
    assert reply.status == 413, reply.body[:300]
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert error["code"] == "payload_too_large"
    assert str(CAP) in error["message"]
    assert reply.headers["connection"] == "close"
    assert reply.closed_after, "the server kept the connection to read the rest"


def test_a_5_mb_enrollment_with_content_length_is_refused_before_any_of_it_is_read(
    server: Server,
):
    # The answer comes before a byte of the body is sent; then the client sends it anyway.
    reply = post_streaming(
        server, ENROLL, five_mb_enrollment(server), announce=True, answer_first=True
    )

    assert_envelope_413(reply)
    assert server.counter.read == 0
    assert reply.headers["x-request-id"], "the refusal went through the request log"
    with server.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_a_5_mb_chunked_enrollment_is_refused_once_it_passes_the_cap(server: Server):
    reply = post_streaming(server, ENROLL, five_mb_enrollment(server), announce=False)

    assert_envelope_413(reply)
    # Read up to the cap and at most one more piece of what was on its way; not 5 MB.
    assert CAP < server.counter.read <= CAP + ONE_PIECE


def test_a_body_up_to_the_cap_is_read_and_answered_as_usual(server: Server):
    for announce in (True, False):
        body = {"enrollment_code": server.enrollment_code(), "device_name": "Counter 1"}
        padding = CAP - len(json.dumps(body | {"pad": ""}).encode())
        payload = json.dumps(body | {"pad": " " * padding}).encode()
        assert len(payload) == CAP

        reply = post_streaming(server, ENROLL, payload, announce=announce)

        assert reply.status == 201, reply.body[:300]
    assert server.counter.read == 2 * CAP


def test_a_customer_page_answers_a_too_large_form_with_a_page(server: Server):
    payload = b"name=" + b"x" * (2 * CAP)
    for announce in (True, False):
        reply = post_streaming(
            server,
            "/r",
            payload,
            announce=announce,
            content_type="application/x-www-form-urlencoded",
        )

        assert reply.status == 413
        assert reply.headers["content-type"].startswith("text/html")
        assert reply.headers["referrer-policy"] == "no-referrer"
        assert b"<!doctype html>" in reply.body.lower()
        assert b'"error"' not in reply.body
        assert reply.closed_after


def test_a_larger_body_is_refused_through_an_ordinary_http_client(server: Server):
    reply = requests.post(
        server.base_url + ENROLL,
        data=json.dumps({"enrollment_code": "x" * 70_000, "device_name": "d"}),
        headers={"Content-Type": "application/json"},
        timeout=20,
    )
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "payload_too_large"


def test_a_large_body_on_an_operation_that_reads_none_is_refused_too(server: Server):
    # As /openapi.json says of every operation: the cap stands before routing.
    reply = requests.get(server.base_url + "/api/v1/health", data=b"x" * 70_000, timeout=20)
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "payload_too_large"


def test_a_route_may_take_more_than_the_cap_through_its_own_limit():
    refused: list[str] = []

    async def refuse(request: Request, exc: HTTPException) -> Response:
        refused.append(request.url.path)
        return PlainTextResponse("too large", status_code=exc.status_code)

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        """Answers the size of the body it read."""
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        size = 0
        more = True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})

    app = BodyLimit(echo, max_bytes=10, refuse=refuse, route_max_bytes={"/upload": 100})
    assert app.limit_for("/upload") == 100
    assert app.limit_for("/api/v1/devices/enroll") == 10
    sock = bound_socket()
    with serve_in_thread(app, sock) as base:  # type: ignore[arg-type]
        assert requests.post(base + "/upload", data=b"x" * 100, timeout=10).text == "100"
        assert requests.post(base + "/upload", data=b"x" * 101, timeout=10).status_code == 413
        assert requests.post(base + "/other", data=b"x" * 11, timeout=10).status_code == 413
        assert requests.post(base + "/other", data=b"x" * 10, timeout=10).text == "10"
    assert refused == ["/upload", "/other"]
