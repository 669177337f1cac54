"""The member directory: a search line per customer, its trigram index, and list indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:30:00.000000

``customer.search_text`` is the lower-cased name, e-mail and phone digits (E.164 and national)
that the member list's ``q`` matches (omo_backend/directory/search_text.py); the models keep
it on every insert and update, and this migration fills it for the rows already there.

PostgreSQL indexes it with pg_trgm (GIN, ``gin_trgm_ops``), so ``LIKE '%q%'`` is an index
scan. SQLite gets an external-content FTS5 table with the trigram tokenizer,
``customer_search``, kept by triggers on ``customer``. Neither is in the models (see
``migrate.SEARCH_OBJECTS``). The list's first pages are index range scans: by kind and
member-since, by level and member-since, past buyers by creation time; the few merged and
erased accounts apart (the overview subtracts them); a member's audit trail by subject.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omo_backend.directory.search_text import search_text_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 5000

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE customer_search USING fts5("
    "search_text, content='customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customer_search_insert AFTER INSERT ON customer BEGIN"
    " INSERT INTO customer_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customer_search_delete AFTER DELETE ON customer BEGIN"
    " INSERT INTO customer_search(customer_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customer_search_update AFTER UPDATE OF search_text ON customer BEGIN"
    " INSERT INTO customer_search(customer_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO customer_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO customer_search(customer_search) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS customer_search_update",
    "DROP TRIGGER IF EXISTS customer_search_delete",
    "DROP TRIGGER IF EXISTS customer_search_insert",
    "DROP TABLE IF EXISTS customer_search",
)


def _backfill(bind: sa.Connection) -> None:
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("phone", sa.String),
        sa.column("search_text", sa.String),
    )
    update = (
        sa.update(customer)
        .where(customer.c.id == sa.bindparam("cid"))
        .values(search_text=sa.bindparam("text"))
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(customer.c.id, customer.c.name, customer.c.email, customer.c.phone)
            .where(customer.c.id > after)
            .order_by(customer.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [{"cid": r.id, "text": search_text_of(r.name, r.email, r.phone)} for r in rows],
        )
        after = rows[-1].id


def upgrade() -> None:
    bind = op.get_bind()
    # Plain ALTER and CREATE INDEX: SQLite would copy and drop ``customer`` in a batch.
    op.add_column("customer", sa.Column("search_text", sa.String(length=500), nullable=True))
    _backfill(bind)
    op.create_index("ix_customer_member_list", "customer", ["is_member", "member_since", "id"])
    op.create_index(
        "ix_customer_level_list", "customer", ["is_member", "level", "member_since", "id"]
    )
    for column in ("merged_into_id", "erased_at"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_customer_{column}",
            "customer",
            [column],
            sqlite_where=where,
            postgresql_where=where,
        )
    op.create_index("ix_customer_buyer_list", "customer", ["is_member", "created_at", "id"])
    op.create_index("ix_customer_orders_count", "customer", ["orders_count", "id"])
    op.create_index("ix_audit_event_subject", "audit_event", ["subject_type", "subject_id", "id"])
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_customer_search_text_trgm ON customer"
            " USING gin (search_text gin_trgm_ops)"
        )
    else:
        for statement in _SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # pg_trgm stays: other objects of the database may use it.
        op.execute("DROP INDEX IF EXISTS ix_customer_search_text_trgm")
    else:
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
    op.drop_index("ix_customer_orders_count", table_name="customer")
    op.drop_index("ix_customer_buyer_list", table_name="customer")
    op.drop_index("ix_customer_erased_at", table_name="customer")
    op.drop_index("ix_customer_merged_into_id", table_name="customer")
    op.drop_index("ix_customer_level_list", table_name="customer")
    op.drop_index("ix_customer_member_list", table_name="customer")
    op.execute("ALTER TABLE customer DROP COLUMN search_text")
