"""Member management: levels, the points ledger, members added by hand and past buyers
invited. HTTP only; the rules are in levels.py, points.py, enrolment.py and past_buyers.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import idempotency
from omo_backend.deps import ActorDep, AdminDep, DbDep, ManagerDep, SettingsDep
from omo_backend.directory import service as directory
from omo_backend.members import enrolment, levels, past_buyers, points
from omo_backend.models import PointsEntry, utcnow
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


@router.post(
    "/members",
    status_code=201,
    response_model=schemas.MemberCreated,
    responses=errors(
        phone_or_email_required=422,
        invalid_phone=422,
        invalid_email=422,
        invalid_birthday=422,
        level_not_found=422,
        no_way_to_reach=422,
        already_member=409,
        identifier_taken=409,
        identifier_retired=409,
        rate_limited=429,
    ),
)
def add_member(
    body: schemas.MemberCreate,
    request: Request,
    actor: ManagerDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """A member added by hand (`source: manual`, no referral); the first-login message goes
    by SMS to a mobile number, else by e-mail, with a link to set their password."""
    new = enrolment.parse_or_raise(
        name=body.name,
        phone=body.phone,
        email=body.email,
        birthday=body.birthday,
        level=body.level,
        default_region=settings.default_country,
    )

    def work(session: Session) -> schemas.MemberCreated:
        member, sent = enrolment.add_by_hand(
            session=session, settings=settings, caller=actor, store_id=actor.store_id, new=new
        )
        added = directory.member_out(session, member.id, settings, utcnow())
        return schemas.MemberCreated(
            **added.model_dump(),
            first_login_channel=schemas.FirstLoginChannel(sent.channel),
            first_login_to=sent.to_masked,
        )

    return idempotency.for_device(
        db=db,
        settings=settings,
        request=request,
        device_id=actor.device_id,
        key=idempotency_key,
        body=body,
        status=201,
        work=work,
    )


@router.post(
    "/members/invitations",
    response_model=schemas.InviteResult,
)
def invite_past_buyers(
    body: schemas.PastBuyerInvitations,
    request: Request,
    actor: ManagerDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """E-mail invitations to sign up, one per past buyer: the others come back in `skipped`
    with why (`not_found`, `already_member`, `no_email`, `no_phone`, `already_invited`,
    `identifier_retired`)."""

    def work(session: Session) -> schemas.InviteResult:
        return past_buyers.invite(
            session=session, settings=settings, actor=actor, customer_ids=body.customer_ids
        )

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
