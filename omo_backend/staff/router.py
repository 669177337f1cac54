"""Staff log-in on an enrolled device, and log-out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend_client import schemas
from omo_backend.deps import ActorDep, DbDep, DeviceDep, SettingsDep
from omo_backend.models import Device
from omo_backend.openapi import errors
from omo_backend.staff import service
from omo_backend.wire import staff_out, store_out

router = APIRouter(prefix="/api/v1/staff", tags=["devices and staff"])


@router.post(
    "/login",
    response_model=schemas.StaffLoginResponse,
    responses=errors(invalid_credentials=401, staff_locked=403),
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
