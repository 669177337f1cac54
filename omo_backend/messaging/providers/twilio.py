"""Twilio's Programmable Messaging API (``POST /2010-04-01/Accounts/{sid}/Messages.json``).

Twilio answers a created message with 201 and its JSON (``sid``, ``status``, ``num_segments``
as a string) and a refusal with ``{"code", "message", "more_info", "status"}``. Throttling
(429) and its own outages (5xx) are worth another try; any other 4xx is about this message
or this account and will not get better by repeating it.

``find_sent`` asks Twilio whether a message in doubt already went out
(``GET .../Messages.json`` with ``To``, ``From`` and ``DateSent>=`` filters, paging by
``next_page_uri``): a message to the same number with exactly the same body, created at or
after the in-doubt attempt's claim, from our sender (or our messaging service). ``DateSent``
filters by date only, so the creation time is compared here; Twilio lists newest first, so
the paging stops at the first page that reaches back before that time. A message Twilio has
created but not yet sent has no ``date_sent`` and is not listed: the lookup comes a lease after
the claim, by when Twilio has normally sent it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

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

# Messages per page of a lookup, and the most pages it reads (a number sent thousands of
# messages in the window is not one customer's: give up and let the lookup fail).
_PAGE_SIZE = 100
_MAX_PAGES = 20
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
        self._base = settings.twilio_api_base.rstrip("/") + "/"
        self._url = f"{self._base}2010-04-01/Accounts/{settings.twilio_account_sid}/Messages.json"
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
        response = self._request(
            "POST", self._url, data={"To": to, "Body": body, **self._sender, **self._callback}
        )

        payload = _json(response)
        if response.status_code in (200, 201):
            sid = payload.get("sid")
            if not isinstance(sid, str) or not sid:
                # Twilio may well have queued it; giving up risks a customer who never gets
                # the link. The retry asks Twilio first (``find_sent``: the row is still in
                # doubt) and sends again only if Twilio lists no such message.
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

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendResult | None:
        """Twilio's message to ``to`` with exactly ``body``, created at or after ``since``;
        None when there is none. Raises ``TransientSendError`` when Twilio cannot be asked."""
        params: dict[str, str] | None = {
            "To": to,
            "DateSent>=": since.astimezone(UTC).date().isoformat(),
            "PageSize": str(_PAGE_SIZE),
            **({"From": self._sender["From"]} if "From" in self._sender else {}),
        }
        url = self._url
        for _ in range(_MAX_PAGES):
            page = self._get_page(url, params)
            messages = page.get("messages")
            if not isinstance(messages, list):
                raise TransientSendError("twilio list without messages", reason="twilio_list_bad")
            reached_back = False
            for message in messages:
                if not isinstance(message, dict):
                    continue
                created = _created(message)
                if created is None or created < since:
                    reached_back = True
                    continue
                if self._ours(message, to, body):
                    return SendResult(
                        provider_message_id=str(message["sid"]),
                        provider_status=str(message.get("status") or "queued"),
                        segments=_int_or_none(message.get("num_segments")),
                    )
            next_uri = page.get("next_page_uri")
            if reached_back or not isinstance(next_uri, str) or not next_uri:
                return None
            url, params = urljoin(self._base, next_uri), None
        raise TransientSendError("twilio list too long", reason="twilio_list_too_long")

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(
                method,
                url,
                auth=self._auth,
                timeout=self._timeout,
                headers={"Accept": "application/json"},
                **kwargs,
            )
        except requests.RequestException as exc:
            reason = f"twilio_unreachable_{type(exc).__name__}"
            raise TransientSendError(reason, reason=reason) from exc

    def _get_page(self, url: str, params: dict[str, str] | None) -> dict[str, Any]:
        response = self._request("GET", url, params=params)
        if response.status_code != 200:
            # Whatever it is, it says nothing about the message: ask again later.
            reason = f"twilio_list_http_{response.status_code}"
            raise TransientSendError(reason, reason=reason)
        return _json(response)

    def _ours(self, message: dict[str, Any], to: str, body: str) -> bool:
        if message.get("to") != to or message.get("body") != body:
            return False
        if message.get("direction") not in (None, "outbound-api"):
            return False
        if not isinstance(message.get("sid"), str) or not message["sid"]:
            return False
        if "MessagingServiceSid" in self._sender:
            return bool(message.get("messaging_service_sid") == self._sender["MessagingServiceSid"])
        return bool(message.get("from") == self._sender["From"])


def _created(message: dict[str, Any]) -> datetime | None:
    """Twilio's ``date_created`` (RFC 2822, e.g. ``Mon, 30 Nov 2026 14:00:00 +0000``)."""
    value = message.get("date_created")
    if not isinstance(value, str):
        return None
    try:
        created = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


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
