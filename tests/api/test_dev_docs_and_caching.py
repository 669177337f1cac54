"""What a store's network may not see: the dev endpoints off loopback, CDN docs outside dev
mode, and cached API replies (they carry tokens)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from omo_backend.app import create_app
from omo_backend.db import Database
from omo_backend.settings import Settings
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.live_server import serve_in_thread


def _this_machines_network_address() -> str | None:
    """An address of this machine that is not loopback (the one a route out would use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent by connect()
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture
def backend_on_every_address(sqlite_factory: DatabaseFactory) -> Iterator[int]:
    """A dev-mode backend listening on 0.0.0.0, as an operator might start one by mistake."""
    url = sqlite_factory.new_url()
    db = Database(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 0))
    port: int = sock.getsockname()[1]
    settings = Settings(database_url=url, dev_mode=True, longpoll_check_seconds=0.05)
    try:
        with serve_in_thread(create_app(settings, db), sock):
            yield port
    finally:
        db.dispose()


def _not_found(reply: requests.Response) -> None:
    assert reply.status_code == 404, reply.text
    assert reply.json()["error"]["code"] == "not_found"


def test_dev_messages_answer_only_on_a_loopback_listener(backend_on_every_address: int):
    address = _this_machines_network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    path = f":{backend_on_every_address}/api/v1/dev/messages"

    assert requests.get(f"http://127.0.0.1{path}", timeout=10).status_code == 200
    # The same server, reached on its network address: as if the route did not exist.
    _not_found(requests.get(f"http://{address}{path}", timeout=10))


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9"},
        {"X-Real-IP": "203.0.113.9"},
    ],
)
def test_dev_messages_refuse_a_request_a_proxy_passed_on(
    sqlite_factory: DatabaseFactory, header: dict[str, str]
):
    with live_backend(sqlite_factory) as backend:
        url = backend.url("/api/v1/dev/messages")
        assert backend.http.get(url, timeout=10).status_code == 200
        _not_found(backend.http.get(url, headers=header, timeout=10))


def test_the_demo_listens_only_on_this_machine(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMO_")}
    env["OMO_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    for host in ("0.0.0.0", "192.0.2.2", "::"):
        run = subprocess.run(
            [sys.executable, "-m", "omo_backend.cli", "demo", "--host", host, "--port", "1"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2, run.stdout + run.stderr
        assert "listens only on this machine" in run.stderr
    assert not (tmp_path / "demo.db").exists(), "refused before touching the database"


@pytest.mark.parametrize("dev_mode", [False, True])
def test_the_docs_pages_are_served_only_in_dev_mode_and_the_schema_always(
    sqlite_factory: DatabaseFactory, dev_mode: bool
):
    with live_backend(sqlite_factory, dev_mode=dev_mode) as backend:
        schema = backend.http.get(backend.url("/openapi.json"), timeout=10)
        assert schema.status_code == 200
        assert schema.json()["info"]["title"] == "OMO Counter backend"
        for page in ("/docs", "/redoc"):
            reply = backend.http.get(backend.url(page), timeout=10)
            assert reply.status_code == (200 if dev_mode else 404), page
        dev = backend.http.get(backend.url("/api/v1/dev/messages"), timeout=10)
        assert dev.status_code == (200 if dev_mode else 404)


def test_every_api_reply_says_no_store(backend: LiveBackend):
    backend.add_store()
    backend.add_staff()
    code = backend.enrollment_code()
    enrolled = backend.http.post(
        backend.url("/api/v1/devices/enroll"),
        json={"enrollment_code": code, "device_name": "Counter 1"},
        timeout=10,
    )
    assert enrolled.status_code == 201
    login = backend.http.post(
        backend.url("/api/v1/staff/login"),
        json={"staff_code": "1001", "pin": "123456"},
        headers={"Authorization": f"Bearer {enrolled.json()['device_token']}"},
        timeout=10,
    )
    assert login.status_code == 200
    replies = [
        enrolled,
        login,
        backend.http.get(backend.url("/api/v1/health"), timeout=10),
        backend.http.get(backend.url("/api/v1/customers/search"), timeout=10),
        backend.http.get(backend.url("/api/v1/no-such-route"), timeout=10),
        backend.http.post(backend.url("/api/v1/devices/enroll"), json={}, timeout=10),
        backend.http.get(backend.url("/api/v1/dev/messages"), timeout=10),
    ]
    assert [r.status_code for r in replies] == [201, 200, 200, 401, 404, 422, 200]
    for reply in replies:
        assert reply.headers.get("Cache-Control") == "no-store", reply.request.url

    # The pages keep their own headers; the schema is no secret and may be cached.
    page = backend.http.get(backend.url("/r/unknown-link-token"), timeout=10)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Cache-Control" not in backend.http.get(backend.url("/openapi.json"), timeout=10).headers
