"""FastAPI dependencies: the database, the settings and who is calling."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request, Security
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


async def require_manager(actor: Annotated[Actor, Depends(require_staff)]) -> Actor:
    if actor.role is not Role.MANAGER:
        raise Forbidden("Only a manager can do this.", code="manager_only")
    return actor


async def require_admin(actor: Annotated[Actor, Depends(require_staff)]) -> Actor:
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only an admin can do this.", code="admin_only")
    return actor


async def require_manager_or_admin(actor: Annotated[Actor, Depends(require_staff)]) -> Actor:
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden("Only a manager or an admin can do this.", code="manager_only")
    return actor


DeviceDep = Annotated[Device, Depends(require_device)]
ActorDep = Annotated[Actor, Depends(require_staff)]
ManagerDep = Annotated[Actor, Depends(require_manager)]
AdminDep = Annotated[Actor, Depends(require_admin)]
ManagerOrAdminDep = Annotated[Actor, Depends(require_manager_or_admin)]
