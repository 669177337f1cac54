"""The webhook sender: claims due deliveries, posts them signed, records what the receiver said.

It runs beside the SMS dispatcher (``omo-backend dispatch``, or the dispatcher thread of
``serve``) and follows its rules. Delivery is at least once: a row is claimed with a lease
(``claimed_until``) in one short transaction and posted with no transaction open; if the
process dies mid-post the lease runs out and any sender takes it again, so a receiver may get
a delivery twice and de-duplicates on ``OMO-Delivery-Id``. ``attempts`` fences outcomes: one
is written only while the row is still ``sending`` under the attempt that was claimed. A pass
claims only as many rows as it can post within the lease at the timeout each, so a live
holder never loses a lease under a post.

A try succeeds on any 2xx answer; anything else (another status, a timeout, a refused
connection, a redirect, which is not followed) is tried again after
``webhook_backoff_base_seconds * 2**(n-1)`` (capped at ``webhook_backoff_max_seconds``)
until ``webhook_max_attempts`` tries, then the delivery is ``failed`` (given up).

Logs name deliveries by id and the receiver by host: never the secret, the body or a query.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from backend_client.schemas import WebhookDeliveryStatus
from omo_backend.db import Database
from omo_backend.models import WebhookDelivery, WebhookEndpoint, utcnow
from omo_backend.models.webhook import WEBHOOK_WAITING
from omo_backend.settings import Settings
from omo_backend.webhooks import signing

logger = logging.getLogger(__name__)

_QUEUED = WebhookDeliveryStatus.QUEUED.value
_SENDING = WebhookDeliveryStatus.SENDING.value
_DELIVERED = WebhookDeliveryStatus.DELIVERED.value
_FAILED = WebhookDeliveryStatus.FAILED.value
_ERROR_PAUSE_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class _Claim:
    id: int
    event: str
    url: str
    secret: str
    body: bytes
    attempt: int


class WebhookSender:
    def __init__(self, database: Database, settings: Settings) -> None:
        self._db = database
        self._settings = settings
        timeout = settings.webhook_timeout_seconds
        fits = int(settings.webhook_lease_seconds // timeout) - 1 if timeout > 0 else 20
        self._claim_limit = max(1, min(20, fits))
        self._http = requests.Session()
        # A receiver's environment (proxies, .netrc) is not ours to pick up.
        self._http.trust_env = False

    def run_once(self, *, stop: threading.Event | None = None) -> int:
        """Claim and post the due deliveries that fit in one lease; returns how many."""
        claims = self._claim()
        for index, claim in enumerate(claims):
            if stop is not None and stop.is_set():
                self._release(claims[index:])
                return index
            self._deliver(claim)
        return len(claims)

    def run_forever(self, stop: threading.Event) -> None:
        poll = self._settings.webhook_poll_seconds
        errors = 0
        while not stop.is_set():
            try:
                handled = self.run_once(stop=stop)
            except Exception as exc:
                errors = min(errors + 1, 16)
                pause = min(poll * 2**errors, max(poll, _ERROR_PAUSE_MAX_SECONDS))
                # The type only: a database error quotes its parameters (bodies, secrets).
                logger.error("webhook pass failed (%s); again in %.1fs", type(exc).__name__, pause)
                stop.wait(pause)
                continue
            errors = 0
            if handled == 0:
                stop.wait(poll)

    def close(self) -> None:
        self._http.close()

    # --- claiming ----------------------------------------------------------------------------

    def _claim(self) -> list[_Claim]:
        now = utcnow()
        due = (
            WEBHOOK_WAITING,
            or_(
                and_(WebhookDelivery.status == _QUEUED, WebhookDelivery.next_attempt_at <= now),
                and_(
                    WebhookDelivery.status == _SENDING,
                    or_(
                        WebhookDelivery.claimed_until.is_(None),
                        WebhookDelivery.claimed_until < now,
                    ),
                ),
            ),
            # A disabled endpoint's deliveries wait for it to be enabled again.
            WebhookDelivery.endpoint_id.in_(
                select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
            ),
        )
        with self._db.transaction(write=False) as session:
            if session.scalar(select(WebhookDelivery.id).where(*due).limit(1)) is None:
                return []
        settings = self._settings
        stmt = (
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(*due)
            .order_by(WebhookDelivery.id)
            .limit(self._claim_limit)
        )
        if self._db.is_postgresql:
            stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
        lease_until = now + timedelta(seconds=settings.webhook_lease_seconds)
        claims: list[_Claim] = []
        given_up: list[int] = []
        with self._db.transaction(write=True) as session:
            for delivery, endpoint in session.execute(stmt):
                if (
                    delivery.status == _SENDING
                    and delivery.attempts >= settings.webhook_max_attempts
                ):
                    # Every try died mid-post: stop before it stalls the sender for good.
                    delivery.status = _FAILED
                    delivery.claimed_until = None
                    delivery.next_attempt_at = None
                    delivery.last_error = "lease expired on the last try"
                    given_up.append(delivery.id)
                    continue
                delivery.status = _SENDING
                delivery.claimed_until = lease_until
                delivery.attempts += 1
                claims.append(
                    _Claim(
                        id=delivery.id,
                        event=delivery.event,
                        url=endpoint.url,
                        secret=endpoint.secret,
                        body=delivery.body.encode(),
                        attempt=delivery.attempts,
                    )
                )
        for delivery_id in given_up:
            logger.error(
                "webhook delivery %d given up: its lease expired on the last try", delivery_id
            )
        return claims

    def _release(self, claims: list[_Claim]) -> None:
        with self._db.transaction(write=True) as session:
            for claim in claims:
                _update(
                    session,
                    update(WebhookDelivery)
                    .where(*_still_ours(claim))
                    .values(status=_QUEUED, claimed_until=None, attempts=claim.attempt - 1),
                )

    # --- posting and recording ---------------------------------------------------------------

    def _deliver(self, claim: _Claim) -> None:
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "OMO-Webhooks/1",
            signing.HEADER: signing.header(claim.secret, stamp, claim.body),
            signing.DELIVERY_HEADER: str(claim.id),
            signing.EVENT_HEADER: claim.event,
        }
        status: int | None = None
        error: str | None = None
        try:
            reply = self._http.post(
                claim.url,
                data=claim.body,
                headers=headers,
                timeout=self._settings.webhook_timeout_seconds,
                allow_redirects=False,
            )
            reply.close()
            status = reply.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        self._record(claim, status, error)

    def _record(self, claim: _Claim, status: int | None, error: str | None) -> None:
        settings = self._settings
        now = utcnow()
        values: dict[str, Any] = {
            "claimed_until": None,
            "last_status_code": status,
            "last_error": error,
            "last_attempt_at": now,
        }
        host = urlsplit(claim.url).hostname
        if error is None:
            values |= {"status": _DELIVERED, "delivered_at": now, "next_attempt_at": None}
            # Even a claim taken over keeps its success: the receiver has it.
            where: tuple[Any, ...] = (
                WebhookDelivery.id == claim.id,
                WebhookDelivery.status != _DELIVERED,
            )
        elif claim.attempt >= settings.webhook_max_attempts:
            values |= {"status": _FAILED, "next_attempt_at": None}
            where = _still_ours(claim)
        else:
            wait = min(
                settings.webhook_backoff_base_seconds * 2 ** (claim.attempt - 1),
                settings.webhook_backoff_max_seconds,
            )
            values |= {"status": _QUEUED, "next_attempt_at": now + timedelta(seconds=wait)}
            where = _still_ours(claim)
        with self._db.transaction(write=True) as session:
            recorded = _update(session, update(WebhookDelivery).where(*where).values(**values))
        if not recorded:
            logger.warning(
                "webhook delivery %d: try %d outcome not recorded", claim.id, claim.attempt
            )
        elif error is None:
            logger.info(
                "webhook delivery %d delivered to %s on try %d", claim.id, host, claim.attempt
            )
        elif values["status"] == _FAILED:
            logger.error(
                "webhook delivery %d to %s given up after %d tries (%s)",
                claim.id,
                host,
                claim.attempt,
                error,
            )
        else:
            logger.warning(
                "webhook delivery %d to %s: try %d failed (%s); next at %s",
                claim.id,
                host,
                claim.attempt,
                error,
                # To the second: six digits of microseconds can read as a PIN in the log.
                values["next_attempt_at"].isoformat(timespec="seconds"),
            )


def _still_ours(claim: _Claim) -> tuple[Any, ...]:
    return (
        WebhookDelivery.id == claim.id,
        WebhookDelivery.status == _SENDING,
        WebhookDelivery.attempts == claim.attempt,
    )


def _update(session: Session, stmt: Any) -> int:
    result = session.execute(stmt.execution_options(synchronize_session=False))
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count


@contextmanager
def sending_webhooks(settings: Settings, database: Database | None = None) -> Iterator[None]:
    """Run a sender on its own thread for the duration (the dispatcher's process and thread).

    Without ``database`` it opens its own small pool and closes it afterwards.
    """
    db = database or Database(settings.effective_database_url, pool_size=1)
    sender = WebhookSender(db, settings)
    stop = threading.Event()
    thread = threading.Thread(
        target=sender.run_forever, args=(stop,), name="webhook-sender", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=settings.webhook_timeout_seconds + 5)
        sender.close()
        if database is None:
            db.dispose()
