"""Counter flow: "Bind now" (QR) and "Can't scan? Try SMS invitation"."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import idempotency
from omo_backend.actor import Actor
from omo_backend.bindings import service
from omo_backend.db import Database
from omo_backend.deps import ActorDep, DbDep, SettingsDep
from omo_backend.longpoll import WaitQuery, follow, read_expiring
from omo_backend.models import BindingSession, Customer
from omo_backend.openapi import errors
from omo_backend.settings import Settings
from omo_backend.wire import binding_out

router = APIRouter(prefix="/api/v1/bindings", tags=["counter"])


def _out(
    session: Session, binding: BindingSession, settings: Settings, qr_url: str | None = None
) -> schemas.Binding:
    customer = session.get_one(Customer, binding.customer_id)
    return binding_out(binding, customer, qr_url, settings)


@router.post(
    "",
    status_code=201,
    response_model=schemas.Binding,
    responses=errors(customer_not_found=404, not_member=409),
)
def create_binding(
    body: schemas.BindingCreate, actor: ActorDep, db: DbDep, settings: SettingsDep
) -> schemas.Binding:
    with db.transaction() as session:
        binding, qr_url = service.create(
            session=session, settings=settings, actor=actor, customer_id=body.customer_id
        )
        return _out(session, binding, settings, qr_url)


def _read(
    db: Database, settings: Settings, actor: Actor, binding_id: int
) -> tuple[schemas.Binding, int]:
    return read_expiring(
        db,
        get=lambda s: service.get_for_actor_or_raise(session=s, actor=actor, binding_id=binding_id),
        needs_expiry=service.needs_expiry,
        expire=lambda binding: service.set_status(binding, schemas.BindingStatus.EXPIRED),
        out=lambda s, binding: _out(s, binding, settings),
    )


@router.get("/{binding_id}", response_model=schemas.Binding)
async def get_binding(
    binding_id: schemas.Id,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    settings: SettingsDep,
    wait: WaitQuery = 0,
    known_status: Annotated[
        schemas.BindingStatus | None,
        Query(description="the status the caller already has: a different one returns at once"),
    ] = None,
    known_line_outcome: Annotated[
        schemas.LineOutcome | Literal["none"] | None,
        Query(
            description="the LINE outcome the caller already has ('none' for none yet): "
            "a different one returns at once"
        ),
    ] = None,
) -> schemas.Binding:
    def same_line_outcome(binding: schemas.Binding) -> bool:
        if known_line_outcome is None:
            return True
        return str(binding.line_outcome or "none") == str(known_line_outcome)

    return await follow(
        watcher=request.app.state.watcher,
        model=BindingSession,
        row_id=binding_id,
        read=partial(_read, db, settings, actor, binding_id),
        wait=min(wait, settings.longpoll_max_wait_seconds),
        known_status=known_status,
        also_same=same_line_outcome,
    )


@router.post(
    "/{binding_id}/sms",
    response_model=schemas.Binding,
    responses=errors(binding_closed=409, no_phone=422, country_not_allowed=422, rate_limited=429),
)
def send_binding_sms(
    binding_id: schemas.Id,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    def work(session: Session) -> schemas.Binding:
        binding = service.send_sms(
            session=session, settings=settings, actor=actor, binding_id=binding_id
        )
        return _out(session, binding, settings)

    return idempotency.for_device(
        db=db,
        settings=settings,
        request=request,
        device_id=actor.device_id,
        key=idempotency_key,
        body=None,
        status=200,
        work=work,
    )


@router.post(
    "/{binding_id}/cancel",
    response_model=schemas.Binding,
    responses=errors(binding_completed=409),
)
def cancel_binding(
    binding_id: schemas.Id, request: Request, actor: ActorDep, db: DbDep, settings: SettingsDep
) -> schemas.Binding:
    with db.transaction() as session:
        binding = service.cancel(session=session, actor=actor, binding_id=binding_id)
        out = _out(session, binding, settings)
    request.app.state.watcher.notify()
    return out
