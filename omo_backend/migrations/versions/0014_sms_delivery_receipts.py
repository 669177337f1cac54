"""SMS delivery receipts: the message's delivery and the index receipts find it by (issue 14)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00.000000

Twilio's status callbacks name a message by its sid (``provider_message_id``), so that column
is indexed; ``delivery`` (``delivered`` / ``undelivered``) and ``delivery_at`` hold the final
receipt. Expand only: two nullable columns and an index that older builds do not read. The
index is built inside the migration's transaction (``omo_backend.migrate`` holds its advisory
lock for the whole upgrade, so ``CREATE INDEX CONCURRENTLY`` cannot run there): writes to
``message`` wait while it builds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omo_backend.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_When = omo_backend.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Not a batch: SQLite adds a plain column in place (a batch would copy the table).
    op.add_column("message", sa.Column("delivery", sa.String(length=16), nullable=True))
    op.add_column("message", sa.Column("delivery_at", _When, nullable=True))
    op.create_index(op.f("ix_message_provider_message_id"), "message", ["provider_message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_message_provider_message_id"), table_name="message")
    op.execute("ALTER TABLE message DROP COLUMN delivery_at")
    op.execute("ALTER TABLE message DROP COLUMN delivery")
