"""No retired identifier is ever accepted by any entry point: once an account is merged away,
its phone (in whatever form it is typed) and its e-mail (in whatever case) cannot sign up, be
added by hand, be invited at the counter or become another member's e-mail; a sale or a cart
naming it lands on the primary and makes no new customer; the counter's search says where it
went. One live backend on SQLite over HTTP, the sign-up through the pages' service.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend_client.schemas import Role
from omo_backend.customers.service import Registration, register_member
from omo_backend.errors import Conflict
from omo_backend.models import Customer
from tests.support.backend import Counter, DatabaseFactory, LiveBackend, live_backend
from tests.support.directory import add_customer

rule = settings(
    derandomize=True,
    database=None,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

ENTRY_POINTS = [
    "sign_up",
    "add_member",
    "invite",
    "patch_email",
    "order",
    "cart",
    "search",
]


@pytest.fixture(scope="module")
def live(sqlite_factory: DatabaseFactory) -> Iterator[tuple[LiveBackend, Counter, Counter]]:
    with live_backend(sqlite_factory) as backend:
        backend.add_store("TPE01", "台北總店")
        backend.add_staff("TPE01", code="1001", name="Amy")
        backend.add_staff("TPE01", code="9001", name="Boss", role=Role.ADMIN)
        yield backend, backend.counter("TPE01", "1001"), backend.counter("TPE01", "9001")


_numbers = itertools.count(10_000_000)


def phone_forms(digits: str) -> st.SearchStrategy[str]:
    """The ways staff and customers type one Taiwanese mobile number ``9xxxxxxxx``."""
    return st.sampled_from(
        [
            f"0{digits}",
            f"+886{digits}",
            f"+886 {digits[:3]} {digits[3:6]} {digits[6:]}",
            f"0{digits[:3]}-{digits[3:6]}-{digits[6:]}",
            f" 0{digits} ",
        ]
    )


def code_of(reply: Any) -> str:
    error: str = reply.json()["error"]["code"]
    return error


def customers(backend: LiveBackend) -> int:
    with backend.db.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


@rule
@given(data=st.data(), entry=st.sampled_from(ENTRY_POINTS), use_email=st.booleans())
def test_no_retired_identifier_is_accepted_by_any_entry_point(live, data, entry, use_email):
    backend, counter, admin = live
    n = next(_numbers)
    digits = f"9{n:08d}"
    email = f"dup{n}@example.com"
    primary = add_customer(backend, name=f"P{n}", phone=f"+8869{n + 50_000_000:08d}")
    merged = add_customer(backend, name=f"D{n}", phone=f"+886{digits}", email=email)
    body = {"primary_id": primary, "member_ids": [merged]}
    shown = admin.post("/api/v1/members/merge/preview", json=body)
    assert shown.status_code == 200, shown.text
    done = admin.post(
        "/api/v1/members/merge", json=body | {"preview_id": shown.json()["preview_id"]}
    )
    assert done.status_code == 200, done.text

    typed_phone = data.draw(phone_forms(digits), label="phone as typed")
    typed_email = data.draw(
        st.sampled_from([email, email.upper(), f" {email.title()} "]), label="e-mail as typed"
    )
    given_as = {"email": typed_email} if use_email else {"phone": typed_phone}
    before = customers(backend)

    if entry == "sign_up":
        registration = Registration(
            name="New",
            email=typed_email.strip().lower() if use_email else None,
            birthday=None,
            password_hash="x",
            marketing_consent=False,
            terms_text="terms",
            marketing_text="marketing",
            locale="en",
        )
        phone = f"+8869{n + 70_000_000:08d}" if use_email else f"+886{digits}"
        with pytest.raises(Conflict) as refused, backend.db.transaction() as session:
            register_member(
                session=session,
                phone=phone,
                registration=registration,
                store_id=1,
                staff_id=None,
                device_id=None,
                channel="counter",
            )
        assert refused.value.code == "identifier_retired"
    elif entry == "add_member":
        reply = admin.post("/api/v1/members", json=given_as)
        assert reply.status_code == 409, reply.text
        assert code_of(reply) == "identifier_retired"
    elif entry == "invite":
        reply = counter.invite(typed_phone)
        assert reply.status_code == 409, reply.text
        assert code_of(reply) == "identifier_retired"
    elif entry == "patch_email":
        other = add_customer(backend, name="O", phone=f"+8869{n + 60_000_000:08d}")
        before = customers(backend)
        reply = admin.http.patch(
            backend.url(f"/api/v1/members/{other}"), json={"email": typed_email}, timeout=20
        )
        assert reply.status_code == 409, reply.text
        assert code_of(reply) == "identifier_retired"
    elif entry == "order":
        reply = admin.post(
            "/api/v1/orders",
            json=given_as | {"amount": 10},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["customer_id"] == primary
    elif entry == "cart":
        ref = f"cart-{n}"
        reply = admin.http.put(
            backend.url(f"/api/v1/carts/{ref}"),
            json=given_as | {"amount": 10, "items_count": 1, "checked_out": False},
            timeout=20,
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["customer_id"] == primary
    else:
        found = counter.search(**given_as)
        assert found["items"] == []
        assert found["merged_into"]["member_id"] == primary
    assert customers(backend) == before  # no entry point made a customer of it
