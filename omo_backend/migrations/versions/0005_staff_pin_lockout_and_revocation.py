"""Progressive PIN lockout, manager unlock, device and staff revocation (issue 10, findings 6-8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:00:00.000000

A staff code's wrong PINs and locks move from ``staff`` to ``pin_guard``, which also holds
them for codes that do not exist (so a lock names no real code). Locks in force are carried
over. Devices already had ``revoked_at`` and staff ``active``: revocation needs no new column.
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
    guard = op.create_table(
        "pin_guard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("failed_pins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("day_failures", sa.Integer(), nullable=False),
        sa.Column("day_started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("day_locks", sa.Integer(), nullable=False),
        sa.Column("unlock_required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_pin_guard_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_guard")),
        sa.UniqueConstraint("store_id", "code", name="uq_pin_guard_store_code"),
    )
    staff = sa.table(
        "staff",
        sa.column("store_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("failed_pins", sa.Integer()),
        sa.column("locked_until", UTCDateTime(timezone=True)),
    )
    op.execute(
        guard.insert().from_select(
            [
                "store_id",
                "code",
                "failed_pins",
                "locked_until",
                "day_failures",
                "day_locks",
                "unlock_required",
            ],
            # The day's tally starts with the upgrade.
            sa.select(
                staff.c.store_id,
                staff.c.code,
                staff.c.failed_pins,
                staff.c.locked_until,
                sa.literal(0),
                sa.literal(0),
                sa.false(),
            ).where(sa.or_(staff.c.failed_pins > 0, staff.c.locked_until.is_not(None))),
        )
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_pins")


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_pins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True))
    op.drop_table("pin_guard")
