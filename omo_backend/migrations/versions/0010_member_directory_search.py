"""The member directory: a search line per customer, its trigram index, and list indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:30:00.000000

``customer.search_text`` is the lower-cased name, e-mail and phone digits (E.164 and national)
that the member list's ``q`` matches (omo_backend/directory/search_text.py); the models keep
it on every insert and update, and this migration fills it for the rows already there.

PostgreSQL indexes it with pg_trgm (GIN, ``gin_trgm_ops``), so ``LIKE '%q%'`` is an index
scan. A ``q`` of one or two characters is too short for trigrams: ``customer.search_grams``
holds the name's one- and two-character pieces as words, indexed as an array (GIN) on
PostgreSQL and by a second FTS5 table, ``customer_grams``, on SQLite. SQLite gets an
external-content FTS5 table with the trigram tokenizer, ``customer_search``, kept by
triggers on ``customer``. Neither is in the models (see
``migrate.SEARCH_OBJECTS``). ``customer.referral_store_id`` and ``referral_staff_id`` copy
the member's referral (kept by triggers on ``referral``), so the referral store and staff
filters are index range scans on ``customer`` too. The list's first pages are index range
scans: by kind, level, referral store or staff and member-since; past buyers by creation
time; the few merged and erased accounts apart (the overview subtracts them); a member's
audit trail by subject.
"""

from __future__ import annotations

from string import Template

import sqlalchemy as sa
from alembic import op

from omo_backend.directory.search_text import search_columns

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 5000


_FTS = (
    "CREATE VIRTUAL TABLE $t USING fts5($c, content='customer', content_rowid='id',"
    " tokenize='$tokenize')",
    "CREATE TRIGGER ${t}_insert AFTER INSERT ON customer BEGIN $add END",
    "CREATE TRIGGER ${t}_delete AFTER DELETE ON customer BEGIN $drop END",
    "CREATE TRIGGER ${t}_update AFTER UPDATE OF $c ON customer BEGIN $drop $add END",
    "INSERT INTO $t($t) VALUES ('rebuild')",
)
_FTS_ADD = "INSERT INTO $t(rowid, $c) VALUES (new.id, new.$c);"
_FTS_DROP = "INSERT INTO $t($t, rowid, $c) VALUES ('delete', old.id, old.$c);"


def _fts(table: str, column: str, tokenize: str) -> tuple[str, ...]:
    """An external-content FTS5 table over ``customer.column``, kept by triggers."""
    names = {"t": table, "c": column}
    add = Template(_FTS_ADD).substitute(names)
    drop = Template(_FTS_DROP).substitute(names)
    return tuple(
        Template(statement).substitute(names, tokenize=tokenize, add=add, drop=drop)
        for statement in _FTS
    )


def _fts_down(table: str) -> tuple[str, ...]:
    return (
        *(f"DROP TRIGGER IF EXISTS {table}_{event}" for event in ("update", "delete", "insert")),
        f"DROP TABLE IF EXISTS {table}",
    )


# Trigrams for ``q`` of three characters or more; words of one or two characters (the
# name's pieces, see search_text.name_grams) for shorter ones.
_SQLITE_UP = _fts("customer_search", "search_text", "trigram") + _fts(
    "customer_grams", "search_grams", "unicode61"
)
_SQLITE_DOWN = _fts_down("customer_grams") + _fts_down("customer_search")
# ``customer.referral_store_id`` and ``referral_staff_id`` copy the member's referral, so the
# list filters and sorts by referral store or staff on ``customer``'s own indexes. Triggers
# keep the copy whoever writes ``referral`` (the services, a merge, a bulk load).
_COPY = "UPDATE customer SET referral_store_id = {r}.store_id, referral_staff_id = {r}.staff_id"
_CLEAR = "UPDATE customer SET referral_store_id = NULL, referral_staff_id = NULL"
_SQLITE_REFERRAL_UP = (
    "CREATE TRIGGER referral_copy_insert AFTER INSERT ON referral BEGIN "
    + _COPY.format(r="new")
    + " WHERE id = new.customer_id; END",
    "CREATE TRIGGER referral_copy_update AFTER UPDATE ON referral BEGIN "
    + _CLEAR
    + " WHERE id = old.customer_id; "
    + _COPY.format(r="new")
    + " WHERE id = new.customer_id; END",
    "CREATE TRIGGER referral_copy_delete AFTER DELETE ON referral BEGIN "
    + _CLEAR
    + " WHERE id = old.customer_id; END",
)
_SQLITE_REFERRAL_DOWN = (
    "DROP TRIGGER IF EXISTS referral_copy_delete",
    "DROP TRIGGER IF EXISTS referral_copy_update",
    "DROP TRIGGER IF EXISTS referral_copy_insert",
)
_POSTGRESQL_REFERRAL_UP = (
    "CREATE FUNCTION referral_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP IN ('UPDATE', 'DELETE') THEN " + _CLEAR + " WHERE id = OLD.customer_id; END IF;"
    " IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    + _COPY.format(r="NEW")
    + " WHERE id = NEW.customer_id; END IF;"
    " RETURN NULL; END $$",
    "CREATE TRIGGER referral_copy AFTER INSERT OR UPDATE OR DELETE ON referral"
    " FOR EACH ROW EXECUTE FUNCTION referral_copy()",
)
_POSTGRESQL_REFERRAL_DOWN = (
    "DROP TRIGGER IF EXISTS referral_copy ON referral",
    "DROP FUNCTION IF EXISTS referral_copy()",
)
_LIST_INDEXES = {
    "ix_customer_member_list": ["is_member", "member_since", "id"],
    "ix_customer_level_list": ["is_member", "level", "member_since", "id"],
    "ix_customer_store_list": ["is_member", "referral_store_id", "member_since", "id"],
    "ix_customer_staff_list": ["referral_staff_id", "member_since", "id"],
    "ix_customer_buyer_list": ["is_member", "created_at", "id"],
    "ix_customer_orders_count": ["orders_count", "id"],
}


