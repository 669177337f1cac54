"""SMS rate limits: each message costs the merchant money, so the server counts before it sends.

Counts come from the outbox itself (every SMS is a row), so there is no second counter to drift.
On PostgreSQL two concurrent sends to one phone or store could both count below the limit, so
the transaction first takes advisory locks on the phone and the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from omo_backend.clock import clock
from omo_backend.errors import RateLimited
from omo_backend.models import Message
from omo_backend.models.base import UTCDateTime
from omo_backend.settings import Settings


@dataclass(frozen=True)
class _Limit:
    scope: str
    window: timedelta
    where: ColumnElement[bool]


_P: BindParameter[str] = bindparam("phone", type_=String())
_S: BindParameter[int] = bindparam("store", type_=Integer())
_D: BindParameter[int] = bindparam("device", type_=Integer())
_SINCE: dict[str, BindParameter[datetime]] = {
    window: bindparam(f"since_{window}", type_=UTCDateTime()) for window in ("10m", "day", "hour")
}
_LIMITS = {
    "phone_10m": _Limit("phone", timedelta(minutes=10), Message.to_address == _P),
    "phone_day": _Limit("phone", timedelta(days=1), Message.to_address == _P),
    "store_hour": _Limit("store", timedelta(hours=1), Message.store_id == _S),
    "device_hour": _Limit("device", timedelta(hours=1), Message.device_id == _D),
}
_WINDOW_PARAM = {
    "phone_10m": "10m",
    "phone_day": "day",
    "store_hour": "hour",
    "device_hour": "hour",
}


def _in(name: str) -> ColumnElement[bool]:
    return and_(_LIMITS[name].where, Message.created_at > _SINCE[_WINDOW_PARAM[name]])


def _newest(name: str) -> Select[str, int, Any]:
    newest = (
        select(Message.created_at)
        .where(Message.channel == "sms", _in(name))
        .order_by(Message.created_at.desc())
        .limit(bindparam(f"limit_{name}", type_=Integer()))
        .subquery()
    )
    return select(
        literal(name).label("window"),
        func.count().label("sent"),
        func.min(newest.c.created_at).label("oldest"),
    )


def lock_for_send(*, session: Session, phone: str, store_id: int) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite write transactions are already exclusive (BEGIN IMMEDIATE).
    for key in (f"store:{store_id}", f"phone:{phone}"):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def check_sms_allowed(
    *, session: Session, settings: Settings, phone: str, store_id: int, device_id: int | None
) -> None:
    limit_of = {
        "phone_10m": settings.rate_phone_per_10min,
        "phone_day": settings.rate_phone_per_day,
        "store_hour": settings.rate_store_per_hour,
        "device_hour": settings.rate_device_per_hour,
    }
    now = clock.now()
    params = {
        "phone": phone,
        "store": store_id,
        "device": device_id if device_id is not None else -1,
        "since_10m": now - timedelta(minutes=10),
        "since_day": now - timedelta(days=1),
        "since_hour": now - timedelta(hours=1),
    }
    params |= {f"limit_{name}": max(1, limit) for name, limit in limit_of.items()}
    # One row per window, always (an aggregate without GROUP BY); `oldest` comes back aware
    # (the column's UTCDateTime) on both databases, and None when the window is empty.
    # Each window reads at most its limit's worth of rows (newest first), so the cost stays flat
    # however many messages the hour holds.
    newest = union_all(*[_newest(name) for name in _LIMITS])
    found: dict[str, tuple[int, datetime | None]] = {
        str(window): (int(sent), oldest) for window, sent, oldest in session.execute(newest, params)
    }
    for name, lim in _LIMITS.items():
        sent, oldest_sent = found[name]
        if sent < limit_of[name]:
            continue
        # Room comes back when the oldest of the last `limit` messages leaves the window; with a
        # limit of 0 nothing was sent, and the wait is the whole window.
        oldest = oldest_sent if oldest_sent is not None else now
        retry_after = math.ceil((oldest + lim.window - now).total_seconds())
        raise RateLimited(
            _sentence(lim, sent, retry_after),
            retry_after=retry_after,
            details={
                "scope": lim.scope,
                "limit": limit_of[name],
                "window_seconds": int(lim.window.total_seconds()),
                "sent": sent,
            },
        )


def _sentence(lim: _Limit, count: int, retry_after: int) -> str:
    window = _span(int(lim.window.total_seconds()))
    wait = _span(retry_after)
    who = {"phone": "This number was", "device": "This device has", "store": "This store has"}
    return f"{who[lim.scope]} sent {count} messages in {window}; try again in {wait}."


def _span(seconds: int) -> str:
    """A window or a wait in words, rounded up; the longest window, and so wait, is a day."""
    if seconds >= 86400:
        return "a day"
    if seconds >= 3600:
        hours = math.ceil(seconds / 3600)
        return "an hour" if hours == 1 else f"{hours} hours"
    if seconds >= 60:
        minutes = math.ceil(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if seconds == 1 else f"{seconds} seconds"
