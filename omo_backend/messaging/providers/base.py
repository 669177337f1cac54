"""What every SMS and e-mail provider promises the dispatcher, and the two ways a send can fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class SendResult:
    """The provider accepted the message; ``segments`` is its own count when it reports one."""

    provider_message_id: str
    provider_status: str
    segments: int | None = None


class SendError(Exception):
    """A send did not go through.

    The text may quote the provider, and so the phone number: it is stored on the message
    row, never logged. ``reason`` is a short, number-free label for the logs.
    """

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or type(self).__name__


class TransientSendError(SendError):
    """Network error, timeout, throttling or a provider outage: try again later."""


class PermanentSendError(SendError):
    """The provider refused this message (invalid number, region not enabled...): never retry.

    ``code`` is stable and becomes the invitation's ``failure_code``, e.g. ``twilio_21211``
    or ``smtp_550``.
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code, reason=code)
        self.code = code


class ProviderConfigError(ValueError):
    """The settings name an unknown provider or lack what it needs; raised at start-up."""


class SmsProvider(Protocol):
    def send_sms(self, *, to: str, body: str) -> SendResult:
        """Hand one SMS to the provider; raise ``TransientSendError`` or ``PermanentSendError``."""
        ...


class EmailProvider(Protocol):
    def send_email(self, *, to: str, subject: str, body: str) -> SendResult:
        """Hand one plain-text e-mail to the provider; raise like ``SmsProvider.send_sms``."""
        ...


@runtime_checkable
class SentLookup(Protocol):
    def find_sent(self, *, to: str, body: str, since: datetime) -> SendResult | None:
        """The message with exactly this body that the provider accepted for ``to`` at or after
        ``since`` (aware UTC), or None when it has none (or cannot tell: then the dispatcher
        sends again). Raise ``TransientSendError`` when the provider cannot be asked now.

        The dispatcher asks this before resending a message whose earlier attempt's outcome
        is unknown (its sender died or lost the database mid-send). A provider without this
        method is treated as answering None.
        """
        ...