def _values(cid: int, columns: dict[str, str | None]) -> dict[str, object]:
    return {"cid": cid, "text": columns["search_text"], "grams": columns["search_grams"]}


def _backfill(bind: sa.Connection) -> None:
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("phone", sa.String),
        sa.column("search_text", sa.String),
        sa.column("search_grams", sa.String),
    )
    update = (
        sa.update(customer)
        .where(customer.c.id == sa.bindparam("cid"))
        .values(search_text=sa.bindparam("text"), search_grams=sa.bindparam("grams"))
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
            [_values(r.id, search_columns(r.name, r.email, r.phone)) for r in rows],
        )
        after = rows[-1].id


def upgrade() -> None:
    bind = op.get_bind()
    # Plain ALTER and CREATE INDEX: SQLite would copy and drop ``customer`` in a batch.
    op.add_column("customer", sa.Column("search_text", sa.String(length=500), nullable=True))
    op.add_column("customer", sa.Column("search_grams", sa.String(length=1000), nullable=True))
    op.add_column("customer", sa.Column("referral_store_id", sa.Integer(), nullable=True))
    op.add_column("customer", sa.Column("referral_staff_id", sa.Integer(), nullable=True))
    _backfill(bind)
    op.execute(
        "UPDATE customer SET"
        " referral_store_id = (SELECT r.store_id FROM referral r"
        " WHERE r.customer_id = customer.id),"
        " referral_staff_id = (SELECT r.staff_id FROM referral r"
        " WHERE r.customer_id = customer.id)"
        " WHERE id IN (SELECT customer_id FROM referral)"
    )
    for name, columns in _LIST_INDEXES.items():
        op.create_index(name, "customer", columns)
    for column in ("merged_into_id", "erased_at"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_customer_{column}",
            "customer",
            [column],
            sqlite_where=where,
            postgresql_where=where,
        )
    op.create_index("ix_audit_event_subject", "audit_event", ["subject_type", "subject_id", "id"])
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_customer_search_text_trgm ON customer"
            " USING gin (search_text gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX ix_customer_search_grams ON customer"
            " USING gin (string_to_array(search_grams, ' '))"
        )
        for statement in _POSTGRESQL_REFERRAL_UP:
            op.execute(statement)
    else:
        for statement in _SQLITE_UP + _SQLITE_REFERRAL_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # pg_trgm stays: other objects of the database may use it.
        op.execute("DROP INDEX IF EXISTS ix_customer_search_text_trgm")
        op.execute("DROP INDEX IF EXISTS ix_customer_search_grams")
        for statement in _POSTGRESQL_REFERRAL_DOWN:
            op.execute(statement)
    else:
        for statement in _SQLITE_REFERRAL_DOWN + _SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
    op.drop_index("ix_customer_erased_at", table_name="customer")
    op.drop_index("ix_customer_merged_into_id", table_name="customer")
    for name in reversed(_LIST_INDEXES):
        op.drop_index(name, table_name="customer")
    for column in ("referral_staff_id", "referral_store_id", "search_grams", "search_text"):
        op.execute(f"ALTER TABLE customer DROP COLUMN {column}")
