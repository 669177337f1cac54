"""The outbox claim reads only what is waiting (issue 10, findings 14-15)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:00:00.000000
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
