"""Migration 0005 carries a staff code's lock in force over to its new home."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, select, text

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import PinGuard, utcnow
from omo_backend.models.base import UTCDateTime
from tests.support.backend import DatabaseFactory


def test_a_lock_in_force_survives_the_upgrade(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    try:
        migrate.upgrade(db.engine, "0004")
        until = utcnow() + timedelta(minutes=10)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO store (id, code, name, locale, timezone, brand_color,"
                    " created_at) VALUES (1, 'TPE01', 'T', 'en', 'UTC', '#000', :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {"now": utcnow()},
            )
            for code, failed, locked in (("1001", 5, until), ("1002", 0, None), ("1003", 2, None)):
                conn.execute(
                    text(
                        "INSERT INTO staff (store_id, code, name, role, pin_hash, failed_pins,"
                        " locked_until, active, created_at) VALUES (1, :code, 'A', 'staff', 'x',"
                        " :failed, :locked, true, :now)"
                    ).bindparams(
                        bindparam("locked", type_=UTCDateTime()),
                        bindparam("now", type_=UTCDateTime()),
                    ),
                    {
                        "code": code,
                        "failed": failed,
                        "locked": locked,
                        "now": utcnow(),
                    },
                )
        migrate.upgrade(db.engine)
        with db.transaction(write=False) as session:
            guards = {g.code: g for g in session.scalars(select(PinGuard))}
        assert sorted(guards) == ["1001", "1003"]
        assert guards["1001"].failed_pins == 5
        assert guards["1001"].locked_until is not None
        assert abs(guards["1001"].locked_until - until) < timedelta(seconds=1)
        assert guards["1003"].failed_pins == 2
        assert guards["1003"].locked_until is None
        assert not guards["1001"].unlock_required
    finally:
        db.dispose()
