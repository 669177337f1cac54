"""The outbox claim reads only what is waiting (issue 10, findings 14-15)

The claim used ``ix_message_status_next_attempt`` over every message ever sent; a partial
index holding only queued and sending rows keeps the claim's cost to the backlog. On
PostgreSQL the table is vacuumed after a fixed number of dead rows, its indexes included, so
the old versions of sent rows do not pile up in that index either.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here (not imported from the model): a migration keeps meaning what it meant.
_WAITING = "status IN ('queued', 'sending')"
# PostgreSQL: vacuum after a fixed number of dead rows, indexes included, so the sent rows'
# old versions leave the waiting index however large the history (models/message.py).
_STORAGE = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "10000",
    "vacuum_index_cleanup": "on",
}


def upgrade() -> None:
    # Plain index operations: no table copy on SQLite, however many messages it holds.
    op.create_index(
        "ix_message_waiting",
        "message",
        ["id"],
        unique=False,
        sqlite_where=sa.text(_WAITING),
        postgresql_where=sa.text(_WAITING),
    )
    op.drop_index("ix_message_status_next_attempt", table_name="message")
    if op.get_context().dialect.name == "postgresql":
        options = ", ".join(f"{name} = {value}" for name, value in _STORAGE.items())
        op.execute(f"ALTER TABLE message SET ({options})")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE message RESET ({', '.join(_STORAGE)})")
    op.create_index(
        "ix_message_status_next_attempt", "message", ["status", "next_attempt_at"], unique=False
    )
    op.drop_index("ix_message_waiting", table_name="message")
