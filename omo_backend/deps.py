"""FastAPI dependencies: the database, the settings and who is calling."""

from __future__ import annotations

from collections.abc import Iterator
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
        raise Forbidden(f"Only a {minimum.value} or above can do this.", code="forbidden")
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
    actor = await require_staff(request, await get_db(request), await staff_session(request))
    _require(actor, minimum)


DeviceDep = Annotated[Device, Depends(require_device)]
ActorDep = Annotated[Actor, Depends(require_staff)]
ManagerDep = Annotated[Actor, Depends(require_manager)]
AdminDep = Annotated[Actor, Depends(require_admin)]
