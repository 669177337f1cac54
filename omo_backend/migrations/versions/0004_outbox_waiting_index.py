"""The outbox claim reads only what is waiting (issue 10, findings 14-15)

The claim used ``ix_message_status_next_attempt`` over every message ever sent; a partial
index holding only queued and sending rows keeps the claim's cost to the backlog.

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


def downgrade() -> None:
    op.create_index(
        "ix_message_status_next_attempt", "message", ["status", "next_attempt_at"], unique=False
    )
    op.drop_index("ix_message_waiting", table_name="message")
