"""Periodic clean-up of rows whose use has passed (idempotency records, page sessions and
trips to LINE) and the member counts' change log folded into the counts."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select

from omo_backend import idempotency
from omo_backend.db import Database
from omo_backend.directory import counts
from omo_backend.models import LineLogin, PageSession, utcnow

log = logging.getLogger(__name__)


def purge_expired(db: Database) -> int:
    with db.transaction() as session:
        removed = idempotency.purge_expired(session=session)
        # Trips to LINE first: they point at page sessions.
        gone = session.execute(
            delete(LineLogin).where(
                LineLogin.page_session_id.in_(
                    select(PageSession.id).where(PageSession.expires_at <= utcnow())
                )
                | (LineLogin.expires_at <= utcnow())
            )
        )
        removed += int(getattr(gone, "rowcount", 0) or 0)
        result = session.execute(delete(PageSession).where(PageSession.expires_at <= utcnow()))
        removed += int(getattr(result, "rowcount", 0) or 0)
        if counts.pending(session):
            counts.fold(session)
    if removed:
        log.info("housekeeping removed %d expired rows", removed)
    return removed
