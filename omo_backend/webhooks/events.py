"""Events written in the transaction of the change that causes them: the webhooks' outbox.

``emit`` adds one ``webhook_delivery`` row per enabled endpoint subscribed to the event, so
the change and its notification commit together or not at all; the sender (sender.py) posts
them afterwards. Bodies carry ids and codes, never a name, phone number or e-mail address:
a receiver that needs more asks the API with its own credentials.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.schemas import WebhookEvent
from omo_backend.models import Referral, WebhookDelivery, WebhookEndpoint, utcnow


def emit(*, session: Session, event: WebhookEvent, data: dict[str, Any]) -> int:
    """Queue ``event`` for every endpoint that wants it; returns how many deliveries."""
    return emit_many(session=session, event=event, data=[data])


def emit_many(*, session: Session, event: WebhookEvent, data: list[dict[str, Any]]) -> int:
    """One event per item of ``data`` (an import's members), the endpoints read once."""
    endpoints = session.scalars(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.enabled.is_(True),
            # Space-separated names: padded, so "member.bound" never matches a longer name.
            (" " + WebhookEndpoint.events + " ").contains(f" {event.value} "),
        )
    ).all()
    if not endpoints or not data:
        return 0
    now = utcnow()
    for item in data:
        event_id = uuid.uuid4().hex
        body = json.dumps(
            {"id": event_id, "type": event.value, "created_at": now.isoformat(), "data": item},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        session.add_all(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event=event.value,
                event_id=event_id,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint_id in endpoints
        )
    session.flush()
    return len(endpoints) * len(data)


def referral_data(referral: Referral) -> dict[str, Any]:
    return {
        "store_code": referral.store.code,
        "staff_code": referral.staff.code if referral.staff is not None else None,
        "via": referral.via,
        "bound_at": referral.bound_at.isoformat(),
    }
