"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.schema import CreateIndex

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import Base
from tests.support.backend import DatabaseFactory


def test_migrated_schema_matches_the_models(db_factory: DatabaseFactory):
    db = Database(db_factory.new_url())
    try:
        assert migrate.is_current(db.engine)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": migrate.include_object}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        # Migrating again is a no-op (serve migrates on every start).
        migrate.upgrade(db.engine)
    finally:
        db.dispose()


def test_partial_indexes_keep_the_models_where(db_factory: DatabaseFactory):
    """compare_metadata does not look at a partial index's WHERE: the catalog does. Each such
    index of the models is built once more under another name, and the database's own text
    of the two (PostgreSQL normalises it) must be the same."""
    db = Database(db_factory.new_url())
    try:
        with db.engine.connect() as conn:
            dialect = conn.dialect.name
            partial = [
                index
                for table in Base.metadata.tables.values()
                for index in table.indexes
                if index.dialect_options[dialect].get("where") is not None
            ]
            assert partial, "no partial index in the models"
            for index in partial:
                name = str(index.name)
                probe = f"probe_{name}"
                create = str(CreateIndex(index).compile(dialect=conn.dialect))
                conn.exec_driver_sql(create.replace(name, probe, 1))
                migrated, modelled = (_index_text(conn, n) for n in (name, probe))
                assert modelled.replace(probe, name) == migrated
            conn.rollback()
    finally:
        db.dispose()


def _index_text(conn: Connection, name: str) -> str:
    if conn.dialect.name == "postgresql":
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = %(name)s"
    else:
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    return str(conn.exec_driver_sql(query, {"name": name}).scalar_one())


def test_postgresql_storage_parameters_match_the_models(db_factory: DatabaseFactory):
    """compare_metadata ignores a table's ``postgresql_with`` too: pg_class has them."""
    if db_factory.kind != "postgresql":
        pytest.skip("storage parameters are PostgreSQL's")
    db = Database(db_factory.new_url())
    try:
        with db.engine.connect() as conn:
            for table in Base.metadata.tables.values():
                wanted = table.dialect_options["postgresql"].get("with") or {}
                options = conn.exec_driver_sql(
                    "SELECT reloptions FROM pg_class WHERE oid = %(name)s::regclass",
                    {"name": table.name},
                ).scalar_one()
                found = dict(option.split("=", 1) for option in options or [])
                assert found == {k: str(v) for k, v in wanted.items()}, table.name
    finally:
        db.dispose()
