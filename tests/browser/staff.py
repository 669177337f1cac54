"""The counter's side of the phone tests: what staff tap, and what the counter then shows,
all over the staff API as the counter app uses it."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from backend_client.schemas import StorePageSettings
from omo_backend import security
from omo_backend.stores import service as stores
from tests.support.backend import Counter, LiveBackend

STORE = "台北總店"
PHONE = "0933 222 111"  # not the pages' own example number
E164 = "+886933222111"
PASSWORD = "s3cret-pass"


def invite(counter: Counter, phone: str = PHONE) -> dict[str, Any]:
    """Staff taps "Sign up" for ``phone``: the registration SMS goes out."""
    reply = counter.invite(phone, key=uuid.uuid4().hex)
    assert reply.status_code == 201, reply.text
    invitation: dict[str, Any] = reply.json()
    return invitation


def invitation(counter: Counter, invitation_id: int) -> dict[str, Any]:
    """The invitation as the counter shows it now."""
    reply = counter.get(f"/api/v1/invitations/{invitation_id}")
    assert reply.status_code == 200, reply.text
    seen: dict[str, Any] = reply.json()
    return seen


@functools.cache
def password_hash() -> str:
    """``PASSWORD`` hashed as the pages hash it: once per test process (argon2 is slowish)."""
    return security.hash_secret(PASSWORD)


def add_member(backend: LiveBackend, phone: str, name: str, email: str | None = None) -> int:
    """A member who registered earlier (as the pages would store them)."""
    return backend.add_member(phone, name=name, email=email, password_hash=password_hash())


def bind_now(counter: Counter, member_id: int) -> dict[str, Any]:
    """Staff taps "Bind now" on a member: the counter shows the QR code."""
    reply = counter.post("/api/v1/bindings", json={"customer_id": member_id})
    assert reply.status_code == 201, reply.text
    binding: dict[str, Any] = reply.json()
    assert binding["qr_url"], binding
    return binding


def send_bind_sms(counter: Counter, binding_id: int) -> dict[str, Any]:
    """Staff taps "Can't scan? Send SMS": a second link to the same binding."""
    reply = counter.post(
        f"/api/v1/bindings/{binding_id}/sms", headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert reply.status_code == 200, reply.text
    binding: dict[str, Any] = reply.json()
    return binding


def binding(counter: Counter, binding_id: int) -> dict[str, Any]:
    """The binding as the counter shows it now."""
    reply = counter.get(f"/api/v1/bindings/{binding_id}")
    assert reply.status_code == 200, reply.text
    seen: dict[str, Any] = reply.json()
    return seen


def set_store_pages(backend: LiveBackend, **settings: str | None) -> None:
    """The manager sets what the phone pages show of the store (``omo-backend store set``)."""
    with backend.db.transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code="TPE01")
        page_settings = StorePageSettings.model_validate(settings)
        stores.update_page_settings(session=session, store=store, settings=page_settings)
