"""SMS and e-mail providers, and the one place that picks them from the settings."""

from __future__ import annotations

from omo_backend.messaging.providers.base import (
    EmailProvider,
    PermanentSendError,
    ProviderConfigError,
    SendError,
    SendResult,
    SentLookup,
    SmsProvider,
    TransientSendError,
)
from omo_backend.messaging.providers.outbox import OutboxProvider
from omo_backend.messaging.providers.smtp import SmtpProvider
from omo_backend.messaging.providers.twilio import TwilioProvider
from omo_backend.settings import Settings

__all__ = [
    "EmailProvider",
    "OutboxProvider",
    "PermanentSendError",
    "ProviderConfigError",
    "SendError",
    "SendResult",
    "SentLookup",
    "SmsProvider",
    "SmtpProvider",
    "TransientSendError",
    "TwilioProvider",
    "email_provider_from_settings",
    "email_provider_name",
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


def email_provider_name(settings: Settings) -> str:
    """What an e-mail row records as its provider: ``smtp`` once ``OMO_SMTP_URL`` is set."""
    return "smtp" if settings.smtp_url.strip() else "outbox"


def email_provider_from_settings(settings: Settings) -> EmailProvider:
    """SMTP when ``OMO_SMTP_URL`` is set, else the outbox (nothing leaves the machine)."""
    if email_provider_name(settings) == "smtp":
        return SmtpProvider(settings)
    return OutboxProvider()
