"""SMS rate limits: each message costs the merchant money, so the server counts before it sends.

Counts come from the outbox itself (every SMS is a row), so there is no second counter to drift.
On PostgreSQL two concurrent sends to one phone or store could both count below the limit, so
the transaction first takes advisory locks on the phone and the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session

from omo_backend.errors import RateLimited
from omo_backend.models import Message, utcnow
from omo_backend.settings import Settings


@dataclass(frozen=True)
class _Limit:
    scope: str
    limit: int
    window: timedelta
    where: ColumnElement[bool]


def lock_for_send(*, session: Session, phone: str, store_id: int) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite write transactions are already exclusive (BEGIN IMMEDIATE).
    for key in (f"store:{store_id}", f"phone:{phone}"):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def check_sms_allowed(
    *, session: Session, settings: Settings, phone: str, store_id: int, device_id: int | None
) -> None:
    limits = [
        _Limit(
            "phone",
            settings.rate_phone_per_10min,
            timedelta(minutes=10),
            Message.to_address == phone,
        ),
        _Limit(
            "phone", settings.rate_phone_per_day, timedelta(days=1), Message.to_address == phone
        ),
        _Limit(
            "store", settings.rate_store_per_hour, timedelta(hours=1), Message.store_id == store_id
        ),
    ]
    if device_id is not None:
        limits.append(
            _Limit(
                "device",
                settings.rate_device_per_hour,
                timedelta(hours=1),
                Message.device_id == device_id,
            )
        )
    now = utcnow()
    for lim in limits:
        since = now - lim.window
        count, oldest = session.execute(
            select(func.count(), func.min(Message.created_at)).where(
                lim.where, Message.channel == "sms", Message.created_at > since
            )
        ).one()
        if count >= lim.limit and oldest is not None:
            retry_after = math.ceil((oldest + lim.window - now).total_seconds())
            raise RateLimited(
                _sentence(lim, count, retry_after),
                retry_after=retry_after,
                details={
                    "scope": lim.scope,
                    "limit": lim.limit,
                    "window_seconds": int(lim.window.total_seconds()),
                    "sent": count,
                },
            )


def _sentence(lim: _Limit, count: int, retry_after: int) -> str:
    window = _span(int(lim.window.total_seconds()))
    wait = _span(retry_after)
    who = {"phone": "This number was", "device": "This device has", "store": "This store has"}
    return f"{who[lim.scope]} sent {count} messages in {window}; try again in {wait}."


def _span(seconds: int) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return "a day" if days == 1 else f"{days} days"
    if seconds >= 3600:
        hours = math.ceil(seconds / 3600)
        return "an hour" if hours == 1 else f"{hours} hours"
    if seconds >= 60:
        minutes = math.ceil(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if seconds == 1 else f"{seconds} seconds"
