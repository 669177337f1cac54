"""Member management: levels and the points ledger. HTTP only; the rules are in levels.py and
points.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import idempotency
from omo_backend.deps import ActorDep, AdminDep, DbDep, ManagerDep, SettingsDep
from omo_backend.members import levels, points
from omo_backend.models import PointsEntry
from omo_backend.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["members"])

LEDGER_LIMIT_MAX = 200


def entry_out(entry: PointsEntry) -> schemas.PointsEntryOut:
    return schemas.PointsEntryOut.model_validate(entry)


@router.get("/levels", response_model=list[schemas.Level])
def get_levels(actor: ActorDep, db: DbDep) -> list[schemas.Level]:
    with db.transaction(write=False) as session:
        return levels.all_levels(session)


@router.put(
    "/levels",
    response_model=list[schemas.Level],
    responses=errors(duplicate_level_code=422, thresholds_not_increasing=422),
)
def put_levels(
    body: Annotated[list[schemas.Level], Body(max_length=schemas.MAX_LEVELS)],
    actor: AdminDep,
    db: DbDep,
) -> list[schemas.Level]:
    with db.transaction() as session:
        return levels.replace(session=session, actor=actor, levels=body)


@router.get(
    "/members/{member_id}/points",
    response_model=schemas.PointsLedger,
    responses=errors(member_not_found=404),
)
def get_points(
    member_id: schemas.Id,
    actor: ManagerDep,
    db: DbDep,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[1-9][0-9]{0,18}$", description="`next_cursor` of the page before"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LEDGER_LIMIT_MAX)] = 50,
) -> schemas.PointsLedger:
    before = min(int(cursor), schemas.ID_BOUND - 1) if cursor is not None else None
    with db.transaction(write=False) as session:
        points.member_or_raise(session, member_id)
        rows, next_id = points.ledger(
            session=session, member_id=member_id, before_id=before, limit=limit
        )
        return schemas.PointsLedger(
            items=[entry_out(row) for row in rows],
            next_cursor=str(next_id) if next_id is not None else None,
            balance=points.balance_of(session, member_id),
        )


@router.post(
    "/members/{member_id}/points",
    response_model=schemas.PointsChangeResult,
    responses=errors(
        member_not_found=404,
        insufficient_points=422,
        zero_points=422,
        expiry_on_deduction=422,
        expiry_in_past=422,
    ),
)
def post_points(
    member_id: schemas.Id,
    body: schemas.PointsChange,
    request: Request,
    actor: ManagerDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    def work(session: Session) -> schemas.PointsChangeResult:
        entry, balance = points.change(
            session=session,
            actor=actor,
            member_id=member_id,
            delta=body.delta,
            reason=body.reason,
            expires_at=body.expires_at,
        )
        return schemas.PointsChangeResult(entry=entry_out(entry), balance=balance)

    return idempotency.for_device(
        db=db,
        settings=settings,
        request=request,
        device_id=actor.device_id,
        key=idempotency_key,
        body=body,
        status=200,
        work=work,
    )
