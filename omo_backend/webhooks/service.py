"""Webhook endpoints: registered, changed, rotated and deleted by an admin; their delivery log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend_client.schemas import WebhookEndpointCreate, WebhookEndpointUpdate, WebhookEvent
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.errors import Conflict, NotFound
from omo_backend.models import WebhookDelivery, WebhookEndpoint, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.webhooks import signing

# Each event is one row per endpoint, written inside the change's own transaction: a bound
# keeps a registration's extra writes small.
MAX_ENDPOINTS = 20
DELIVERY_PAGE = 50


def _events_text(events: Sequence[WebhookEvent]) -> str:
    return " ".join(e.value for e in WebhookEvent if e in set(events))


def events_of(row: WebhookEndpoint) -> list[WebhookEvent]:
    return [WebhookEvent(e) for e in row.events.split()]


def create(
    *, session: Session, new: WebhookEndpointCreate, actor: Actor
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (the caller shows it once)."""
    count = session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0
    if count >= MAX_ENDPOINTS:
        raise Conflict(
            f"At most {MAX_ENDPOINTS} webhook endpoints; delete one first.",
            code="webhook_limit_reached",
        )
    secret = signing.new_secret()
    row = WebhookEndpoint(
        url=new.url,
        description=new.description.strip(),
        events=_events_text(new.events),
        secret=secret,
        enabled=True,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "webhook.created", {"events": row.events})
    return row, secret


def list_endpoints(*, session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_or_raise(*, session: Session, endpoint_id: int) -> WebhookEndpoint:
    row = find_by_id(session, WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", code="webhook_not_found")
    return row


def update(
    *, session: Session, row: WebhookEndpoint, change: WebhookEndpointUpdate, actor: Actor
) -> None:
    """Disabling stops new events for it and pauses its waiting deliveries until re-enabled."""
    changed: dict[str, object] = {}
    if change.url is not None and change.url != row.url:
        row.url = change.url
        changed["url"] = True
    if change.events is not None and _events_text(change.events) != row.events:
        row.events = _events_text(change.events)
        changed["events"] = row.events
    if change.description is not None and change.description.strip() != row.description:
        row.description = change.description.strip()
        changed["description"] = True
    if change.enabled is not None and change.enabled != row.enabled:
        row.enabled = change.enabled
        changed["enabled"] = row.enabled
    if changed:
        _audit(session, actor, row, "webhook.updated", changed)


def rotate_secret(*, session: Session, row: WebhookEndpoint, actor: Actor) -> str:
    """A new secret at once: deliveries from now on (retries too) are signed with it."""
    row.secret = signing.new_secret()
    row.secret_rotated_at = utcnow()
    _audit(session, actor, row, "webhook.secret_rotated", {})
    return row.secret


def remove(*, session: Session, row: WebhookEndpoint, actor: Actor) -> None:
    """The endpoint, its log and its waiting deliveries go (a send under way may still land)."""
    _audit(session, actor, row, "webhook.deleted", {"events": row.events})
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == row.id))
    session.delete(row)
    session.flush()


def deliveries(
    *, session: Session, row: WebhookEndpoint, before_id: int | None, limit: int = DELIVERY_PAGE
) -> tuple[list[WebhookDelivery], int | None]:
    """The endpoint's log, newest first; the id to ask ``before`` for the next page."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == row.id)
    if before_id is not None:
        stmt = stmt.where(WebhookDelivery.id < before_id)
    found = list(session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))
    more = len(found) > limit
    page = found[:limit]
    return page, (page[-1].id if more else None)


def _audit(
    session: Session, actor: Actor, row: WebhookEndpoint, action: str, details: dict[str, object]
) -> None:
    # Never the secret, nor the address's query string (it may hold a receiver's token).
    audit.by_actor(
        session=session,
        actor=actor,
        action=action,
        subject_type="webhook_endpoint",
        subject_id=row.id,
        details={"url": row.url.split("?", 1)[0]} | details,
    )
