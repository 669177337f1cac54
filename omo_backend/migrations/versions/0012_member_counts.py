"""The overview's member counts, kept by triggers (issue 12)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:50:00.000000

``member_count`` holds how many members (neither merged nor erased) each pair of level and
referral store has, so ``GET /members/overview`` reads a few rows instead of counting every
member (an index-only count of 600,000 members took 350 ms on PostgreSQL). Triggers on
``customer`` keep it whoever writes a customer (the services, a merge, an erasure, a bulk
load, the referral copy of migration 0010): a row leaving the counted set is taken off its
pair, a row entering it added to its pair: on SQLite per row, on PostgreSQL per statement
(over its transition tables, so a bulk load or COPY adds each pair once). No level is ``''``
and no referral store 0 (the key is not null, so one row per pair). The counts are filled
from the customers here.
"""

from __future__ import annotations

from string import Template

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COUNTED = "{r}.is_member AND {r}.merged_into_id IS NULL AND {r}.erased_at IS NULL"
_ADD = Template(
    "INSERT INTO member_count (level_key, store_key, members)"
    " VALUES (coalesce($r.level, ''), coalesce($r.referral_store_id, 0), 1)"
    " ON CONFLICT (level_key, store_key) DO UPDATE SET members = member_count.members + 1;"
).substitute
_TAKE = Template(
    "UPDATE member_count SET members = members - 1"
    " WHERE level_key = coalesce($r.level, '') AND store_key = coalesce($r.referral_store_id, 0);"
).substitute
_COLUMNS = "is_member, level, referral_store_id, merged_into_id, erased_at"
_SQLITE_UP = (
    f"CREATE TRIGGER member_count_insert AFTER INSERT ON customer"
    f" WHEN {_COUNTED.format(r='new')} BEGIN {_ADD(r='new')} END",
    f"CREATE TRIGGER member_count_delete AFTER DELETE ON customer"
    f" WHEN {_COUNTED.format(r='old')} BEGIN {_TAKE(r='old')} END",
    f"CREATE TRIGGER member_count_update_old AFTER UPDATE OF {_COLUMNS} ON customer"
    f" WHEN {_COUNTED.format(r='old')} BEGIN {_TAKE(r='old')} END",
    f"CREATE TRIGGER member_count_update_new AFTER UPDATE OF {_COLUMNS} ON customer"
    f" WHEN {_COUNTED.format(r='new')} BEGIN {_ADD(r='new')} END",
)
_SQLITE_DOWN = tuple(
    f"DROP TRIGGER IF EXISTS member_count_{event}"
    for event in ("update_new", "update_old", "delete", "insert")
)
# PostgreSQL: per statement, over its transition tables. A row trigger would update a count
# row once per customer, and in one transaction (a bulk load, COPY) each update walks all the
# versions the transaction made of that row before it: quadratic.
_PG_COUNTED = "is_member AND merged_into_id IS NULL AND erased_at IS NULL"
_PG_CHANGED = (
    " WHERE id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE"
    " (o.is_member, o.level, o.referral_store_id, o.merged_into_id, o.erased_at)"
    " IS DISTINCT FROM"
    " (n.is_member, n.level, n.referral_store_id, n.merged_into_id, n.erased_at))"
)
_PG_TAKE = Template(
    "UPDATE member_count m SET members = m.members - d.n FROM"
    " (SELECT coalesce(level, '') AS l, coalesce(referral_store_id, 0) AS s, count(*) AS n"
    " FROM old_rows WHERE $counted $changed GROUP BY 1, 2) d"
    " WHERE m.level_key = d.l AND m.store_key = d.s;"
).substitute
_PG_ADD = Template(
    "INSERT INTO member_count (level_key, store_key, members)"
    " SELECT coalesce(level, ''), coalesce(referral_store_id, 0), count(*)"
    " FROM new_rows WHERE $counted $changed GROUP BY 1, 2"
    " ON CONFLICT (level_key, store_key)"
    " DO UPDATE SET members = member_count.members + excluded.members;"
).substitute


def _pg_function(name: str, body: str) -> str:
    head = f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
    return f"{head} BEGIN {body} RETURN NULL; END $$"


_POSTGRESQL_UP = (
    _pg_function("member_count_insert", _PG_ADD(counted=_PG_COUNTED, changed="")),
    _pg_function("member_count_delete", _PG_TAKE(counted=_PG_COUNTED, changed="")),
    _pg_function(
        "member_count_update",
        _PG_TAKE(counted=_PG_COUNTED, changed=_PG_CHANGED.replace(" WHERE", " AND", 1))
        + _PG_ADD(counted=_PG_COUNTED, changed=_PG_CHANGED.replace(" WHERE", " AND", 1)),
    ),
    "CREATE TRIGGER member_count_insert AFTER INSERT ON customer"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_count_insert()",
    "CREATE TRIGGER member_count_delete AFTER DELETE ON customer"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_count_delete()",
    "CREATE TRIGGER member_count_update AFTER UPDATE ON customer"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION member_count_update()",
)
_POSTGRESQL_DOWN = (
    *(
        f"DROP TRIGGER IF EXISTS member_count_{e} ON customer"
        for e in ("update", "delete", "insert")
    ),
    *(f"DROP FUNCTION IF EXISTS member_count_{e}()" for e in ("update", "delete", "insert")),
)
_FILL = (
    "INSERT INTO member_count (level_key, store_key, members)"
    " SELECT coalesce(level, ''), coalesce(referral_store_id, 0), count(*) FROM customer"
    " WHERE is_member AND merged_into_id IS NULL AND erased_at IS NULL"
    " GROUP BY coalesce(level, ''), coalesce(referral_store_id, 0)"
)


def upgrade() -> None:
    op.create_table(
        "member_count",
        sa.Column("level_key", sa.String(length=32), nullable=False),
        sa.Column("store_key", sa.Integer(), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("level_key", "store_key", name=op.f("pk_member_count")),
    )
    # The triggers before the counts, in the migration's one transaction: no customer
    # written meanwhile is missed (PostgreSQL: its writes wait for the table's lock).
    statements: tuple[str, ...]
    if op.get_bind().dialect.name == "postgresql":
        op.execute("LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
        statements = _POSTGRESQL_UP
    else:
        statements = _SQLITE_UP
    for statement in statements:
        op.execute(statement)
    op.execute(_FILL)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRESQL_DOWN if postgresql else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("member_count")
