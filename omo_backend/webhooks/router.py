"""Webhook endpoints for an admin (API and the app's Integrations): HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend_client import schemas
from omo_backend.deps import AdminDep, DbDep
from omo_backend.models import WebhookDelivery, WebhookEndpoint
from omo_backend.openapi import errors
from omo_backend.webhooks import service

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

SIGNING = """Each delivery is a `POST` of a JSON body `{id, type, created_at, data}` with the
headers `OMO-Event` (the type), `OMO-Delivery-Id` (the same on every retry of this delivery: a
receiver de-duplicates on it, since delivery is at least once) and
`OMO-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. A receiver
recomputes the HMAC over the raw body, compares in constant time, and refuses a `t` more than
5 minutes (300 s) from its clock: the replay window. Any 2xx answer within 10 s delivers it;
anything else is retried with exponential backoff (10 s, doubling, at most 1 h between tries)
and given up after 10 tries (`OMO_WEBHOOK_*` settings)."""


def endpoint_out(row: WebhookEndpoint) -> schemas.WebhookEndpointOut:
    return schemas.WebhookEndpointOut(
        id=row.id,
        url=row.url,
        description=row.description,
        events=service.events_of(row),
        enabled=row.enabled,
        created_at=row.created_at,
        secret_rotated_at=row.secret_rotated_at,
    )


def delivery_out(row: WebhookDelivery) -> schemas.WebhookDeliveryOut:
    waiting = row.status in (
        schemas.WebhookDeliveryStatus.QUEUED,
        schemas.WebhookDeliveryStatus.SENDING,
    )
    return schemas.WebhookDeliveryOut(
        id=row.id,
        event=schemas.WebhookEvent(row.event),
        event_id=row.event_id,
        status=schemas.WebhookDeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if waiting else None,
    )


@router.get("", response_model=schemas.WebhookEndpointList, description=SIGNING)
def list_endpoints(actor: AdminDep, db: DbDep) -> list[schemas.WebhookEndpointOut]:
    """Every endpoint, oldest first; never their secrets."""
    with db.transaction(write=False) as session:
        return [endpoint_out(row) for row in service.list_endpoints(session=session)]


@router.post(
    "",
    status_code=201,
    response_model=schemas.WebhookEndpointWithSecret,
    responses=errors(webhook_limit_reached=409),
    description="A new endpoint, enabled; `secret` is in this reply only.\n\n" + SIGNING,
)
def create_endpoint(
    body: schemas.WebhookEndpointCreate, actor: AdminDep, db: DbDep
) -> schemas.WebhookEndpointWithSecret:
    with db.transaction() as session:
        row, secret = service.create(session=session, new=body, actor=actor)
        return schemas.WebhookEndpointWithSecret(secret=secret, **endpoint_out(row).model_dump())


@router.get(
    "/{endpoint_id}",
    response_model=schemas.WebhookEndpointOut,
    responses=errors(webhook_not_found=404),
)
def get_endpoint(endpoint_id: schemas.Id, actor: AdminDep, db: DbDep) -> schemas.WebhookEndpointOut:
    with db.transaction(write=False) as session:
        return endpoint_out(service.get_or_raise(session=session, endpoint_id=endpoint_id))


@router.patch(
    "/{endpoint_id}",
    response_model=schemas.WebhookEndpointOut,
    responses=errors(webhook_not_found=404),
)
def update_endpoint(
    endpoint_id: schemas.Id, body: schemas.WebhookEndpointUpdate, actor: AdminDep, db: DbDep
) -> schemas.WebhookEndpointOut:
    """Change the address, the events, the description, or enable/disable it. A disabled
    endpoint gets no new events; its waiting deliveries wait until it is enabled again."""
    with db.transaction() as session:
        row = service.get_or_raise(session=session, endpoint_id=endpoint_id)
        service.update(session=session, row=row, change=body, actor=actor)
        return endpoint_out(row)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=schemas.WebhookEndpointWithSecret,
    responses=errors(webhook_not_found=404),
)
def rotate_secret(
    endpoint_id: schemas.Id, actor: AdminDep, db: DbDep
) -> schemas.WebhookEndpointWithSecret:
    """A new secret, in this reply only; the old one stops signing at once (retries too)."""
    with db.transaction() as session:
        row = service.get_or_raise(session=session, endpoint_id=endpoint_id)
        secret = service.rotate_secret(session=session, row=row, actor=actor)
        return schemas.WebhookEndpointWithSecret(secret=secret, **endpoint_out(row).model_dump())


@router.delete("/{endpoint_id}", status_code=204, responses=errors(webhook_not_found=404))
def delete_endpoint(endpoint_id: schemas.Id, actor: AdminDep, db: DbDep) -> Response:
    """The endpoint goes with its delivery log and its waiting deliveries."""
    with db.transaction() as session:
        row = service.get_or_raise(session=session, endpoint_id=endpoint_id)
        service.remove(session=session, row=row, actor=actor)
    return Response(status_code=204)


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=schemas.WebhookDeliveryPage,
    responses=errors(webhook_not_found=404),
)
def list_deliveries(
    endpoint_id: schemas.Id,
    actor: AdminDep,
    db: DbDep,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[1-9][0-9]{0,18}$", description="`next_cursor` of the page before"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = service.DELIVERY_PAGE,
) -> schemas.WebhookDeliveryPage:
    """The endpoint's delivery log, newest first: event, status, the receiver's last HTTP
    status, tries so far and when the next one is due."""
    before = min(int(cursor), schemas.ID_BOUND - 1) if cursor is not None else None
    with db.transaction(write=False) as session:
        row = service.get_or_raise(session=session, endpoint_id=endpoint_id)
        rows, next_id = service.deliveries(session=session, row=row, before_id=before, limit=limit)
        return schemas.WebhookDeliveryPage(
            items=[delivery_out(d) for d in rows],
            next_cursor=str(next_id) if next_id is not None else None,
        )
