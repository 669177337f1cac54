"""How a sign-up SMS is doing, decided from the invitation alone: the heading, the cause of a
failure in words staff can act on, and which action comes first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend_client import schemas
from omo_desktop.flows.delivery import (
    Delivery,
    Problem,
    Step,
    can_send_again,
    delivered_to_phone,
    delivery,
    failure_cause,
    next_steps,
    problem,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def invitation(
    status: str,
    message: str | None = None,
    failure: str | None = None,
    receipt: str | None = None,
) -> schemas.Invitation:
    return schemas.Invitation(
        id=3,
        status=schemas.InvitationStatus(status),
        phone_masked="+886 9•••••678",
        expires_at=NOW + timedelta(hours=2),
        created_at=NOW,
        store=schemas.StoreOut(
            id=1, code="TPE01", name="台北總店", locale="zh_TW", timezone="Asia/Taipei"
        ),
        staff=None,
        message_status=schemas.MessageStatus(message) if message else None,
        failure_code=failure,
        message_delivery=schemas.MessageDelivery(receipt) if receipt else None,
    )


@pytest.mark.parametrize(
    ("status", "message", "failure", "expected"),
    [
        ("queued", None, None, Delivery.SENDING),
        ("queued", "queued", None, Delivery.SENDING),
        ("queued", "sending", None, Delivery.SENDING),
        ("queued", "sent", None, Delivery.SENT),  # the invitation catches up a moment later
        ("sent", "sent", None, Delivery.SENT),
        ("sent", None, None, Delivery.SENT),
        ("opened", "sent", None, Delivery.SENT),
        ("failed", "failed", "twilio_30003", Delivery.FAILED),
        ("sent", "failed", None, Delivery.FAILED),
        ("expired", "sent", None, Delivery.ENDED),
        ("cancelled", "sent", None, Delivery.ENDED),
        ("cancelled", None, "registered_elsewhere", Delivery.ENDED),
    ],
)
def test_the_heading_follows_the_message_s_real_state(
    status: str, message: str | None, failure: str | None, expected: Delivery
):
    assert delivery(invitation(status, message, failure)) is expected


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        ("twilio_30003", Problem.UNREACHABLE),
        ("30003", Problem.UNREACHABLE),
        ("twilio_30005", Problem.NUMBER),
        ("twilio_30006", Problem.NUMBER),
        ("twilio_21211", Problem.NUMBER),
        ("twilio_21614", Problem.NUMBER),
        ("twilio_30007", Problem.BLOCKED),
        ("twilio_30008", Problem.SERVICE),
        ("twilio_http_400", Problem.SERVICE),
        ("send_failed", Problem.SERVICE),
        ("twilio_99999", Problem.SERVICE),
        (None, Problem.SERVICE),
    ],
)
def test_provider_codes_become_a_few_plain_causes(code: str | None, cause: Problem):
    assert failure_cause(code) is cause


def test_an_ended_invitation_says_how_it_ended():
    assert problem(invitation("expired", "sent")) is Problem.EXPIRED
    assert problem(invitation("cancelled", "sent")) is Problem.CANCELLED
    assert (
        problem(invitation("cancelled", None, "registered_elsewhere"))
        is Problem.REGISTERED_ELSEWHERE
    )
    assert problem(invitation("sent", "sent")) is None


@pytest.mark.parametrize(
    ("made", "steps", "again"),
    [
        (invitation("queued", "queued"), (Step.SMS_RECEIVED, Step.CHECK_AGAIN), False),
        (invitation("sent", "sent"), (Step.SMS_RECEIVED, Step.CHECK_AGAIN), False),
        (
            invitation("failed", "failed", "twilio_30003"),
            (Step.SEND_AGAIN, Step.CHECK_NUMBER),
            True,
        ),
        (invitation("failed", "failed", "send_failed"), (Step.SEND_AGAIN, Step.CHECK_NUMBER), True),
        (invitation("failed", "failed", "twilio_21211"), (Step.CHECK_NUMBER, None), False),
        (invitation("failed", "failed", "twilio_30007"), (Step.CHECK_NUMBER, None), False),
        (invitation("expired", "sent"), (Step.SEND_AGAIN, Step.CHECK_NUMBER), True),
        (invitation("cancelled", None, "registered_elsewhere"), (Step.SEARCH_AGAIN, None), False),
    ],
)
def test_the_main_action_is_the_one_that_helps(
    made: schemas.Invitation, steps: tuple[Step, Step | None], again: bool
):
    assert next_steps(made) == steps
    assert can_send_again(made) is again


def test_without_the_number_sending_again_becomes_checking_it():
    expired = invitation("expired", "sent")
    assert next_steps(expired, phone_known=False) == (Step.CHECK_NUMBER, None)


@pytest.mark.parametrize(
    ("status", "message", "failure", "receipt", "on_the_phone"),
    [
        ("sent", "sent", None, None, False),
        ("sent", "sent", None, "delivered", True),
        ("opened", "sent", None, "delivered", True),
        ("queued", "sent", None, "delivered", True),  # the invitation catches up
        ("expired", "sent", None, "delivered", False),  # arrived, but the link ran out
        ("failed", "failed", "twilio_30003", "undelivered", False),
    ],
)
def test_delivered_to_the_phone_only_on_the_provider_s_word(
    status: str, message: str, failure: str | None, receipt: str | None, on_the_phone: bool
):
    assert delivered_to_phone(invitation(status, message, failure, receipt)) is on_the_phone


def test_an_undelivered_receipt_reads_as_the_failure_it_names():
    """The backend sends it as a failed message with the carrier's code: send again helps."""
    undelivered = invitation("failed", "failed", "twilio_30003", "undelivered")
    assert delivery(undelivered) is Delivery.FAILED
    assert problem(undelivered) is Problem.UNREACHABLE
    assert next_steps(undelivered) == (Step.SEND_AGAIN, Step.CHECK_NUMBER)
