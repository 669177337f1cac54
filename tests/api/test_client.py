"""backend_client against the real backend: typed replies, typed errors, safe retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend_client import schemas
from backend_client.client import OmoClient, new_idempotency_key
from backend_client.errors import (
    AlreadyMemberError,
    ApiError,
    ConflictError,
    ForbiddenError,
    OfflineError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    ValidationError,
)
from tests.support.backend import LiveBackend, Phone, latest_link
from tests.support.postgres import free_port


@pytest.fixture
def client(backend: LiveBackend) -> Iterator[OmoClient]:
    backend.add_store()
    backend.add_staff()
    client = OmoClient(backend.base_url)
    client.enroll(backend.enrollment_code(), "Counter 1")
    client.login("1001", "123456")
    yield client
    client.close()


def test_a_sign_up_walked_through_the_client(backend: LiveBackend, client: OmoClient):
    assert client.search_customers(phone="0912 345 678").total == 0

    tap = new_idempotency_key()
    invitation = client.create_invitation("0912 345 678", idempotency_key=tap)
    again = client.create_invitation("0912 345 678", idempotency_key=tap)
    assert isinstance(invitation, schemas.Invitation)
    assert again.id == invitation.id
    assert len(client.dev_messages(to="+886912345678").items) == 1

    status = invitation.status
    while status is not schemas.InvitationStatus.SENT:
        status = client.get_invitation(invitation.id, wait=5, known_status=status).status
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886912345678"))
    assert client.invitation_received(invitation.id).id == invitation.id
    phone.submit("/r", name="Amy", password="password1", password_confirm="password1", terms="1")

    while status is not schemas.InvitationStatus.REGISTERED:
        status = client.get_invitation(invitation.id, wait=5, known_status=status).status
    [member] = client.search_customers(phone="+886912345678").items
    assert member.is_member
    assert member.referral is not None
    assert member.referral.store.code == "TPE01"

    binding = client.create_binding(member.id)
    assert binding.qr_url is not None
    assert client.send_binding_sms(binding.id, idempotency_key=new_idempotency_key()).sms_sent
    assert client.cancel_binding(binding.id).status is schemas.BindingStatus.CANCELLED


def test_errors_come_back_typed(backend: LiveBackend, client: OmoClient):
    with pytest.raises(ValidationError) as bad_phone:
        client.create_invitation("123456", idempotency_key=new_idempotency_key())
    assert bad_phone.value.code == "invalid_phone"
    assert bad_phone.value.field == "phone"

    order = client.record_order(schemas.OrderCreate(name="Chang", phone="0955666777", amount=10))
    with pytest.raises(ConflictError) as not_member:
        client.create_binding(order.customer_id)
    assert not_member.value.code == "not_member"

    for _ in range(3):
        sent = client.create_invitation("0922333444", idempotency_key=new_idempotency_key())
        client.cancel_invitation(sent.id)
    with pytest.raises(RateLimitedError) as limited:
        client.create_invitation("0922333444", idempotency_key=new_idempotency_key())
    assert 0 < limited.value.retry_after <= 600
    assert limited.value.details["scope"] == "phone"


def test_already_member_names_the_member(backend: LiveBackend, client: OmoClient):
    client.create_invitation("0912345678", idempotency_key=new_idempotency_key())
    phone = Phone(backend)
    phone.open(latest_link(backend, "+886912345678"))
    phone.submit("/r", name="Amy", password="password1", password_confirm="password1", terms="1")
    with pytest.raises(AlreadyMemberError) as member:
        client.create_invitation("0912345678", idempotency_key=new_idempotency_key())
    assert member.value.customer_id == client.search_customers(phone="0912345678").items[0].id


def test_log_in_failures_and_logout(backend: LiveBackend, client: OmoClient):
    other = OmoClient(backend.base_url, device_token=client.device_token)
    with pytest.raises(UnauthorizedError) as wrong:
        other.login("1001", "000000")
    assert wrong.value.code == "invalid_credentials"
    for _ in range(4):
        with pytest.raises(ApiError):
            other.login("1001", "000000")
    with pytest.raises(ForbiddenError) as locked:
        other.login("1001", "123456")
    assert locked.value.code == "staff_locked"
    assert locked.value.retry_after is not None

    client.logout()
    with pytest.raises(ApiError) as logged_out:
        client.search_customers(phone="0912345678")
    assert logged_out.value.code == "not_logged_in"


class _Always503(BaseHTTPRequestHandler):
    seen: list[str]

    def _answer(self) -> None:
        self.seen.append(self.command)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"error": {"code": "service_unavailable", "message": "down"}}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def unavailable() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Always503,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_only_safe_calls_are_retried(unavailable: tuple[str, list[str]]):
    base, seen = unavailable
    client = OmoClient(base, session_token="t", retries=2, backoff_seconds=0.01)

    with pytest.raises(ServerError):
        client.search_customers(phone="0912345678")
    assert seen == ["GET"] * 3, "a read is retried"

    seen.clear()
    with pytest.raises(ServerError):
        client.invitation_received(1)
    assert seen == ["POST"], "a write without a key is never retried"

    seen.clear()
    with pytest.raises(ServerError):
        client.create_invitation("0912345678", idempotency_key="tap-1")
    assert seen == ["POST"] * 3, "a write with its tap's key is retried with the same key"


def test_an_unreachable_backend_is_offline_not_a_crash():
    client = OmoClient(
        f"http://127.0.0.1:{free_port()}", session_token="t", retries=1, backoff_seconds=0.01
    )
    with pytest.raises(OfflineError) as offline:
        client.search_customers(phone="0912345678")
    assert offline.value.code == "offline"
