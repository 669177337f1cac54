"""Alembic environment: the URL comes from the caller (``omo_backend.migrate``), never a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from omo_backend.migrate import include_object
from omo_backend.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through omo_backend.migrate, which passes a connection")
_run(connection)
