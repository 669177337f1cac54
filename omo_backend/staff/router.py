"""Staff log-in on an enrolled device, log-out, and a manager's view of the store's staff."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend_client import schemas
from omo_backend.deps import ActorDep, DbDep, DeviceDep, ManagerDep, SettingsDep
from omo_backend.models import Device
from omo_backend.openapi import errors
from omo_backend.staff import service
from omo_backend.staff.session_cache import SessionCache
from omo_backend.wire import staff_account_out, staff_out, store_out

router = APIRouter(prefix="/api/v1/staff", tags=["devices and staff"])


@router.post(
    "/login",
    response_model=schemas.StaffLoginResponse,
    responses=errors(invalid_credentials=401, staff_locked=403, staff_locked_until_unlocked=403),
)
def staff_login(
    body: schemas.StaffLoginRequest, device: DeviceDep, db: DbDep, settings: SettingsDep
) -> schemas.StaffLoginResponse:
    with db.transaction() as session:
        attached = session.get_one(Device, device.id)
        outcome = service.login(
            session=session,
            settings=settings,
            device=attached,
            staff_code=body.staff_code,
            pin=body.pin,
        )
        if isinstance(outcome, service.LoggedIn):
            reply = schemas.StaffLoginResponse(
                session_token=outcome.token,
                expires_at=outcome.staff_session.expires_at,
                idle_timeout_seconds=outcome.staff_session.idle_timeout_seconds,
                staff=staff_out(outcome.staff),
                store=store_out(attached.store, settings),
                counter_only=attached.counter_only,
            )
    if isinstance(outcome, service.Refused):
        raise outcome.error  # after the commit: the failed PIN is counted
    return reply


@router.post("/logout", status_code=204)
def staff_logout(request: Request, actor: ActorDep, db: DbDep) -> Response:
    with db.transaction() as session:
        service.logout(session=session, actor=actor)
    request.app.state.session_cache.forget(actor.session_id)
    return Response(status_code=204)


@router.get("", response_model=schemas.StaffList)
def list_staff(manager: ManagerDep, db: DbDep) -> schemas.StaffList:
    with db.transaction(write=False) as session:
        staff = service.list_for_store(session=session, store_id=manager.store_id)
        return schemas.StaffList(items=[staff_account_out(s, guard) for s, guard in staff])


@router.post(
    "/{staff_id}/deactivate",
    response_model=schemas.StaffAccount,
    responses=errors(own_account=409),
)
def deactivate_staff(
    staff_id: schemas.Id, manager: ManagerDep, db: DbDep, request: Request
) -> schemas.StaffAccount:
    with db.transaction() as session:
        staff = service.get_in_store_or_raise(
            session=session, staff_id=staff_id, store_id=manager.store_id
        )
        service.deactivate(session=session, staff=staff, by=manager)
        reply = staff_account_out(staff, service.guard_of(session=session, staff=staff))
    cache: SessionCache = request.app.state.session_cache
    cache.forget_staff(staff_id)
    return reply


@router.post("/{staff_id}/unlock", response_model=schemas.StaffAccount)
def unlock_staff(staff_id: schemas.Id, manager: ManagerDep, db: DbDep) -> schemas.StaffAccount:
    with db.transaction() as session:
        staff = service.get_in_store_or_raise(
            session=session, staff_id=staff_id, store_id=manager.store_id
        )
        service.unlock(session=session, staff=staff, by=manager)
        return staff_account_out(staff, None)
