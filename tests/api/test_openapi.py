"""/openapi.json as an integrator reads it: the bearer schemes and every refusal, enveloped.

What each operation actually answers is fuzzed in test_schemathesis.py; here the document
itself is read over HTTP from a live backend.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from backend_client.schemas import Role
from omo_backend.deps import minimum_role
from omo_backend.openapi import api_routes
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
UNAUTHENTICATED = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/ready"),
    ("post", "/api/v1/devices/enroll"),
    ("post", "/api/v1/sms/twilio/status"),  # Twilio signs it instead
}
# What an integration's API key may call too (API.md "Orders and carts").
WITH_API_KEY = {
    ("post", "/api/v1/orders"),
    ("patch", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/orders/{order_id}/resend-email"),
    ("put", "/api/v1/carts/{external_ref}"),
}


@pytest.fixture(scope="module")
def served(sqlite_factory: DatabaseFactory) -> Iterator[LiveBackend]:
    with live_backend(sqlite_factory) as backend:
        yield backend


@pytest.fixture(scope="module")
def document(served: LiveBackend) -> dict[str, Any]:
    reply = served.http.get(served.url("/openapi.json"), timeout=10)
    assert reply.status_code == 200
    result: dict[str, Any] = reply.json()
    return result


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def refusals(operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(s): r for s, r in operation["responses"].items() if int(s) >= 400}


def test_the_token_is_a_bearer_scheme_not_a_header_parameter(document: dict[str, Any]):
    schemes = document["components"]["securitySchemes"]
    assert schemes.keys() == {"deviceToken", "staffSession", "apiKey"}
    for scheme in schemes.values():
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path, operation in operations(document):
        names = [p["name"].lower() for p in operation.get("parameters", [])]
        assert "authorization" not in names, (method, path)


def test_each_operation_names_the_token_it_needs(document: dict[str, Any]):
    for method, path, operation in operations(document):
        needs = {name for need in operation.get("security", []) for name in need}
        if (method, path) in UNAUTHENTICATED or path.startswith("/api/v1/dev/"):
            assert needs == set(), (method, path)
            assert "No authentication." in operation["description"]
        elif (method, path) == ("post", "/api/v1/staff/login"):
            assert needs == {"deviceToken"}
            assert "`deviceToken`" in operation["description"]
        elif (method, path) in WITH_API_KEY:
            assert needs == {"staffSession", "apiKey"}, (method, path)
            assert "`staffSession`" in operation["description"]
            assert "`apiKey`" in operation["description"]
            assert 401 in refusals(operation), (method, path)
        else:
            assert needs == {"staffSession"}, (method, path)
            assert "`staffSession`" in operation["description"]
            assert 401 in refusals(operation), (method, path)


def test_every_refusal_is_the_error_envelope(document: dict[str, Any]):
    for method, path, operation in operations(document):
        for status, response in refusals(operation).items():
            content = dict(response["content"])
            # The HTTP server's own refusal of a malformed request, before the app.
            if status == 400:
                assert content.pop("text/plain") == {"schema": {"type": "string"}}
            if content or status != 400:
                assert content == {"application/json": {"schema": ENVELOPE}}, (method, path)
    schemas = document["components"]["schemas"]
    assert schemas["ErrorEnvelope"]["required"] == ["error"]
    assert {"code", "message"} <= set(schemas["ErrorBody"]["required"])
    # FastAPI's own 422 shape is never sent, so it is not offered.
    assert "HTTPValidationError" not in schemas


def test_statuses_follow_from_what_an_operation_takes(document: dict[str, Any]):
    for method, path, operation in operations(document):
        statuses = set(refusals(operation))
        where = {p["in"] for p in operation.get("parameters", [])}
        headers = {
            p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"
        }
        if "path" in where:
            assert {404, 422} <= statuses, (method, path)
        if where:
            assert 422 in statuses, (method, path)
        if "requestBody" in operation:
            assert {400, 422} <= statuses, (method, path)
        # The body cap holds before routing, whatever the operation reads.
        assert 413 in statuses, (method, path)
        if "idempotency-key" in headers:
            assert 422 in statuses, (method, path)
        if path != "/api/v1/health":
            assert 503 in statuses, (method, path)


def test_the_manager_and_admin_operations_document_403(
    served: LiveBackend, document: dict[str, Any]
):
    # The guard each route declares, read off the app: a route added later is covered.
    minimum = {
        (method.lower(), re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path)): minimum_role(route)
        for route in api_routes(served.app.routes)
        for method in route.methods
    }
    assert minimum[("get", "/api/v1/devices")] is Role.MANAGER
    assert minimum[("put", "/api/v1/levels")] is Role.ADMIN
    for method, path, operation in operations(document):
        forbidden = refusals(operation).get(403)
        role = minimum[(method, path)]
        if role is Role.MANAGER:
            assert forbidden is not None, (method, path)
            assert "`forbidden`" in forbidden["description"]
            assert "of a manager or above" in operation["description"], (method, path)
        elif role is Role.ADMIN:
            assert forbidden is not None, (method, path)
            assert "`forbidden`" in forbidden["description"]
            assert "of an admin" in operation["description"], (method, path)
        elif (method, path) in WITH_API_KEY:
            # A key without the scope the operation needs.
            assert forbidden is not None, (method, path)
            assert "`forbidden`" in forbidden["description"]
        elif (method, path) == ("post", "/api/v1/sms/twilio/status"):
            # Not a role: a request Twilio did not sign.
            assert forbidden is not None, (method, path)
            assert "`bad_signature`" in forbidden["description"]
        elif (method, path) != ("post", "/api/v1/staff/login"):
            assert forbidden is None, (method, path)


def test_the_routes_own_refusals_are_listed_by_code(document: dict[str, Any]):
    invite = refusals(document["paths"]["/api/v1/invitations"]["post"])
    assert "`already_member`" in invite[409]["description"]
    assert "`rate_limited`" in invite[429]["description"]
    login = refusals(document["paths"]["/api/v1/staff/login"]["post"])
    assert "`staff_locked`" in login[403]["description"]
    binding = refusals(document["paths"]["/api/v1/bindings"]["post"])
    assert "`customer_not_found`" in binding[404]["description"]


def test_waits_and_challenges_are_documented_headers(document: dict[str, Any]):
    seen: set[int] = set()
    for method, path, operation in operations(document):
        for status, response in refusals(operation).items():
            headers = response.get("headers", {})
            if status in (429, 503):
                assert headers["Retry-After"]["required"] is True, (method, path, status)
                assert headers["Retry-After"]["schema"]["type"] == "integer"
            if status == 401:
                assert headers["WWW-Authenticate"]["required"] is True, (method, path)
            seen.add(status)
    assert {401, 403, 404, 409, 413, 422, 429, 503} <= seen


def test_replays_of_an_idempotent_write_are_marked(document: dict[str, Any]):
    created = document["paths"]["/api/v1/invitations"]["post"]["responses"]["201"]
    assert "Idempotent-Replayed" in created["headers"]


def test_the_customer_pages_are_not_api_operations(document: dict[str, Any]):
    # Phone pages behind SMS links: HTML, forms with CSRF tokens and cookies, not a contract
    # for integrators (tests/api/test_pages.py and tests/browser cover them).
    for path in document["paths"]:
        assert path.startswith("/api/v1/"), path


def test_bounds_are_exact_numbers(document: dict[str, Any]):
    # Printed as floats, an id's bound of 2**63 would read 9223372036854776000.
    bounds = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                found.extend(node[key] for key in bounds & node.keys())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    assert 2**63 in found
    assert all(isinstance(bound, int) for bound in found), found


def test_a_malformed_request_gets_the_documented_plain_400(
    served: LiveBackend, document: dict[str, Any]
):
    # What schemathesis once sent: a Content-Length header without a value, on a GET.
    address = urlsplit(served.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(b"GET /api/v1/staff HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n")
        head = conn.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 400 ")
    assert "content-type: text/plain" in head.lower()
    for method, path, operation in operations(document):
        assert "text/plain" in refusals(operation)[400]["content"], (method, path)


def test_the_dev_endpoints_document_their_hiding_404(served: LiveBackend, document: dict[str, Any]):
    # Through a proxy the development endpoints act as if they were not there.
    reply = served.http.get(
        served.url("/api/v1/dev/messages"), headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    assert reply.status_code == 404
    assert 404 in refusals(document["paths"]["/api/v1/dev/messages"]["get"])
