"""The outbox remembers when a message's unresolved sending began (issue 14)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 15:00:00.000000

``message.sending_since`` is the claim time of the first attempt whose outcome was never
recorded as final: set when a row is first claimed, cleared when it is ``sent`` or ``failed``.
A claim that finds it set (the previous holder died, lost the database or got no answer) asks
the provider for a copy created since then before sending again. Expand only: one nullable
column that older builds do not read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omo_backend.models.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_When = omo_backend.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Not a batch: SQLite adds a plain column in place (a batch would copy the table).
    op.add_column("message", sa.Column("sending_since", _When, nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE message DROP COLUMN sending_since")
