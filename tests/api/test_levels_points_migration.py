"""Migration 0008 adds the levels and fills in what is left of each existing points grant (the
ledger replayed: earliest-expiring first, expired grants never spent), and goes back down, on
SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import bindparam, inspect, text

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import utcnow
from omo_backend.models.base import UTCDateTime
from tests.support.backend import DatabaseFactory

INSERT = text(
    "INSERT INTO points_entry (id, customer_id, delta, reason, expires_at, created_at)"
    " VALUES (:id, 1, :delta, 'r', :expires, :created)"
).bindparams(bindparam("expires", type_=UTCDateTime()), bindparam("created", type_=UTCDateTime()))


def test_existing_ledgers_get_their_remaining_points_and_back(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    now = utcnow()
    day = timedelta(days=1)
    try:
        migrate.upgrade(db.engine, "0007")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customer (id, is_member, created_at, updated_at)"
                    " VALUES (1, :t, :now, :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {"now": now, "t": True},
            )
            rows = [
                # id, delta, expires_at, created_at
                (1, 100, None, now - 10 * day),
                (2, 50, now + 30 * day, now - 9 * day),
                (3, 20, now - 5 * day, now - 8 * day),  # expired before the deduction
                (4, 30, now + 2 * day, now - 7 * day),
                (5, -60, None, now - 3 * day),  # the 30, then 30 of the 50
            ]
            for id_, delta, expires, created in rows:
                conn.execute(
                    INSERT, {"id": id_, "delta": delta, "expires": expires, "created": created}
                )
        migrate.upgrade(db.engine)
        assert "level" in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            remaining = dict(conn.execute(text("SELECT id, remaining FROM points_entry")).all())
            assert remaining == {1: 100, 2: 20, 3: 20, 4: 0, 5: None}
            conn.execute(
                text(
                    "INSERT INTO level (code, name_en, name_zh_tw, rank)"
                    " VALUES ('gold', 'Gold', '金卡', 0)"
                )
            )

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")
        assert "level" not in inspect(db.engine).get_table_names()
        columns = {c["name"] for c in inspect(db.engine).get_columns("points_entry")}
        assert not {"remaining", "device_id"} & columns
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM points_entry")).scalar_one() == 5
    finally:
        db.dispose()
