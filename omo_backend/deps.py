"""FastAPI dependencies: the database, the settings and who is calling."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Header, Request

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


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("Missing bearer token.", code="missing_token")
    return authorization[7:].strip()


def require_device(db: DbDep, authorization: Annotated[str | None, Header()] = None) -> Device:
    token = _bearer(authorization)
    with db.transaction(write=False) as session:
        return device_service.authenticate_or_raise(session=session, token=token)


def _authenticate(db: Database, token: str) -> Actor:
    with db.transaction(write=False) as session:
        actor, stale = staff_service.authenticate_or_raise(session=session, token=token)
    if stale:
        with db.transaction() as session:
            staff_service.touch(session=session, session_id=actor.session_id)
    return actor


async def require_staff(
    request: Request, db: DbDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    token = _bearer(authorization)
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


DeviceDep = Annotated[Device, Depends(require_device)]
ActorDep = Annotated[Actor, Depends(require_staff)]
ManagerDep = Annotated[Actor, Depends(require_manager)]
