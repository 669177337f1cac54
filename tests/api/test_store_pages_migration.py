"""Migration 0006 gives existing stores the phone pages' settings, unset, and takes them away
again on the way down, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import bindparam, inspect, text

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import utcnow
from omo_backend.models.base import UTCDateTime
from tests.support.backend import DatabaseFactory

COLUMNS = {"shop_url", "line_add_friend_url", "terms_text"}


def test_stores_keep_working_across_the_upgrade_and_back(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    try:
        migrate.upgrade(db.engine, "0005")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO store (id, code, name, locale, timezone, brand_color,"
                    " created_at) VALUES (1, 'TPE01', '台北總店', 'zh_TW', 'Asia/Taipei',"
                    " '#0b6e4f', :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {"now": utcnow()},
            )
        migrate.upgrade(db.engine)
        assert {c["name"] for c in inspect(db.engine).get_columns("store")} >= COLUMNS
        with db.engine.begin() as conn:
            row = conn.execute(
                text("SELECT name, shop_url, line_add_friend_url, terms_text FROM store")
            ).one()
            assert tuple(row) == ("台北總店", None, None, None)
            conn.execute(text("UPDATE store SET terms_text = :t"), {"t": "條款" * 5000})

        from alembic import command

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        assert not COLUMNS & {c["name"] for c in inspect(db.engine).get_columns("store")}
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT code FROM store")).scalar_one() == "TPE01"
    finally:
        db.dispose()
