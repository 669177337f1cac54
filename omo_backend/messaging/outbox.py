"""Writing to the outbox: a message is a row in the caller's transaction, sent later.

The invitation that needs an SMS (or e-mail) and its row commit together or not at all, so a
crash can neither send a link to an invitation that was never saved nor lose one that was.

An e-mail's subject has no column of its own: the stored body starts with a ``Subject: ...``
line and a blank line, which is also how a developer reads it in ``/api/v1/dev/messages``.
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


def enqueue_email(
    *,
    session: Session,
    to: str,
    subject: str,
    body: str,
    purpose: str,
    provider: str,
    store_id: int | None = None,
    device_id: int | None = None,
    staff_id: int | None = None,
    invitation_id: int | None = None,
    binding_id: int | None = None,
) -> Message:
    """Queue one plain-text e-mail; the caller commits (flushed here, so ``id`` is set).

    ``provider`` is what the row records, ``providers.email_provider_name(settings)``.
    """
    if _LINE_BREAK.search(to) or _LINE_BREAK.search(subject):
        # A header with a line break in it is a header injection, whatever the caller meant.
        raise ValueError("an e-mail address or subject must be a single line")
    message = Message(
        channel=MessageChannel.EMAIL.value,
        purpose=purpose,
        to_address=to.strip(),
        body=stored_email_body(subject=subject, body=body),
        status=MessageStatus.QUEUED.value,
        provider=provider,
        attempts=0,
        next_attempt_at=utcnow(),
        segments=1,
        cost_units=1,
        store_id=store_id,
        device_id=device_id,
        staff_id=staff_id,
        invitation_id=invitation_id,
        binding_id=binding_id,
    )
    session.add(message)
    session.flush()
    return message


_LINE_BREAK = re.compile(r"[\r\n]")
_SUBJECT = "Subject: "


def stored_email_body(*, subject: str, body: str) -> str:
    """How an e-mail is kept in ``message.body``: its subject line, a blank line, the text."""
    return f"{_SUBJECT}{subject}\n\n{body}"


def split_email_body(stored: str) -> tuple[str, str]:
    """``stored_email_body`` read back as (subject, body)."""
    if not stored.startswith(_SUBJECT):
        return "", stored
    subject, _, body = stored[len(_SUBJECT) :].partition("\n")
    return subject, body.removeprefix("\n")


_LINK_TOKEN = re.compile(r"(/[rb]/)[A-Za-z0-9_\-]+")


def forget_link_tokens(body: str) -> str:
    """The body as sent, minus the link's secret: what is kept once the message has left."""
    return _LINK_TOKEN.sub(r"\1…", body)
