"""How a sign-up SMS is doing, read from the invitation the backend reports: plain Python.

The screens draw what this decides (the heading, why it failed, which action comes first),
so the prompt never says "sent" while the SMS is still queued, and a failure is a cause
staff can act on, not a provider's number.

The backend stores a refused send as the invitation's ``failure_code``: ``twilio_<code>``
for Twilio's error codes, ``twilio_http_<status>`` without one, ``send_failed`` when its
retries ran out, and ``registered_elsewhere`` on an invitation cancelled because the customer
registered through another one.

A delivery receipt (``message_delivery``) refines "sent": ``delivered`` is on the customer's
phone; ``undelivered`` arrives as a failed message with the carrier's code, so it reads as
any other failure (and an app built before receipts reads it the same way).
"""

from __future__ import annotations

import enum

from backend_client import schemas

InvitationStatus = schemas.InvitationStatus
MessageStatus = schemas.MessageStatus
MessageDelivery = schemas.MessageDelivery


class Delivery(enum.StrEnum):
    SENDING = "sending"  # queued or with the provider: not on the customer's phone yet
    SENT = "sent"  # handed to the carrier: ask the customer whether it arrived
    FAILED = "failed"  # never left, or the carrier refused it
    ENDED = "ended"  # the link expired or was cancelled, whatever happened to the SMS


class Problem(enum.StrEnum):
    """Why no registration can come of this SMS, in a few causes staff can act on."""

    NUMBER = "number"  # wrong, inactive, landline or not a mobile: check the number
    UNREACHABLE = "unreachable"  # the phone is off or out of coverage: send again
    BLOCKED = "blocked"  # the carrier filtered the SMS: another number
    SERVICE = "service"  # the SMS provider failed, or a reason we do not know: send again
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REGISTERED_ELSEWHERE = "registered_elsewhere"  # a member now: search again, Bind now


class Step(enum.StrEnum):
    """What staff can do next on the SMS screens."""

    SMS_RECEIVED = "sms_received"
    CHECK_AGAIN = "check_again"  # cancel the link, re-enter the number
    CHECK_NUMBER = "check_number"  # the same intent, offered after a failure
    SEND_AGAIN = "send_again"
    SEARCH_AGAIN = "search_again"  # the same intent again: the customer is a member now


# Twilio's error codes (https://www.twilio.com/docs/api/errors) that say what to do.
_TWILIO = {
    "21211": Problem.NUMBER,  # invalid 'To' number
    "21614": Problem.NUMBER,  # 'To' is not a mobile number
    "30005": Problem.NUMBER,  # unknown or inactive number
    "30006": Problem.NUMBER,  # landline or unreachable carrier
    "30003": Problem.UNREACHABLE,  # unreachable handset: off, or no signal
    "30007": Problem.BLOCKED,  # carrier filtering
    "30008": Problem.SERVICE,  # unknown error
}
REGISTERED_ELSEWHERE = "registered_elsewhere"


def failure_cause(code: str | None) -> Problem:
    """A stored failure code (``twilio_30003``, or the bare ``30003``) as a cause."""
    number = (code or "").removeprefix("twilio_")
    return _TWILIO.get(number, Problem.SERVICE)


def problem(invitation: schemas.Invitation) -> Problem | None:
    status = invitation.status
    if status is InvitationStatus.EXPIRED:
        return Problem.EXPIRED
    if status is InvitationStatus.CANCELLED:
        if invitation.failure_code == REGISTERED_ELSEWHERE:
            return Problem.REGISTERED_ELSEWHERE
        return Problem.CANCELLED
    if status is InvitationStatus.FAILED or invitation.message_status is MessageStatus.FAILED:
        return failure_cause(invitation.failure_code)
    return None


_ENDED = frozenset({Problem.EXPIRED, Problem.CANCELLED, Problem.REGISTERED_ELSEWHERE})


def delivery(invitation: schemas.Invitation) -> Delivery:
    found = problem(invitation)
    if found in _ENDED:
        return Delivery.ENDED
    if found is not None:
        return Delivery.FAILED
    if invitation.message_status is MessageStatus.SENT or invitation.status in (
        InvitationStatus.SENT,
        InvitationStatus.OPENED,
    ):
        return Delivery.SENT
    return Delivery.SENDING


def delivered_to_phone(invitation: schemas.Invitation) -> bool:
    """The provider's receipt says the SMS is on the phone (and nothing has gone wrong since)."""
    return invitation.message_delivery is MessageDelivery.DELIVERED and problem(invitation) is None


# Sending the same number again can help: the phone may be back, the service may recover, a
# link that ran out can be renewed. A wrong number or a carrier's filter will not change.
SEND_AGAIN_HELPS = frozenset(
    {Problem.UNREACHABLE, Problem.SERVICE, Problem.EXPIRED, Problem.CANCELLED}
)


def can_send_again(invitation: schemas.Invitation) -> bool:
    return problem(invitation) in SEND_AGAIN_HELPS


def next_steps(
    invitation: schemas.Invitation, *, phone_known: bool = True
) -> tuple[Step, Step | None]:
    """(the main action, a second one or None) for this invitation.

    ``phone_known``: the number it went to is known on this counter (sending again needs it).
    """
    found = problem(invitation)
    if found is None:
        return Step.SMS_RECEIVED, Step.CHECK_AGAIN
    if found is Problem.REGISTERED_ELSEWHERE:
        return Step.SEARCH_AGAIN, None
    if found in SEND_AGAIN_HELPS and phone_known:
        return Step.SEND_AGAIN, Step.CHECK_NUMBER
    return Step.CHECK_NUMBER, None
