"""Counter flow: the registration SMS. HTTP only; the rules are in service.py."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import idempotency
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.deps import ActorDep, DbDep, SettingsDep
from omo_backend.invitations import service
from omo_backend.longpoll import WaitQuery, follow, read_expiring
from omo_backend.models import Invitation
from omo_backend.openapi import errors
from omo_backend.settings import Settings
from omo_backend.wire import invitation_out

router = APIRouter(prefix="/api/v1/invitations", tags=["counter"])


@router.post(
    "",
    status_code=201,
    response_model=schemas.Invitation,
    responses=errors(
        already_member=409,
        identifier_retired=409,
        invalid_phone=422,
        not_mobile=422,
        country_not_allowed=422,
        rate_limited=429,
    ),
)
def create_invitation(
    body: schemas.InvitationCreate,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    def work(session: Session) -> schemas.Invitation:
        invitation, message = service.create(
            session=session, settings=settings, actor=actor, phone=body.phone
        )
        return invitation_out(invitation, message, settings)

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


def _read(
    db: Database, settings: Settings, actor: Actor, invitation_id: int
) -> tuple[schemas.Invitation, int]:
    return read_expiring(
        db,
        get=lambda s: service.get_for_actor_or_raise(
            session=s, actor=actor, invitation_id=invitation_id
        ),
        needs_expiry=service.needs_expiry,
        expire=lambda invitation: service.set_status(invitation, schemas.InvitationStatus.EXPIRED),
        out=lambda s, invitation: invitation_out(
            invitation, service.latest_message(session=s, invitation_id=invitation.id), settings
        ),
    )


@router.get("/{invitation_id}", response_model=schemas.Invitation)
async def get_invitation(
    invitation_id: schemas.Id,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    settings: SettingsDep,
    wait: WaitQuery = 0,
    known_status: Annotated[
        schemas.InvitationStatus | None,
        Query(description="the status the caller already has: a different one returns at once"),
    ] = None,
) -> schemas.Invitation:
    return await follow(
        watcher=request.app.state.watcher,
        model=Invitation,
        row_id=invitation_id,
        read=partial(_read, db, settings, actor, invitation_id),
        wait=min(wait, settings.longpoll_max_wait_seconds),
        known_status=known_status,
    )


@router.post("/{invitation_id}/received", response_model=schemas.Invitation)
def invitation_received(
    invitation_id: schemas.Id, actor: ActorDep, db: DbDep, settings: SettingsDep
) -> schemas.Invitation:
    with db.transaction() as session:
        invitation = service.mark_received(
            session=session, actor=actor, invitation_id=invitation_id
        )
        message = service.latest_message(session=session, invitation_id=invitation_id)
        return invitation_out(invitation, message, settings)


@router.post(
    "/{invitation_id}/cancel",
    response_model=schemas.Invitation,
    responses=errors(already_registered=409),
)
def cancel_invitation(
    invitation_id: schemas.Id, request: Request, actor: ActorDep, db: DbDep, settings: SettingsDep
) -> schemas.Invitation:
    with db.transaction() as session:
        invitation = service.cancel(session=session, actor=actor, invitation_id=invitation_id)
        message = service.latest_message(session=session, invitation_id=invitation_id)
        out = invitation_out(invitation, message, settings)
    request.app.state.watcher.notify()
    return out
