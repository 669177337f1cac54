"""``Idempotency-Key``: the same key from the same device replays the first answer.

As Stripe and the IETF draft do it. The record is inserted first, in the same transaction as
the work it guards, so the work and its record commit or vanish together:
- SQLite: write transactions are exclusive, so a second request with the key waits for the
  first to commit, then finds the record and replays it.
- PostgreSQL: the second insert blocks on the unique index until the first commits, then fails;
  we roll back (nothing of the second attempt survives, so no second SMS) and replay.
Only successful answers are stored: a refusal (rate limited, already a member) is worth
asking again, and asking again cannot send twice.

So no other request ever sees a record whose work is still running: the record becomes
visible only when its work commits, answer and all. There is no "still running" reply.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omo_backend.clock import clock
from omo_backend.db import Database
from omo_backend.errors import ValidationFailed
from omo_backend.models import IdempotencyRecord
from omo_backend.settings import Settings

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool

    def response(self) -> JSONResponse:
        headers = {"Idempotent-Replayed": "true"} if self.replayed else {}
        return JSONResponse(self.body, status_code=self.status, headers=headers)


def fingerprint(method: str, path: str, body: BaseModel | None) -> str:
    payload = body.model_dump(mode="json") if body is not None else None
    raw = json.dumps([method.upper(), path, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def run(
    *,
    db: Database,
    scope: str,
    key: str | None,
    request_hash: str,
    ttl_seconds: int,
    status: int,
    work: Callable[[Session], BaseModel],
) -> Outcome:
    if key is None:
        with db.transaction() as session:
            return Outcome(status, work(session).model_dump(mode="json"), replayed=False)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            "Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key"
        )
    try:
        with db.transaction() as session:
            found = _existing(session, scope, key)
            if found is not None:
                return _replay(found, request_hash)
            # Inserted before the work: on PostgreSQL a concurrent twin blocks on this row's
            # unique index until we commit; the answer is filled in before anyone can see it.
            record = IdempotencyRecord(
                scope=scope,
                key=key,
                request_hash=request_hash,
                response_status=status,
                response_body="",
                expires_at=clock.now() + timedelta(seconds=ttl_seconds),
            )
            session.add(record)
            session.flush()
            body = work(session).model_dump(mode="json")
            record.response_body = json.dumps(body)
            return Outcome(status, body, replayed=False)
    except IntegrityError:
        with db.transaction() as session:
            found = _existing(session, scope, key)
        if found is None:
            raise
        return _replay(found, request_hash)


def for_device(
    *,
    db: Database,
    settings: Settings,
    request: Request,
    device_id: int,
    key: str | None,
    body: BaseModel | None,
    status: int,
    work: Callable[[Session], BaseModel],
) -> JSONResponse:
    """A counter device's request, its work done once per ``Idempotency-Key``: the answer."""
    return run(
        db=db,
        scope=f"device:{device_id}",
        key=key,
        request_hash=fingerprint(request.method, request.url.path, body),
        ttl_seconds=settings.idempotency_ttl_seconds,
        status=status,
        work=work,
    ).response()


def _existing(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.expires_at <= clock.now():
        session.delete(record)
        session.flush()
        return None
    return record


def _replay(record: IdempotencyRecord, request_hash: str) -> Outcome:
    if record.request_hash != request_hash:
        raise ValidationFailed(
            "This Idempotency-Key was used for a different request.",
            code="idempotency_key_reused",
        )
    return Outcome(record.response_status, json.loads(record.response_body), replayed=True)


def purge_expired(*, session: Session) -> int:
    # A DELETE's result is a CursorResult, which knows how many rows went.
    result = cast(
        CursorResult[Any],
        session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= clock.now())
        ),
    )
    return result.rowcount
