"""LINE Login trips, password resets, and what LINE said about a member

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omo_backend.models.base import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("binding_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["binding_id"],
            ["binding_session.id"],
            name=op.f("fk_password_reset_binding_id_binding_session"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_password_reset_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "line_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("page_session_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["page_session_id"],
            ["page_session.id"],
            name=op.f("fk_line_login_page_session_id_page_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_login")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_line_login_state_hash")),
    )
    with op.batch_alter_table("binding_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_outcome", sa.String(length=16), nullable=True))

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_friend", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("line_linked_at", UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("page_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reset_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_page_session_reset_id_password_reset"),
            "password_reset",
            ["reset_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("page_session", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_page_session_reset_id_password_reset"), type_="foreignkey"
        )
        batch_op.drop_column("reset_id")

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("line_linked_at")
        batch_op.drop_column("line_friend")

    with op.batch_alter_table("binding_session", schema=None) as batch_op:
        batch_op.drop_column("line_outcome")

    op.drop_table("line_login")
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_customer_id"))

    op.drop_table("password_reset")
