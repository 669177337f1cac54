"""Migration 0015: the NOTIFY triggers come and go with it, and do nothing on SQLite."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from omo_backend import migrate
from omo_backend.db import Database
from tests.support.backend import DatabaseFactory

TRIGGERS = {
    "invitation_notify_change",
    "invitation_notify_delete",
    "binding_session_notify_change",
    "binding_session_notify_delete",
    "message_notify_outbox",
}


def triggers(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        if db.is_postgresql:
            sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return {str(name) for (name,) in conn.execute(text(sql))} & TRIGGERS


def test_the_notify_triggers_come_and_go_with_the_migration(db_factory: DatabaseFactory):
    db = Database(db_factory.new_url())
    try:
        expected = TRIGGERS if db.is_postgresql else set()
        assert triggers(db) == expected
        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012")
        assert triggers(db) == set()
        migrate.upgrade(db.engine)
        assert triggers(db) == expected
    finally:
        db.dispose()
