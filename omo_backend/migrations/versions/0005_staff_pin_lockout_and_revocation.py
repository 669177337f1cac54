"""Progressive PIN lockout, manager unlock, device and staff revocation (issue 10, findings 6-8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:00:00.000000

Devices already had ``revoked_at`` and staff ``active``: revocation needs no new column, only
the lockout's day tally does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omo_backend.models.base import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("day_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("day_started_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("day_locks", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("unlock_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("unlock_required")
        batch_op.drop_column("day_locks")
        batch_op.drop_column("day_started_at")
        batch_op.drop_column("day_failures")
