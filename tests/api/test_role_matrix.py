"""Every route, every role: a role below a route's minimum gets 403 `forbidden`, before anything.

No list of routes here: they are read off the app, and each one's minimum role off its
dependencies (``omo_backend.openapi.minimum_role``), so a route added later is covered as soon
as it exists. Each call names ids that do not exist, leaves required query parameters out and
sends a body of the wrong shape: whoever may call the route gets a 404 or 422 for that, whoever
may not gets 403 first.

Kinds of caller covered: staff sessions of each role (``staffSession``) and device tokens
(``deviceToken``, which carry no role). API keys do not exist yet: a route asking for any other
security scheme fails this test until the test is taught about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from fastapi.routing import APIRoute
from pydantic import BaseModel

from backend_client.schemas import ID_BOUND, Amount, Id, Role
from omo_backend.deps import ManagerDep, minimum_role
from omo_backend.openapi import api_routes, security_schemes
from tests.api.test_api_keys import create_key
from tests.support.backend import LiveBackend

# apiKey: an integration's key, which a route takes beside a staff session (orders and carts).
KNOWN_SCHEMES = {"staffSession", "deviceToken", "apiKey"}
# A well-formed id that no test row has: any path parameter takes it.
MISSING_ID = str(ID_BOUND - 1)
CODES = {
    Role.STAFF: ("1001", "111111"),
    Role.MANAGER: ("1009", "999999"),
    Role.ADMIN: ("9001", "900900"),
}


def staff_routes(backend: LiveBackend) -> Iterator[tuple[str, str, APIRoute]]:
    for route in api_routes(backend.app.routes):
        for method in sorted(route.methods):
            yield method, re.sub(r"\{[^}]+\}", MISSING_ID, route.path), route


def call(
    backend: LiveBackend, method: str, path: str, route: APIRoute, token: str, *, json: bool = True
) -> requests.Response:
    """A call with ids that do not exist and a body of the wrong shape (or not JSON at all)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = None
    if route.body_field is not None:
        body = '["not", "the", "body"]' if json else '{"not": json'
    return requests.request(method, backend.url(path), data=body, headers=headers, timeout=20)


@pytest.fixture
def people(backend: LiveBackend) -> LiveBackend:
    backend.add_store()
    for role, (code, pin) in CODES.items():
        backend.add_staff(code=code, pin=pin, name=role.value, role=role)
    return backend


def test_the_routes_ask_only_for_the_kinds_of_caller_this_test_knows(people: LiveBackend):
    for method, path, route in staff_routes(people):
        schemes = {s.scheme_name for s in security_schemes(route)}
        assert schemes <= KNOWN_SCHEMES, f"{method} {path}: teach this test about {schemes}"
        if "staffSession" not in schemes:
            assert minimum_role(route) is None, (method, path)
        if "apiKey" in schemes:
            assert "staffSession" in schemes, f"{method} {path}: a key route is a staff route too"


def test_an_api_key_reaches_only_the_routes_that_take_one(people: LiveBackend):
    """API.md: "An API key can only call the endpoints its scopes name"."""
    key = create_key(people)
    reached = 0
    for method, path, route in staff_routes(people):
        schemes = {s.scheme_name for s in security_schemes(route)}
        if not schemes or "apiKey" in schemes:
            continue
        reply = call(people, method, path, route, key)
        assert reply.status_code == 401, (method, path, reply.text)
        reached += 1
    assert reached > 10


def test_a_role_below_the_minimum_gets_403_first_and_only_then(people: LiveBackend):
    device = people.enroll()
    checked: dict[Role, int] = dict.fromkeys(Role, 0)
    for method, path, route in staff_routes(people):
        minimum = minimum_role(route)
        if minimum is None:
            continue
        for role, (code, pin) in CODES.items():
            for json in (True, False) if route.body_field is not None else (True,):
                # A session of its own for each call: one of the routes may be a log-out.
                token = people.login(device, code, pin)
                reply = call(people, method, path, route, token, json=json)
                where = (role, method, path, json, reply.text)
                if role.at_least(minimum):
                    assert reply.status_code not in (401, 403), where
                    assert reply.status_code != 200 or route.body_field is None, where
                else:
                    assert reply.status_code == 403, where
                    assert reply.json()["error"]["code"] == "forbidden", where
            checked[role] += 1
    assert all(checked.values()), checked


def test_a_device_token_reaches_the_device_routes_and_no_staff_route(people: LiveBackend):
    device = people.enroll()
    device_routes = 0
    for method, path, route in staff_routes(people):
        schemes = {s.scheme_name for s in security_schemes(route)}
        if not schemes:
            continue
        reply = call(people, method, path, route, device)
        if "deviceToken" in schemes:
            device_routes += 1
            assert reply.status_code not in (401, 403), (method, path, reply.text)
        else:
            assert reply.status_code == 401, (method, path, reply.text)
    assert device_routes, "no device-token route left: drop this test's device part"


class _Body(BaseModel):
    amount: Amount


def test_the_role_comes_before_a_body_that_is_not_json(people: LiveBackend):
    # No manager route reads a body yet: one made for this test, guarded as the real ones are.
    @people.app.post("/api/v1/test-only/{thing_id}")
    def _manager_with_body(thing_id: Id, body: _Body, manager: ManagerDep) -> None:
        raise AssertionError("never reached")

    device = people.enroll()
    staff = people.login(device, *CODES[Role.STAFF])
    manager = people.login(device, *CODES[Role.MANAGER])
    for body in ('{"amount": "lots"}', '{"amount": ', "\udcff"):
        refused = requests.post(
            people.url(f"/api/v1/test-only/{MISSING_ID}"),
            data=body.encode("utf-8", "surrogateescape"),
            headers={"Authorization": f"Bearer {staff}", "Content-Type": "application/json"},
            timeout=20,
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden"), body
        passed = requests.post(
            people.url(f"/api/v1/test-only/{MISSING_ID}"),
            data=body.encode("utf-8", "surrogateescape"),
            headers={"Authorization": f"Bearer {manager}", "Content-Type": "application/json"},
            timeout=20,
        )
        assert passed.status_code in (400, 422), (body, passed.text)

    # Without a session: 401, whatever the body.
    anonymous = requests.post(
        people.url("/api/v1/invitations"),
        data=b'{"phone": ',
        headers={"Content-Type": "application/json"},
        timeout=20,
    )
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "missing_token")
