"""FastAPI dependencies: the database, the settings and who is calling."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend_client.schemas import Role
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.devices import service as device_service
from omo_backend.errors import Forbidden, Unauthorized
from omo_backend.integrations import service as integration_service
from omo_backend.integrations.service import Integration
from omo_backend.models import Device
from omo_backend.settings import Settings
from omo_backend.staff import service as staff_service
from omo_backend.staff.session_cache import SessionCache


# Trivial dependencies are async so they don't each take a trip through the thread pool.
async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# The two bearer schemes /openapi.json declares; each operation names the one it needs.
# auto_error=False: a missing token is our own 401 envelope, not FastAPI's.
device_token = HTTPBearer(
    scheme_name="deviceToken",
    description="`device_token` from POST /api/v1/devices/enroll: it can only log staff in.",
    auto_error=False,
)
staff_session = HTTPBearer(
    scheme_name="staffSession",
    description="`session_token` from POST /api/v1/staff/login: everything else.",
    auto_error=False,
)
DeviceBearer = Annotated[HTTPAuthorizationCredentials | None, Security(device_token)]
StaffBearer = Annotated[HTTPAuthorizationCredentials | None, Security(staff_session)]


def _bearer(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise Unauthorized("Missing bearer token.", code="missing_token")
    return credentials.credentials.strip()


def require_device(db: DbDep, credentials: DeviceBearer) -> Device:
    token = _bearer(credentials)
    with db.transaction(write=False) as session:
        return device_service.authenticate_or_raise(session=session, token=token)


def _authenticate(db: Database, token: str) -> Actor:
    with db.transaction(write=False) as session:
        actor, stale = staff_service.authenticate_or_raise(session=session, token=token)
    if stale:
        with db.transaction() as session:
            staff_service.touch(session=session, session_id=actor.session_id)
    return actor


async def require_staff(request: Request, db: DbDep, credentials: StaffBearer) -> Actor:
    token = _bearer(credentials)
    cache: SessionCache = request.app.state.session_cache
    actor = cache.get(token)
    if actor is None:
        actor = await to_thread.run_sync(_authenticate, db, token)
        cache.put(token, actor)
    return actor


def _require(actor: Actor, minimum: Role) -> Actor:
    if not actor.role.at_least(minimum):
        article = "an" if minimum.value[0] in "aeiou" else "a"
        raise Forbidden(f"Only {article} {minimum.value} or above can do this.", code="forbidden")
    return actor


# The role guards, each keyed to the lowest role it admits (``ROLE_GUARDS``): a route's minimum
# role is the highest guard among its dependencies (``omo_backend.openapi.minimum_role``).
# FastAPI solves a route's dependencies before it validates its path, query and body, so a
# role too low gets 403 before any 404 or 422 (tests/api/test_role_matrix.py holds it to that).
async def require_manager(actor: Annotated[Actor, Depends(require_staff)]) -> Actor:
    return _require(actor, Role.MANAGER)


async def require_admin(actor: Annotated[Actor, Depends(require_staff)]) -> Actor:
    return _require(actor, Role.ADMIN)


ROLE_GUARDS: dict[Any, Role] = {
    require_staff: Role.STAFF,
    require_manager: Role.MANAGER,
    require_admin: Role.ADMIN,
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def minimum_role(route: APIRoute) -> Role | None:
    """The lowest staff role ``route`` admits; None when it asks for no staff session."""
    roles = [ROLE_GUARDS[call] for call in _calls(route.dependant) if call in ROLE_GUARDS]
    return max(roles, key=lambda role: role.rank, default=None)


async def check_role_first(request: Request) -> None:
    """The role check of the route ``request`` reached, for a refusal made before it.

    FastAPI reads the JSON body before it solves dependencies, so a body that is not JSON at
    all is refused before the guards run. The refusal handlers call this first: a caller whose
    role is too low (or who has no session) hears that, not what was wrong with the body. When
    the guards did run, this passes again, from the session cache.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    minimum = minimum_role(route)
    if minimum is None:
        return
    db = await get_db(request)
    credentials = await staff_session(request)
    scoped = [call for call in _calls(route.dependant) if call in _SCOPE_GUARDS.values()]
    if scoped:
        # An API key may call it too: the route's own guard tells a key from a session.
        await scoped[0](request, db, credentials, credentials)
        return
    actor = await require_staff(request, db, credentials)
    _require(actor, minimum)


