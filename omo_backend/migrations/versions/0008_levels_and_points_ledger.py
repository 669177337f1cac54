"""Membership levels, and what is left of each points grant (issue 12)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00.000000

``level``: the levels an admin sets (none until then). ``points_entry`` gains ``remaining``
(what is left of a grant to spend; None for a deduction) and ``device_id`` (who: the staff
member was there already). Existing ledgers are replayed to fill ``remaining``: each deduction
spends the grants made before it, unexpired at its time, earliest-expiring first (no expiry
last), and never more than there was.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

import omo_backend.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_FAR = datetime.max


def upgrade() -> None:
    op.create_table(
        "level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("name_zh_tw", sa.String(length=100), nullable=False),
        sa.Column("min_net_spend", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level")),
        sa.UniqueConstraint("code", name=op.f("uq_level_code")),
        sa.UniqueConstraint("rank", name=op.f("uq_level_rank")),
    )
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remaining", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_points_entry_device_id_device"), "device", ["device_id"], ["id"]
        )
    _fill_remaining()


def _fill_remaining() -> None:
    entry = sa.table(
        "points_entry",
        sa.column("id", sa.Integer()),
        sa.column("customer_id", sa.Integer()),
        sa.column("delta", sa.Integer()),
        sa.column("expires_at", omo_backend.models.base.UTCDateTime(timezone=True)),
        sa.column("created_at", omo_backend.models.base.UTCDateTime(timezone=True)),
        sa.column("remaining", sa.Integer()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(entry.c.id, entry.c.customer_id, entry.c.delta, entry.c.expires_at)
        .add_columns(entry.c.created_at)
        .order_by(entry.c.customer_id, entry.c.created_at, entry.c.id)
    ).all()
    remaining: dict[int, int] = {}
    # Per customer: the grants so far, as [expires_at or None, id].
    grants: dict[int, list[tuple[datetime | None, int]]] = {}
    for row in rows:
        if row.delta > 0:
            remaining[row.id] = row.delta
            grants.setdefault(row.customer_id, []).append((row.expires_at, row.id))
            continue
        owed = -row.delta
        live = [g for g in grants.get(row.customer_id, []) if g[0] is None or g[0] > row.created_at]
        for _, grant_id in sorted(live, key=lambda g: (g[0] is None, g[0] or _FAR, g[1])):
            take = min(owed, remaining[grant_id])
            remaining[grant_id] -= take
            owed -= take
            if not owed:
                break
    for grant_id, left in remaining.items():
        conn.execute(entry.update().where(entry.c.id == grant_id).values(remaining=left))


def downgrade() -> None:
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_points_entry_device_id_device"), type_="foreignkey")
        batch_op.drop_column("device_id")
        batch_op.drop_column("remaining")
    op.drop_table("level")
