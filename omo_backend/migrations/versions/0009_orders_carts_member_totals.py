"""Orders with status and refunds, carts, and each customer's running totals (issue 12)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:10:00.000000

``orders`` gains what a POS sends and changes later: ``status`` (paid, unpaid, refunded,
cancelled), ``refunded_amount`` (the running total), ``currency``, the order's own contact
``email`` (never the account's), ``placed_at``, ``resend_count`` (order e-mails sent again) and
the ``api_key_id`` that sent it. ``cart`` holds a storefront's carts by their external ref.

``customer`` keeps what the member list filters and sorts a million rows on, so no list page
sums orders: ``net_spend`` (paid orders − refunds), ``orders_count``, ``open_cart_at`` (when
their newest open cart was last updated; None without one) and ``erased_at`` (erasure on
request). Existing orders were all paid and never refunded, so the totals are their sums.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omo_backend.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_When = omo_backend.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="paid")
        )
        batch_op.add_column(
            sa.Column("refunded_amount", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="TWD")
        )
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("placed_at", _When, nullable=True))
        batch_op.add_column(
            sa.Column("resend_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("updated_at", _When, nullable=True))
        batch_op.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_api_key_id_api_key"), "api_key", ["api_key_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_orders_external_ref"), ["external_ref"])

    op.create_table(
        "cart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("items_count", sa.Integer(), nullable=False),
        sa.Column("checked_out", sa.Boolean(), nullable=False),
        sa.Column("created_at", _When, nullable=False),
        sa.Column("updated_at", _When, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_cart_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_cart_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_cart_external_ref")),
    )
    op.create_index(op.f("ix_cart_customer_id"), "cart", ["customer_id"])

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("net_spend", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("orders_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("open_cart_at", _When, nullable=True))
        batch_op.add_column(sa.Column("erased_at", _When, nullable=True))
        batch_op.create_index(batch_op.f("ix_customer_net_spend"), ["net_spend"])
        batch_op.create_index(batch_op.f("ix_customer_open_cart_at"), ["open_cart_at"])
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_staff_id"), ["staff_id"])

    totals = sa.text(
        "UPDATE customer SET"
        " net_spend = (SELECT COALESCE(SUM(o.amount), 0) FROM orders o"
        "              WHERE o.customer_id = customer.id),"
        " orders_count = (SELECT COUNT(*) FROM orders o WHERE o.customer_id = customer.id)"
        " WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customer.id)"
    )
    op.get_bind().execute(totals)


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_staff_id"))
    # Not a batch: SQLite would copy and drop ``customer``, which a dozen tables reference.
    # Both databases drop a plain column in place (SQLite since 3.35).
    op.drop_index(op.f("ix_customer_open_cart_at"), table_name="customer")
    op.drop_index(op.f("ix_customer_net_spend"), table_name="customer")
    for column in ("erased_at", "open_cart_at", "orders_count", "net_spend"):
        op.execute(f"ALTER TABLE customer DROP COLUMN {column}")
    op.drop_index(op.f("ix_cart_customer_id"), table_name="cart")
    op.drop_table("cart")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_external_ref"))
        batch_op.drop_constraint(batch_op.f("fk_orders_api_key_id_api_key"), type_="foreignkey")
        for column in (
            "api_key_id",
            "updated_at",
            "resend_count",
            "placed_at",
            "email",
            "currency",
            "refunded_amount",
            "status",
        ):
            batch_op.drop_column(column)
