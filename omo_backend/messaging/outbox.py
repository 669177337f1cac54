"""Writing to the outbox: a message is a row in the caller's transaction, sent later.

The invitation that needs an SMS and the SMS row commit together or not at all, so a crash
can neither send a link to an invitation that was never saved nor lose one that was.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from backend_client.schemas import MessageChannel, MessageStatus
from omo_backend.messaging.segments import sms_segments
from omo_backend.models import Message, utcnow


def enqueue_sms(
    *,
    session: Session,
    to: str,
    body: str,
    purpose: str,
    provider: str,
    store_id: int | None,
    device_id: int | None,
    staff_id: int | None,
    invitation_id: int | None = None,
    binding_id: int | None = None,
) -> Message:
    """Queue one SMS for the dispatcher; the caller commits (flushed here, so ``id`` is set)."""
    segments = sms_segments(body)
    message = Message(
        channel=MessageChannel.SMS.value,
        purpose=purpose,
        to_address=to,
        body=body,
        status=MessageStatus.QUEUED.value,
        provider=provider,
        attempts=0,
        next_attempt_at=utcnow(),
        segments=segments,
        # One billing unit per part: that is how carriers and Twilio charge.
        cost_units=segments,
        store_id=store_id,
        device_id=device_id,
        staff_id=staff_id,
        invitation_id=invitation_id,
        binding_id=binding_id,
    )
    session.add(message)
    session.flush()
    return message


_LINK_TOKEN = re.compile(r"(/[rb]/)[A-Za-z0-9_\-]+")


def forget_link_tokens(body: str) -> str:
    """The body as sent, minus the link's secret: what is kept once the SMS has left."""
    return _LINK_TOKEN.sub(r"\1…", body)
