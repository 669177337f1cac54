"""The development provider: the message stays in the outbox table and nothing leaves the machine.

The row itself is what a developer (or the demo phone window, through ``/api/v1/dev/messages``)
reads, so "sending" only has to give it an id and mark it delivered.
"""

from __future__ import annotations

import uuid

from omo_backend.messaging.providers.base import SendResult


class OutboxProvider:
    name = "outbox"

    def send_sms(self, *, to: str, body: str) -> SendResult:
        return SendResult(
            provider_message_id=f"outbox-{uuid.uuid4().hex}", provider_status="delivered"
        )
