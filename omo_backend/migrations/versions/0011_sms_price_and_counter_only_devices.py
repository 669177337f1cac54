"""The merchant's settings (the SMS price per segment) and counter-only devices (issue 12)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:20:00.000000

``merchant_setting`` holds the merchant-wide settings an operator sets with
``omo-backend settings set``, one row per name (the first is ``sms-segment-price``: the price
of one SMS segment in the currency's minor units, and its currency), so the SMS usage report
shows money. ``referral.bound_at`` is indexed for the registrations report, which counts
the bindings of a date range. ``device.counter_only`` keeps a device on the counter whoever
logs in on it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omo_backend.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_When = omo_backend.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merchant_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _When, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_merchant_setting")),
    )
    # Not a batch: SQLite would copy and drop ``device``, which sessions, messages and audit
    # rows reference. Both databases add (and drop) a plain column in place.
    op.add_column(
        "device",
        sa.Column("counter_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(op.f("ix_referral_bound_at"), "referral", ["bound_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_referral_bound_at"), table_name="referral")
    op.execute("ALTER TABLE device DROP COLUMN counter_only")
    op.drop_table("merchant_setting")
