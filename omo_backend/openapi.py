"""``/openapi.json`` that tells integrators and fuzzers every status an operation can answer.

FastAPI documents a route's success and, for routes with parameters, a 422 in its own shape;
everything our dependencies and handlers refuse with stays invisible. Here each operation's
refusals are derived by rule from what it depends on (the bearer scheme → 401, the manager
check → 403, a path id or the loopback check → 404, a body → 400 and 422, any parameter
→ 422, an Idempotency-Key → 422, the database → 503; and for any request the HTTP server's
own 400 and the body cap's 413, which stand before routing), plus the domain refusals only
the route knows, which it declares with :func:`errors`. Every refusal is the error envelope;
``Retry-After`` and ``WWW-Authenticate`` are documented where the handlers send them.
``create_app`` calls :func:`install` once all routes are in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute

from backend_client import schemas
from omo_backend.deps import get_db, minimum_role
from omo_backend.dev.loopback import require_loopback

_REF_PREFIX = "#/components/schemas/"
_ENVELOPE = {"$ref": f"{_REF_PREFIX}{schemas.ErrorEnvelope.__name__}"}
IDEMPOTENCY_HEADER = "idempotency-key"
# Any request can be refused this way, before the app sees it: not an envelope, and no route's.
MALFORMED_HTTP = (
    "Not well-formed HTTP (a header without a valid value, say): the HTTP server answers "
    "in plain text."
)

_TITLES = {
    400: "Not readable",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    410: "Gone",
    413: "Body too large",
    422: "Not valid",
    429: "Too many requests",
    503: "Database unavailable",
}


def _header(description: str, *, required: bool, integer: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 1} if integer else {"type": "string"}
    return {"description": description, "required": required, "schema": schema}


_RETRY_AFTER = "Seconds to wait before trying again."
_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    401: {"WWW-Authenticate": _header('Always `Bearer realm="omo"`.', required=True)},
    # Only a refusal that ends by itself (a locked staff code) says when.
    403: {
        "Retry-After": _header(
            _RETRY_AFTER + " Sent with locks only.", required=False, integer=True
        )
    },
    429: {"Retry-After": _header(_RETRY_AFTER, required=True, integer=True)},
    503: {"Retry-After": _header(_RETRY_AFTER, required=True, integer=True)},
}


def errors(**codes: int) -> dict[int | str, dict[str, Any]]:
    """The refusals only this route knows, by code: ``errors(already_member=409)``.

    For a route's ``responses=``; :func:`install` adds the envelope, the headers and the
    statuses every route of its kind has.
    """
    by_status: dict[int, list[str]] = {}
    for code, status in codes.items():
        if status not in _TITLES:
            raise ValueError(f"{code}: status {status} has no documented meaning here")
        by_status.setdefault(status, []).append(code)
    return {
        status: {"description": ", ".join(f"`{code}`" for code in found) + "."}
        for status, found in by_status.items()
    }


@dataclass
class _Refusals:
    """Each status an operation can refuse with, and why (one sentence per reason)."""

    reasons: dict[int, list[str]] = field(default_factory=dict)

    def add(self, status: int, reason: str) -> None:
        self.reasons.setdefault(status, []).append(reason)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _params(dependant: Dependant, kind: str) -> Iterator[Any]:
    yield from getattr(dependant, kind)
    for sub in dependant.dependencies:
        yield from _params(sub, kind)


def security_schemes(route: APIRoute) -> list[SecurityBase]:
    return [call for call in _calls(route.dependant) if isinstance(call, SecurityBase)]


def _a(role: schemas.Role) -> str:
    """ "a manager", "an admin"."""
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"


def derived(route: APIRoute) -> _Refusals:
    """The refusals that follow from what ``route`` depends on, whatever the route does."""
    found = _Refusals()
    found.add(400, MALFORMED_HTTP)
    # The body cap (omo_backend/body_limit.py) stands before routing: it refuses a large body
    # sent with any method, also to an operation that reads none.
    found.add(413, "`payload_too_large`: the request body is larger than the server accepts.")
    calls = set(_calls(route.dependant))
    for scheme in security_schemes(route):
        found.add(401, f"No valid {scheme.scheme_name} bearer token (`missing_token`, …).")
    role = minimum_role(route)
    if role is not None and role is not schemas.Role.STAFF:
        found.add(403, f"`forbidden`: a session of {_a(role)} or above is needed.")
    if require_loopback in calls:
        found.add(404, "Not on a loopback listener, or through a proxy: as if it were not there.")
    path_params = list(_params(route.dependant, "path_params"))
    if path_params:
        names = ", ".join(p.alias for p in path_params)
        found.add(404, f"Nothing with this {names} that the caller may see (`*_not_found`).")
    if route.body_field is not None:
        # FastAPI's own refusal of a body it cannot decode (not UTF-8, say) before validation.
        found.add(400, "`bad_request`: the body could not be read as text.")
    if any(
        list(_params(route.dependant, kind))
        for kind in ("path_params", "query_params", "header_params", "cookie_params")
    ) or (route.body_field is not None):
        found.add(422, "`validation_error`: a field is not right (`details.fields`).")
    headers = {p.alias.lower() for p in _params(route.dependant, "header_params")}
    if IDEMPOTENCY_HEADER in headers:
        found.add(422, "`invalid_idempotency_key`, `idempotency_key_reused`.")
    if get_db in calls:
        found.add(503, "`service_unavailable`: the database is not reachable.")
    return found


def _declared(route: APIRoute) -> _Refusals:
    found = _Refusals()
    for status, response in route.responses.items():
        code = int(status)
        if code >= 400:
            found.add(code, str(response.get("description", "")))
    return found


def refusals(route: APIRoute) -> dict[int, list[str]]:
    """Every error status ``route`` can answer, with its reasons."""
    merged = derived(route).reasons
    for status, reasons in _declared(route).reasons.items():
        merged.setdefault(status, []).extend(reasons)
    return dict(sorted(merged.items()))


def _error_response(status: int, reasons: list[str]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if reasons != [MALFORMED_HTTP]:
        content["application/json"] = {"schema": _ENVELOPE}
    if MALFORMED_HTTP in reasons:
        content["text/plain"] = {"schema": {"type": "string"}}
    response: dict[str, Any] = {
        "description": f"{_TITLES[status]}.\n\n" + "\n".join(f"- {r}" for r in reasons),
        "content": content,
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _auth_sentence(route: APIRoute) -> str:
    schemes = [s.scheme_name for s in security_schemes(route)]
    if not schemes:
        return "No authentication."
    needs = " or ".join(f"a `{name}` token" for name in schemes)
    role = minimum_role(route)
    if role is not None and role is not schemas.Role.STAFF:
        needs += f" of {_a(role)} or above"
    return f"Authentication: `Authorization: Bearer …` with {needs}."


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """The app's API routes, including those of included routers, as declared."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        else:
            # Newer FastAPI keeps an included router whole instead of copying its routes.
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from api_routes(included.routes)


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    _exact_bounds(doc)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    _, envelope = models_json_schema(
        [(schemas.ErrorEnvelope, "serialization")], ref_template=_REF_PREFIX + "{model}"
    )
    components.update(envelope.get("$defs", {}))
    # Our 422 is the envelope; FastAPI's own shape for it is never sent.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        errors_of_route = refusals(route)
        for method in route.methods or ():
            operation = doc["paths"][route.path_format][method.lower()]
            responses = operation["responses"]
            for status in [s for s in responses if s.isdigit() and int(s) >= 400]:
                del responses[status]
            for status, reasons in errors_of_route.items():
                responses[str(status)] = _error_response(status, reasons)
            _document_replays(route, responses)
            description = operation.get("description", "")
            operation["description"] = "\n\n".join(
                part for part in (description, _auth_sentence(route)) if part
            )
    return doc


_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})


def _exact_bounds(node: Any) -> None:
    """Whole-number bounds as integers, as the models declare them.

    FastAPI's OpenAPI model holds bounds as floats: an id's bound of 2**63 would be printed
    9.223372036854776e+18, which a reader takes for 9223372036854776000.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _BOUNDS and isinstance(value, float) and value.is_integer():
                node[key] = int(value)
            else:
                _exact_bounds(value)
    elif isinstance(node, list):
        for item in node:
            _exact_bounds(item)


def _document_replays(route: APIRoute, responses: dict[str, Any]) -> None:
    headers = {p.alias.lower() for p in _params(route.dependant, "header_params")}
    if IDEMPOTENCY_HEADER not in headers:
        return
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {})["Idempotent-Replayed"] = {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same Idempotency-Key.",
                "required": False,
                "schema": {"type": "string", "enum": ["true"]},
            }


def install(app: FastAPI) -> None:
    """Serve :func:`document` as the app's OpenAPI document (built once, on first use)."""
    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not built:
            built.update(document(app))
        return built

    app.openapi = openapi  # type: ignore[method-assign]
