"""SMS providers and the one place that picks one from the settings."""

from __future__ import annotations

from omo_backend.messaging.providers.base import (
    PermanentSendError,
    ProviderConfigError,
    SendError,
    SendResult,
    SmsProvider,
    TransientSendError,
)
from omo_backend.messaging.providers.outbox import OutboxProvider
from omo_backend.messaging.providers.twilio import TwilioProvider
from omo_backend.settings import Settings

__all__ = [
    "OutboxProvider",
    "PermanentSendError",
    "ProviderConfigError",
    "SendError",
    "SendResult",
    "SmsProvider",
    "TransientSendError",
    "TwilioProvider",
    "provider_from_settings",
]

PROVIDER_NAMES = ("outbox", "twilio")


def provider_from_settings(settings: Settings) -> SmsProvider:
    """The provider ``OMO_SMS_PROVIDER`` names; fails at start-up rather than at the first send."""
    name = settings.sms_provider.strip().lower()
    if name == "outbox":
        return OutboxProvider()
    if name == "twilio":
        return TwilioProvider(settings)
    raise ProviderConfigError(
        f"OMO_SMS_PROVIDER={settings.sms_provider!r} is not a known SMS provider; "
        f"use one of: {', '.join(PROVIDER_NAMES)}"
    )
