"""Twilio's Programmable Messaging API (``POST /2010-04-01/Accounts/{sid}/Messages.json``).

Twilio answers a created message with 201 and its JSON (``sid``, ``status``, ``num_segments``
as a string) and a refusal with ``{"code", "message", "more_info", "status"}``. Throttling
(429) and its own outages (5xx) are worth another try; any other 4xx is about this message
or this account and will not get better by repeating it.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from omo_backend.messaging.providers.base import (
    PermanentSendError,
    ProviderConfigError,
    SendResult,
    TransientSendError,
)
from omo_backend.messaging.receipts import status_callback_url
from omo_backend.settings import Settings

# 408 is the server giving up on a slow upload: nothing was created, so it is safe to repeat.
_RETRYABLE_4XX = frozenset({408, 429})


class TwilioProvider:
    name = "twilio"

    def __init__(self, settings: Settings, *, session: requests.Session | None = None) -> None:
        missing = [
            env
            for env, value in (
                ("OMO_TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
                ("OMO_TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
            )
            if not value
        ]
        if not (settings.twilio_from or settings.twilio_messaging_service_sid):
            missing.append("OMO_TWILIO_FROM or OMO_TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise ProviderConfigError(
                "OMO_SMS_PROVIDER=twilio needs " + ", ".join(missing) + " to be set"
            )
        self._account_sid = settings.twilio_account_sid
        self._auth = (settings.twilio_account_sid, settings.twilio_auth_token)
        # A messaging service picks the sender itself, so it wins when both are configured.
        self._sender = (
            {"MessagingServiceSid": settings.twilio_messaging_service_sid}
            if settings.twilio_messaging_service_sid
            else {"From": settings.twilio_from}
        )
        self._url = (
            f"{settings.twilio_api_base.rstrip('/')}/2010-04-01/Accounts/"
            f"{settings.twilio_account_sid}/Messages.json"
        )
        # Twilio posts each status change there, the delivery receipt last (receipts.py).
        self._callback = {"StatusCallback": status_callback_url(settings.public_base_url)}
        self._timeout = settings.twilio_timeout_seconds
        if session is None:
            # The dispatcher sends up to ``dispatch_concurrency`` at once: one kept-alive
            # connection each, rather than requests' 10 and a new connection per extra send.
            session = requests.Session()
            size = max(10, settings.dispatch_concurrency)
            session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=size))
            session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=size))
        self._session = session

    def send_sms(self, *, to: str, body: str) -> SendResult:
        try:
            response = self._session.post(
                self._url,
                data={"To": to, "Body": body, **self._sender, **self._callback},
                auth=self._auth,
                timeout=self._timeout,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            reason = f"twilio_unreachable_{type(exc).__name__}"
            raise TransientSendError(reason, reason=reason) from exc

        payload = _json(response)
        if response.status_code in (200, 201):
            sid = payload.get("sid")
            if not isinstance(sid, str) or not sid:
                # Twilio may well have queued it; repeating risks one duplicate, giving up
                # risks a customer who never gets the link. The outbox prefers the duplicate.
                raise TransientSendError(
                    f"twilio {response.status_code} without a message sid",
                    reason=f"twilio_http_{response.status_code}_no_sid",
                )
            return SendResult(
                provider_message_id=sid,
                provider_status=str(payload.get("status") or "queued"),
                segments=_int_or_none(payload.get("num_segments")),
            )

        code = payload.get("code")
        detail = f"twilio {response.status_code}"
        if code is not None:
            detail += f" code {code}"
        if payload.get("message"):
            detail += f": {payload['message']}"
        if response.status_code >= 500 or response.status_code in _RETRYABLE_4XX:
            raise TransientSendError(detail, reason=f"twilio_http_{response.status_code}")
        failure_code = (
            f"twilio_{code}" if code is not None else f"twilio_http_{response.status_code}"
        )
        raise PermanentSendError(failure_code, detail)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _int_or_none(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    # A message still waiting for its messaging service to pick a sender reports "0".
    return number if number > 0 else None
