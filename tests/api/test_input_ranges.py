"""Numbers and text from outside get their real range on the wire: 404 or 422, never a 500.

Every test runs on SQLite and on PostgreSQL, whose ``integer`` key columns hold less than the
wire's 64-bit ids and whose text columns cannot hold a NUL byte.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from fastapi.routing import iter_route_contexts

from backend_client.schemas import ONE_LINE_PATTERN, Role
from omo_backend import security
from omo_backend.app import create_app
from omo_backend.models import Customer, Order
from omo_backend.settings import Settings
from tests.support.backend import Counter, LiveBackend, Phone, latest_link
from tests.support.page_text import visible

INT4_MAX = 2**31 - 1
ID_MAX = 2**63 - 1
E164 = "+886912345678"
PASSWORD = "password1"

# Refused in every text field: control characters (NUL, tab, newline, DEL, C1) and the
# Unicode line and paragraph separators (these fields hold one line).
UNSTORABLE = ["a\x00b", "a\tb", "a\nb", "a\x7fb", "a\x85b", "a\u2028b"]


@pytest.fixture
def counter(backend: LiveBackend) -> Counter:
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy")
    return backend.counter("TPE01", "1001")


def add_member(
    backend: LiveBackend, phone: str = E164, email: str | None = "mei@example.com"
) -> int:
    return backend.add_member(phone, email=email, password_hash=security.hash_secret(PASSWORD))


def call(counter: Counter, method: str, path: str, body: Any = None) -> requests.Response:
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    return counter.http.request(
        method, counter.backend.url(path), json=body, headers=headers, timeout=20
    )


def assert_one_line_refused(problem: dict[str, str], field: str) -> None:
    assert problem["field"] == field
    assert problem["type"] == "string_pattern_mismatch"
    assert problem["message"] == (
        "Must be one line of text, without control characters or line breaks."
    )


def field_errors(reply: requests.Response) -> list[dict[str, str]]:
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "validation_error"
    fields: list[dict[str, str]] = error["details"]["fields"]
    return fields


# --- ids ---------------------------------------------------------------------------------


def _routes_with_an_id_in_their_path() -> list[tuple[str, str]]:
    """Every API operation whose path names a row by id, read off the app itself: a new one
    is covered without being listed here."""
    # Never opened: the app is only built to read its routes.
    settings = Settings(database_url="sqlite:////nonexistent/never-opened.db", dev_mode=True)
    found = []
    for route in iter_route_contexts(create_app(settings).routes):
        path = route.path or ""
        if path.startswith("/api/") and re.search(r"\{\w+_id(:id)?\}", path):
            found += [
                (m, re.sub(r"\{\w+_id(:id)?\}", "{id}", path)) for m in sorted(route.methods or ())
            ]
    return found


ID_ROUTES = _routes_with_an_id_in_their_path()
# The long-polls also take their wait: the same id rule holds while waiting.
ID_ROUTES += [(m, f"{p}?wait=1") for m, p in ID_ROUTES if m == "GET" and "/api/v1/" in p]


# A valid body for the id routes that need one, so that only the id is wrong.
ID_ROUTE_BODIES = {
    ("POST", "/api/v1/members/{id}/points"): {"delta": 1, "reason": "welcome"},
    ("PATCH", "/api/v1/orders/{id}"): {"status": "paid"},
    ("PATCH", "/api/v1/members/{id}"): {"name": "Mei"},
    ("POST", "/api/v1/members/{id}/erase"): {"reason": "asked at the counter"},
    ("PATCH", "/api/v1/webhooks/{id}"): {"enabled": False},
}


def test_the_id_routes_are_found():
    paths = {path for _, path in ID_ROUTES}
    assert {"/api/v1/invitations/{id}", "/api/v1/bindings/{id}/sms"} <= paths
    assert {"/api/v1/devices/{id}/revoke", "/api/v1/staff/{id}/unlock"} <= paths


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_an_id_beyond_64_bits_is_refused_and_one_within_them_is_not_found(
    backend: LiveBackend, method: str, path: str
):
    # An admin may call every one of them: the id is what is under test, not the role.
    backend.add_store("TPE01", "台北總店")
    backend.add_staff("TPE01", "1001", "Amy", role=Role.ADMIN)
    counter = backend.counter("TPE01", "1001")
    body = ID_ROUTE_BODIES.get((method, path))
    for beyond in (2**63, 10**30, 0, -1):
        reply = call(counter, method, path.format(id=beyond), body)
        [problem] = field_errors(reply)
        assert problem["field"].endswith("_id"), problem

    # Valid on the wire, but more than PostgreSQL's integer key holds: no such row.
    for absent in (ID_MAX, INT4_MAX + 1, INT4_MAX, 987654):
        reply = call(counter, method, path.format(id=absent), body)
        assert reply.status_code == 404, reply.text
        assert reply.json()["error"]["code"].endswith("_not_found")


def test_a_binding_for_a_customer_id_out_of_range_is_refused_or_not_found(
    backend: LiveBackend, counter: Counter
):
    for beyond in (2**63, 10**30, 0, -1):
        [problem] = field_errors(call(counter, "POST", "/api/v1/bindings", {"customer_id": beyond}))
        assert problem["field"] == "customer_id"
    for absent in (ID_MAX, INT4_MAX + 1):
        reply = call(counter, "POST", "/api/v1/bindings", {"customer_id": absent})
        assert reply.status_code == 404, reply.text
        assert reply.json()["error"]["code"] == "customer_not_found"

    # The same lookup still finds a real member.
    reply = call(counter, "POST", "/api/v1/bindings", {"customer_id": add_member(backend)})
    assert reply.status_code == 201, reply.text


def test_an_order_amount_is_within_what_the_column_holds(backend: LiveBackend, counter: Counter):
    for beyond in (10**30, 2**63, INT4_MAX + 1, -1):
        body = {"phone": "0912 345 678", "amount": beyond}
        [problem] = field_errors(call(counter, "POST", "/api/v1/orders", body))
        assert problem["field"] == "amount"

    largest = call(counter, "POST", "/api/v1/orders", {"phone": "0912345678", "amount": INT4_MAX})
    assert largest.status_code == 201, largest.text
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Order, largest.json()["id"]).amount == INT4_MAX


def test_the_long_poll_wait_is_a_finite_number_within_its_range(counter: Counter):
    for wait in ("nan", "inf", "-1", "1e400", "100000"):
        [problem] = field_errors(call(counter, "GET", f"/api/v1/bindings/1?wait={wait}"))
        assert problem["field"] == "query.wait"


def test_the_openapi_document_states_the_ranges(backend: LiveBackend):
    document = requests.get(backend.url("/openapi.json"), timeout=10).json()
    paths = document["paths"]
    for path in ("/api/v1/invitations/{invitation_id}", "/api/v1/bindings/{binding_id}"):
        params = {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"]}
        [key] = [name for name in params if name.endswith("_id")]
        assert (params[key]["minimum"], params[key]["exclusiveMaximum"]) == (1, ID_MAX + 1)
        assert params["wait"]["minimum"] == 0
        assert params["wait"]["maximum"] <= 3600
    schemas = document["components"]["schemas"]
    customer_id = schemas["BindingCreate"]["properties"]["customer_id"]
    assert (customer_id["minimum"], customer_id["exclusiveMaximum"]) == (1, ID_MAX + 1)
    amount = schemas["OrderCreate"]["properties"]["amount"]
    assert (amount["minimum"], amount["maximum"]) == (0, INT4_MAX)


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_member_search_refuses_control_characters_in_every_field(counter: Counter, bad: str):
    for field, value in (
        ("name", bad),
        ("email", bad.replace("b", "b@example.com")),
        ("phone", bad.replace("a", "0912").replace("b", "345678")),
    ):
        reply = counter.get("/api/v1/customers/search", params={field: value})
        [problem] = field_errors(reply)
        assert_one_line_refused(problem, f"query.{field}")

    assert counter.search(name="mei")["items"] == []


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_staff_log_in_refuses_control_characters_in_the_staff_code(
    backend: LiveBackend, counter: Counter, bad: str
):
    device = backend.enroll("TPE01", "Counter 2")
    reply = requests.post(
        backend.url("/api/v1/staff/login"),
        json={"staff_code": bad.replace("a", "10").replace("b", "01"), "pin": "123456"},
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    )
    [problem] = field_errors(reply)
    assert_one_line_refused(problem, "staff_code")


def test_every_text_field_of_the_counters_requests_refuses_control_characters(
    backend: LiveBackend, counter: Counter
):
    bodies: list[tuple[str, dict[str, Any], str]] = [
        ("/api/v1/orders", {"name": "A\x00", "phone": "0912345678", "amount": 1}, "name"),
        ("/api/v1/orders", {"email": "a\x00@example.com", "amount": 1}, "email"),
        ("/api/v1/orders", {"phone": "0912\x00345678", "amount": 1}, "phone"),
        (
            "/api/v1/orders",
            {"phone": "0912345678", "amount": 1, "external_ref": "R\x001"},
            "external_ref",
        ),
        ("/api/v1/invitations", {"phone": "0912\x00345678"}, "phone"),
    ]
    for path, body, field in bodies:
        [problem] = field_errors(call(counter, "POST", path, body))
        assert_one_line_refused(problem, field)

    code = backend.enrollment_code("TPE01")
    for body, field in (
        ({"enrollment_code": code, "device_name": "Counter\x002"}, "device_name"),
        ({"enrollment_code": code + "\x00", "device_name": "Counter 2"}, "enrollment_code"),
    ):
        reply = requests.post(backend.url("/api/v1/devices/enroll"), json=body, timeout=10)
        [problem] = field_errors(reply)
        assert_one_line_refused(problem, field)

    # Nothing was written, and ordinary text (spaces, CJK, emoji) still goes through.
    with backend.db.transaction(write=False) as session:
        assert session.query(Order).count() == 0
    fine = {"name": "林 小華 🙂", "phone": "0912345678", "amount": 1, "external_ref": "R 1"}
    assert call(counter, "POST", "/api/v1/orders", fine).status_code == 201


def test_the_openapi_document_states_the_text_rule(backend: LiveBackend):
    document = requests.get(backend.url("/openapi.json"), timeout=10).json()
    schemas = document["components"]["schemas"]
    name = schemas["OrderCreate"]["properties"]["name"]["anyOf"][0]
    staff_code = schemas["StaffLoginRequest"]["properties"]["staff_code"]
    search = document["paths"]["/api/v1/customers/search"]["get"]["parameters"]
    patterns = {name["pattern"], staff_code["pattern"]} | {
        p["schema"]["anyOf"][0]["pattern"] for p in search if p["in"] == "query"
    }
    assert patterns == {ONE_LINE_PATTERN}
    # As an integrator's tool reads it (``$`` is the end of the text, as in JSON Schema).
    rule = re.compile(ONE_LINE_PATTERN.replace("$", r"\Z"))
    assert rule.fullmatch("林 小華 🙂")
    assert not any(rule.fullmatch(bad) for bad in UNSTORABLE)


# --- the customer pages (anyone holding a link reaches them) -------------------------------


def registration_phone(backend: LiveBackend, counter: Counter) -> Phone:
    reply = counter.invite("0912 345 678")
    assert reply.status_code == 201, reply.text
    phone = Phone(backend, accept_language="en")
    opened = phone.open(latest_link(backend, E164))
    assert opened.status_code == 200
    return phone


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_the_registration_form_refuses_control_characters_and_keeps_the_rest(
    backend: LiveBackend, counter: Counter, bad: str
):
    phone = registration_phone(backend, counter)

    refused = phone.submit(
        "/r",
        name=f"林{bad}",
        email="hua@example.com",
        birthday="1990-05-04",
        password=PASSWORD,
        password_confirm=PASSWORD,
        terms="1",
        marketing="1",
    )

    assert refused.status_code == 422, refused.text[:500]
    assert refused.headers["Content-Type"].startswith("text/html")
    assert 'id="name-err"' in refused.text
    assert "one line of text" in visible(refused)
    assert 'value="hua@example.com"' in refused.text
    for chosen in ("1990", "5", "4"):  # the birthday's year, month and day lists
        assert f"<option selected>{chosen}</option>" in refused.text
    assert "\x00" not in refused.text
    with backend.db.transaction(write=False) as session:
        assert session.query(Customer).filter(Customer.phone == E164).count() == 0

    fixed = phone.submit(
        "/r",
        name="林小華",
        password=PASSWORD,
        password_confirm=PASSWORD,
        terms="1",
    )
    assert fixed.status_code == 200, fixed.text[:500]


def test_the_registration_form_speaks_chinese_about_it(backend: LiveBackend, counter: Counter):
    phone = registration_phone(backend, counter)
    phone.http.headers["Accept-Language"] = "zh-TW"
    refused = phone.submit(
        "/r", name="林", email="hua\x00@example.com", password=PASSWORD, terms="1"
    )
    assert refused.status_code == 422
    assert "請只輸入一行文字" in visible(refused)
    assert 'value="林"' in refused.text


@pytest.mark.parametrize("bad", ["mei\x00@example.com", "0912\x00345678", "mei@example.com\n"])
def test_the_bind_sign_in_refuses_control_characters_without_counting_a_try(
    backend: LiveBackend, counter: Counter, bad: str
):
    member_id = add_member(backend)
    created = call(counter, "POST", "/api/v1/bindings", {"customer_id": member_id})
    assert created.status_code == 201, created.text
    phone = Phone(backend, accept_language="en")
    assert phone.open(created.json()["qr_url"]).status_code == 200

    refused = phone.submit("/b", identifier=bad, password=PASSWORD)

    assert refused.status_code == 422, refused.text[:500]
    assert refused.headers["Content-Type"].startswith("text/html")
    assert 'id="identifier-err"' in refused.text
    assert "one line of text" in visible(refused)
    assert "tries left" not in refused.text
    assert "\x00" not in refused.text

    signed_in = phone.submit("/b", identifier="mei@example.com", password=PASSWORD)
    assert signed_in.status_code == 200
    assert "Check your details" in visible(signed_in)


def test_the_member_details_after_sign_in_refuse_control_characters_too(
    backend: LiveBackend, counter: Counter
):
    member_id = add_member(backend, email=None)
    created = call(counter, "POST", "/api/v1/bindings", {"customer_id": member_id})
    phone = Phone(backend, accept_language="en")
    phone.open(created.json()["qr_url"])
    assert phone.submit("/b", identifier="0912345678", password=PASSWORD).status_code == 200

    refused = phone.submit("/b/details", name="Mei\x00Lin", birthday="1990-05-06", email="")

    assert refused.status_code == 422, refused.text[:500]
    assert 'id="name-err"' in refused.text
    assert "one line of text" in visible(refused)
    for chosen in ("1990", "5", "6"):  # the birthday's year, month and day lists
        assert f"<option selected>{chosen}</option>" in refused.text
    assert "\x00" not in refused.text
    done = phone.submit("/b/details", name="Mei Lin", birthday="1990-05-06", email="")
    assert done.status_code == 200
    with backend.db.transaction(write=False) as session:
        assert session.get_one(Customer, member_id).name == "Mei Lin"
