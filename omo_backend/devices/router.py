"""Device enrollment, and a manager's view of the store's devices."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend_client import schemas
from omo_backend.deps import DbDep, ManagerDep, SettingsDep
from omo_backend.devices import service
from omo_backend.openapi import errors
from omo_backend.staff.session_cache import SessionCache
from omo_backend.wire import device_out, store_out

router = APIRouter(prefix="/api/v1/devices", tags=["devices and staff"])


@router.post(
    "/enroll",
    status_code=201,
    response_model=schemas.EnrollResponse,
    responses=errors(invalid_enrollment_code=422),
)
def enroll_device(
    body: schemas.EnrollRequest, db: DbDep, settings: SettingsDep
) -> schemas.EnrollResponse:
    with db.transaction() as session:
        enrolled = service.enroll(
            session=session, enrollment_code=body.enrollment_code, device_name=body.device_name
        )
        return schemas.EnrollResponse(
            device_id=enrolled.device.id,
            device_token=enrolled.token,
            store=store_out(enrolled.device.store, settings),
        )


@router.get("", response_model=schemas.DeviceList)
def list_devices(manager: ManagerDep, db: DbDep) -> schemas.DeviceList:
    with db.transaction(write=False) as session:
        devices = service.list_devices(session=session, store_id=manager.store_id)
        return schemas.DeviceList(items=[device_out(d) for d in devices])


@router.post(
    "/{device_id}/revoke", response_model=schemas.DeviceOut, responses=errors(own_device=409)
)
def revoke_device(
    device_id: schemas.Id, manager: ManagerDep, db: DbDep, request: Request
) -> schemas.DeviceOut:
    with db.transaction() as session:
        device = service.get_in_store_or_raise(
            session=session, device_id=device_id, store_id=manager.store_id
        )
        service.revoke(session=session, device=device, by=manager)
        reply = device_out(device)
    cache: SessionCache = request.app.state.session_cache
    cache.forget_device(device_id)
    return reply
