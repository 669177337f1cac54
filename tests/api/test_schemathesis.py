"""Schemathesis fuzzes every operation of /openapi.json against the live backend.

All of its checks run, among them ``status_code_conformance`` (a status the document does not
list fails), ``response_schema_conformance``, ``response_headers_conformance`` and
``not_a_server_error``; on top, a request the schema calls valid must never fail request
validation. Operations run with real credentials: the device token where the document asks
for ``deviceToken``, a manager's staff session where it asks for ``staffSession`` (so the
manager-only operations are reached too), and a session of its own for the log-out.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import UndefinedStatusCode

from backend_client.schemas import Role
from omo_backend.app import create_app
from omo_backend.settings import Settings
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend

EXAMPLES_PER_OPERATION = 200
# The suite replays the same examples every run, so a red CI names a change, not a dice roll;
# OMO_FUZZ_EXPLORE=1 draws new ones (what to run by hand after changing an operation).
EXPLORE = os.environ.get("OMO_FUZZ_EXPLORE") == "1"

# Limits so large the fuzzer's thousands of sends and wrong PINs never hit them: a 429 or a
# locked staff code would answer everything after it the same way and hide the rest. Both
# stay documented and are tested where they belong (test_invitations, test_devices_and_staff).
FUZZ_SETTINGS: dict[str, Any] = {
    "rate_phone_per_10min": 10**6,
    "rate_phone_per_day": 10**6,
    "rate_device_per_hour": 10**6,
    "rate_store_per_hour": 10**6,
    "pin_max_failures": 10**6,
    "pin_max_failures_per_day": 10**6,
    # A long-poll on a row the fuzzer created would otherwise hold each example for its wait.
    "longpoll_max_wait_seconds": 0.05,
}

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # Domain refusals of well-formed requests (a number that is not a mobile, a key
            # reused for another body) are 422; a refusal by request validation is not, and
            # `schema_valid_requests_pass_validation` below catches that.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            },
        },
    }
)


@dataclass
class Credentials:
    backend: LiveBackend
    device_token: str
    session_token: str

    def authorization(self, case: Case) -> dict[str, str]:
        schemes = {
            name for need in case.operation.definition.raw.get("security", []) for name in need
        }
        if "deviceToken" in schemes:
            return {"Authorization": f"Bearer {self.device_token}"}
        if "staffSession" not in schemes:
            return {}
        if case.operation.path == "/api/v1/staff/logout":
            # Logging out ends the session it is called with: never the shared one.
            return {"Authorization": f"Bearer {self.backend.login(self.device_token)}"}
        return {"Authorization": f"Bearer {self.session_token}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def credentials(request: pytest.FixtureRequest) -> Iterator[Credentials]:
    factory: DatabaseFactory = request.getfixturevalue(f"{request.param}_factory")
    with live_backend(factory, **FUZZ_SETTINGS) as backend:
        backend.add_store()
        backend.add_staff(role=Role.MANAGER)
        # Someone else for the manager operations to act on: the fuzzer's own device and
        # account are refused (409) and stay usable.
        backend.add_staff(code="1002", name="Ben")
        backend.enroll(name="Counter 2")
        device_token = backend.enroll()
        yield Credentials(backend, device_token, backend.login(device_token))


def served_document() -> dict[str, Any]:
    """The document the fuzzed backend serves (built without a database: it needs none)."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), dev_mode=True)
        return create_app(settings).openapi()


def test_the_fuzzed_document_is_the_one_served(credentials: Credentials) -> None:
    served = credentials.backend.http.get(credentials.backend.url("/openapi.json"), timeout=10)
    assert served.json() == served_document()


def schema_valid_requests_pass_validation(ctx: Any, response: Response, case: Case) -> bool | None:
    """A request generated from the schema as valid is never refused as malformed."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 422 and _valid_by_the_document(case):
        body = response.json()
        if body.get("error", {}).get("code") == "validation_error":
            raise Failure(
                operation=case.operation.label,
                title="Schema-valid request refused by request validation",
                message=f"The document allows this request, the server refused it: {body}",
            )
    return None


def _valid_by_the_document(case: Case) -> bool:
    """Whether the case is valid by the document as served, with exact integers.

    Schemathesis reads numeric bounds as floats, so it takes 2**63 + 190 for a valid id below
    2**63; the document says otherwise, and is the judge here.
    """
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    root = {"components": DOCUMENT["components"]}

    def fits(schema: dict[str, Any], value: Any) -> bool:
        return jsonschema_rs.validator_for({**root, **schema}).is_valid(value)

    sent = {"path": case.path_parameters or {}, "query": case.query or {}}
    for parameter in operation.get("parameters", []):
        value = sent.get(parameter["in"], {}).get(parameter["name"])
        if isinstance(value, str) and _is_integer(parameter["schema"]):
            value = int(value) if value.lstrip("-").isdigit() else value
        if value is not None and not fits(parameter["schema"], value):
            return False
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return body is None or not isinstance(case.body, dict) or fits(body["schema"], case.body)


def _is_integer(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "integer" or any(
        option.get("type") == "integer" for option in schema.get("anyOf", [])
    )


DOCUMENT = served_document()
# A copy: schemathesis rewrites the bounds of what it is given as floats.
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=CONFIG)


def test_every_check_is_on_and_an_undocumented_status_fails(credentials: Credentials) -> None:
    checks = schema.config.checks_config_for(phase="fuzzing")
    names = [f.name for f in dataclasses.fields(checks) if not f.name.startswith("_")]
    assert "status_code_conformance" in names
    for name in names:
        # A time limit is no check of correctness (and this machine is shared).
        if name != "max_response_time":
            assert checks.get_by_name(name=name).enabled, name
    # What status_code_conformance sees when an operation answers a status it does not list.
    health = schema["/api/v1/health"]["GET"]
    reply = requests.get(credentials.backend.url("/api/v1/no-such-path"), timeout=10)
    assert reply.status_code == 404
    with pytest.raises(FailureGroup) as failed:
        health.Case().validate_response(reply)
    assert any(isinstance(f, UndefinedStatusCode) for f in failed.value.exceptions)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=not EXPLORE,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Case, credentials: Credentials) -> None:
    # A case that leaves the token out or spoils it on purpose is sent as generated.
    spoiled = case.operation.schema.is_security_param_negated(case)
    case.call_and_validate(
        base_url=credentials.backend.base_url,
        headers=None if spoiled else credentials.authorization(case),
        additional_checks=[schema_valid_requests_pass_validation],
    )
