"""Periodic clean-up of rows whose use has passed: idempotency records and page sessions."""

from __future__ import annotations

import logging

from sqlalchemy import delete

from omo_backend import idempotency
from omo_backend.db import Database
from omo_backend.models import PageSession, utcnow

log = logging.getLogger(__name__)


def purge_expired(db: Database) -> int:
    with db.transaction() as session:
        removed = idempotency.purge_expired(session=session)
        result = session.execute(delete(PageSession).where(PageSession.expires_at <= utcnow()))
        removed += int(getattr(result, "rowcount", 0) or 0)
    if removed:
        log.info("housekeeping removed %d expired rows", removed)
    return removed
