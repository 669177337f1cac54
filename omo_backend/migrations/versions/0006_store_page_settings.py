"""Store settings for the customers' pages: online shop, LINE add-friend link, terms (issue 11)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:00:00.000000

Three nullable columns on ``store``: a store without them keeps working as before (the pages
say the page can be closed, offer no add-friend link and show the default terms text).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shop_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("line_add_friend_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("terms_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("store", schema=None) as batch_op:
        batch_op.drop_column("terms_text")
        batch_op.drop_column("line_add_friend_url")
        batch_op.drop_column("shop_url")
