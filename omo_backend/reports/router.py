"""Reports (a manager or an admin): HTTP only; the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from backend_client import schemas
from omo_backend.deps import DbDep, ManagerDep
from omo_backend.openapi import errors
from omo_backend.reports import service

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

_DAYS = (
    f"a calendar day ({schemas.REPORT_FIRST_DAY} to {schemas.REPORT_LAST_DAY}) in the time"
    " zone of the caller's store"
)
FromDay = Annotated[date, Query(alias="from", description=f"first day: {_DAYS}")]
ToDay = Annotated[date, Query(alias="to", description=f"last day, included: {_DAYS}")]


@router.get(
    "/registrations",
    response_model=list[schemas.RegistrationRow],
    responses=errors(invalid_date_range=422),
)
def get_registrations(
    actor: ManagerDep,
    db: DbDep,
    first: FromDay,
    last: ToDay,
    by: schemas.ReportGrouping = schemas.ReportGrouping.STORE,
) -> list[schemas.RegistrationRow]:
    with db.transaction(write=False) as session:
        window = service.window_or_raise(session=session, actor=actor, first=first, last=last)
        return service.registrations(session=session, actor=actor, window=window, by=by)


@router.get(
    "/sms-usage",
    response_model=list[schemas.SmsUsageRow],
    responses=errors(invalid_date_range=422),
)
def get_sms_usage(
    actor: ManagerDep, db: DbDep, first: FromDay, last: ToDay
) -> list[schemas.SmsUsageRow]:
    with db.transaction(write=False) as session:
        window = service.window_or_raise(session=session, actor=actor, first=first, last=last)
        return service.sms_usage(session=session, window=window)
