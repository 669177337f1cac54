"""member sign-in on the bind link

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("binding_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_in_failures", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("page_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_via", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_page_session_customer_id_customer"), "customer", ["customer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("page_session", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_page_session_customer_id_customer"), type_="foreignkey"
        )
        batch_op.drop_column("customer_id")
        batch_op.drop_column("link_via")

    with op.batch_alter_table("binding_session", schema=None) as batch_op:
        batch_op.drop_column("sign_in_failures")
