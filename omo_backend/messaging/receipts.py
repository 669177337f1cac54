"""SMS delivery receipts: Twilio's status callbacks, checked and recorded.

Twilio posts each status change of a message to the ``StatusCallback`` URL the provider gave
it (``/api/v1/sms/twilio/status``), form-encoded, signed in ``X-Twilio-Signature``: base64 of
HMAC-SHA1, keyed with the account's auth token, over the URL it posted to followed by every
POST parameter's name and value, sorted by name. The URL is the one we gave Twilio (our
``public_base_url``), not the one this process sees behind a reverse proxy.

Callbacks may come late and out of order, and more than once. A message only moves forward
(queued → sending → sent → delivered or undelivered), and the first final receipt stands: a
late ``sent`` after ``delivered`` changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend_client.schemas import InvitationStatus, MessageDelivery
from omo_backend.errors import Forbidden, NotFound
from omo_backend.models import Invitation, Message

STATUS_PATH = "/api/v1/sms/twilio/status"

# Twilio's message statuses before a final one, in the order a message passes them.
_PROGRESS = ("accepted", "scheduled", "queued", "sending", "sent")
# Final statuses: "read" follows "delivered" on channels that report it.
_DELIVERED = frozenset({"delivered", "read"})
# "failed": Twilio could not send it at all; "undelivered": the carrier gave up.
_UNDELIVERED = frozenset({"undelivered", "failed"})
# The invitation's failure code when a receipt names no error code.
NO_ERROR_CODE = "send_failed"


def status_callback_url(public_base_url: str) -> str:
    return public_base_url.rstrip("/") + STATUS_PATH


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """``X-Twilio-Signature`` for a POST of ``params`` to ``url``."""
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def check_signature_or_raise(
    *, url: str, params: list[tuple[str, str]], signature: str | None, auth_token: str
) -> None:
    # Without an auth token nothing can be checked, so nothing is believed.
    expected = twilio_signature(url, params, auth_token) if auth_token else ""
    if not (signature and expected and hmac.compare_digest(signature, expected)):
        raise Forbidden(
            "The request does not carry Twilio's signature for this URL",
            code="bad_signature",
        )


def record_receipt(
    *, session: Session, sid: str, status: str, error_code: str | None, now: datetime
) -> int:
    """Move the message named by ``sid`` forward to ``status``, never back; its id."""
    message = session.scalars(
        select(Message).where(Message.provider_message_id == sid).limit(1)
    ).first()
    if message is None:
        raise NotFound("No message has this provider id", code="unknown_message")
    if status in _DELIVERED | _UNDELIVERED:
        _record_final(session, message, status, error_code, now)
    elif status in _PROGRESS:
        earlier = _PROGRESS[: _PROGRESS.index(status)]
        # One statement, so two receipts racing cannot move it back: only from an earlier
        # status (or none), and never after a final receipt.
        session.execute(
            update(Message)
            .where(
                Message.id == message.id,
                Message.delivery.is_(None),
                Message.provider_status.is_(None) | Message.provider_status.in_(earlier),
            )
            .values(provider_status=status)
            .execution_options(synchronize_session=False)
        )
    # Any other status (a newer one of Twilio's) says nothing we show: ignored.
    return message.id


def _record_final(
    session: Session, message: Message, status: str, error_code: str | None, now: datetime
) -> None:
    delivered = status in _DELIVERED
    values: dict[str, object] = {
        "delivery": (MessageDelivery.DELIVERED if delivered else MessageDelivery.UNDELIVERED).value,
        "delivery_at": now,
        "provider_status": status,
    }
    if not delivered:
        values["last_error"] = f"twilio receipt: {status}, error code {error_code or 'none'}"
    moved = session.execute(
        update(Message)
        .where(Message.id == message.id, Message.delivery.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not moved or message.invitation_id is None:
        return
    invitation = update(Invitation).where(Invitation.id == message.invitation_id)
    bump = {"version": Invitation.version + 1, "updated_at": now}
    if not delivered:
        # Not opened yet (it never arrived): the invitation failed, with the carrier's reason.
        # One the customer already opened stands.
        failed = session.execute(
            invitation.where(
                Invitation.status.in_((InvitationStatus.QUEUED.value, InvitationStatus.SENT.value))
            )
            .values(
                status=InvitationStatus.FAILED.value,
                failure_code=f"twilio_{error_code}" if error_code else NO_ERROR_CODE,
                **bump,
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if failed:
            return
    # Counters following the invitation wake up to show the receipt.
    session.execute(invitation.values(**bump).execution_options(synchronize_session=False))
