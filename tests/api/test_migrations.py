"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import Base
from tests.support.backend import DatabaseFactory


def test_migrated_schema_matches_the_models(db_factory: DatabaseFactory):
    db = Database(db_factory.new_url())
    try:
        assert migrate.is_current(db.engine)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        # Migrating again is a no-op (serve migrates on every start).
        migrate.upgrade(db.engine)
    finally:
        db.dispose()
