"""Webhook endpoints and their deliveries (issue 14)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 14:00:00.000000

Two new tables: ``webhook_endpoint`` (an admin's receiver: address, events, signing secret,
enabled) and ``webhook_delivery`` (an outbox: one row per endpoint per event, written in the
transaction of the change, sent by the dispatcher process with retries). Nothing existing
changes: expand only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omo_backend.models.base import UTCDateTime
from omo_backend.models.webhook import WEBHOOK_WAITING

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("events", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_webhook_delivery_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index("ix_webhook_delivery_endpoint_id_id", "webhook_delivery", ["endpoint_id", "id"])
    op.create_index(
        "ix_webhook_delivery_waiting",
        "webhook_delivery",
        ["id"],
        sqlite_where=WEBHOOK_WAITING,
        postgresql_where=WEBHOOK_WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_waiting", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_endpoint_id_id", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_endpoint")