DeviceDep = Annotated[Device, Depends(require_device)]
ActorDep = Annotated[Actor, Depends(require_staff)]
ManagerDep = Annotated[Actor, Depends(require_manager)]
AdminDep = Annotated[Actor, Depends(require_admin)]


# --- integration API keys (API.md "Roles") ------------------------------------------------

api_key = HTTPBearer(
    scheme_name="apiKey",
    description="An integration key from `omo-backend apikey create`: only the endpoints its"
    " scopes name.",
    auto_error=False,
)
ApiKeyBearer = Annotated[HTTPAuthorizationCredentials | None, Security(api_key)]
# "omo_", the 8 hex digits of the prefix, "_", 32 random bytes: never a session token's shape.
_API_KEY_SHAPE = re.compile(r"omo_[0-9a-f]{8}_[A-Za-z0-9_\-]{43}")


def _authenticate_key(db: Database, key: str) -> Integration:
    with db.transaction(write=False) as session:
        integration, stale = integration_service.authenticate_or_raise(session=session, key=key)
    if stale:
        with db.transaction() as session:
            integration_service.touch(session=session, api_key_id=integration.api_key_id)
    return integration


async def _key_or_staff(
    request: Request,
    db: Database,
    staff: HTTPAuthorizationCredentials | None,
    key: HTTPAuthorizationCredentials | None,
    scope: str,
) -> Actor | Integration:
    """An integration with ``scope`` if the bearer is shaped like an API key, else the staff
    session's actor (its role is the caller's to check)."""
    token = _bearer(staff or key)
    if _API_KEY_SHAPE.fullmatch(token):
        integration = await to_thread.run_sync(_authenticate_key, db, token)
        if scope not in integration.scopes:
            raise Forbidden(f"This API key lacks the {scope} scope.", code="forbidden")
        return integration
    return await require_staff(request, db, staff or key)


_SCOPE_GUARDS: dict[str, Callable[..., Awaitable[Actor | Integration]]] = {}


def require_scope(scope: str) -> Callable[..., Awaitable[Actor | Integration]]:
    """An API key with ``scope``, or a manager's or an admin's staff session.

    One guard per scope, registered in ``ROLE_GUARDS`` as a manager's: the role matrix and
    /openapi.json read a route's minimum staff role off it like off ``require_manager``.
    """
    known = _SCOPE_GUARDS.get(scope)
    if known is not None:
        return known

    async def dependency(
        request: Request, db: DbDep, staff: StaffBearer, key: ApiKeyBearer
    ) -> Actor | Integration:
        caller = await _key_or_staff(request, db, staff, key, scope)
        # API.md: "API key with orders:write, or a manager" (an admin does all a manager does).
        if isinstance(caller, Actor) and not caller.role.at_least(Role.MANAGER):
            raise Forbidden("Only a manager or an API key can do this.", code="forbidden")
        return caller

    _SCOPE_GUARDS[scope] = dependency
    ROLE_GUARDS[dependency] = Role.MANAGER
    return dependency


def staff_or_scope(scope: str) -> Callable[..., Awaitable[Actor | Integration]]:
    """Any staff session, or an API key with ``scope``: for an endpoint the counter already
    calls that integrations may call too."""

    async def dependency(
        request: Request, db: DbDep, staff: StaffBearer, key: ApiKeyBearer
    ) -> Actor | Integration:
        return await _key_or_staff(request, db, staff, key, scope)

    return dependency


OrdersWriterDep = Annotated[Actor | Integration, Depends(staff_or_scope("orders:write"))]
# PATCH /orders, resend-email, PUT /carts: an API key with orders:write, or a manager.
OrdersManagerDep = Annotated[Actor | Integration, Depends(require_scope("orders:write"))]
