"""The development provider: the message stays in the outbox table and nothing leaves the machine.

The row itself is what a developer (or the demo phone window, through ``/api/v1/dev/messages``)
reads, so "sending" only has to give it an id and mark it delivered. It stands in for both
channels: SMS when ``OMO_SMS_PROVIDER=outbox``, e-mail when ``OMO_SMTP_URL`` is unset.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from omo_backend.messaging.providers.base import SendResult


class OutboxProvider:
    name = "outbox"

    def send_sms(self, *, to: str, body: str) -> SendResult:
        return _delivered()

    def send_email(self, *, to: str, subject: str, body: str) -> SendResult:
        return _delivered()

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendResult | None:
        """Always None: the outbox keeps nothing outside the row, and "sending" a row again
        only marks that row once more; nothing leaves the machine, so nothing goes out twice."""
        return None


def _delivered() -> SendResult:
    return SendResult(provider_message_id=f"outbox-{uuid.uuid4().hex}", provider_status="delivered")
