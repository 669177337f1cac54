"""Device enrollment."""

from __future__ import annotations

from fastapi import APIRouter

from backend_client import schemas
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.devices import service
from omo_backend.openapi import errors
from omo_backend.wire import store_out

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
