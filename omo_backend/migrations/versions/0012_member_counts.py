"""The overview's member counts, kept by triggers as an append-only log (issue 12)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:00:00.000000

``member_count`` holds how many members (neither merged nor erased) each pair of level and
referral store has, so ``GET /members/overview`` reads a few rows instead of counting every
member (two index-only counts of 180,000 members took 180 ms on PostgreSQL; a million would
take a second). Triggers on ``customer`` record every change to a pair whoever writes a
customer (the services, a merge, an erasure, a bulk load, the referral copy of migration
0010) by appending a row to ``member_count_change``; ``omo_backend.directory.counts.fold``
adds those into ``member_count`` and deletes them. Appending, not updating the count: a bulk
load in one transaction would otherwise update the same few count rows once per customer,
and PostgreSQL walks every version its transaction made of a row on each update (a 300,000
row COPY ran for minutes). On PostgreSQL an insert or delete statement appends one row per
pair over its transition table; an update appends per row, and only for a row that leaves
or enters a pair. No level is ``''`` and no referral store 0 (the key is not null, so one row
per pair). The counts are filled from the customers here.
"""

from __future__ import annotations

from string import Template

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = "is_member, level, referral_store_id, merged_into_id, erased_at"


def _counted(r: str) -> str:
    return f"({r}.is_member AND {r}.merged_into_id IS NULL AND {r}.erased_at IS NULL)"


def _stays(same: str) -> str:
    """The row was counted and still is, in the same pair: nothing to record."""
    return (
        f"({_counted('old')} AND {_counted('new')}"
        f" AND old.level {same} new.level AND old.referral_store_id {same} new.referral_store_id)"
    )


_APPEND = Template(
    "INSERT INTO member_count_change (level_key, store_key, members)"
    " VALUES (coalesce($r.level, ''), coalesce($r.referral_store_id, 0), $n);"
).substitute
_SQLITE_UP = (
    f"CREATE TRIGGER member_count_insert AFTER INSERT ON customer"
    f" WHEN {_counted('new')} BEGIN {_APPEND(r='new', n='1')} END",
    f"CREATE TRIGGER member_count_delete AFTER DELETE ON customer"
    f" WHEN {_counted('old')} BEGIN {_APPEND(r='old', n='-1')} END",
    f"CREATE TRIGGER member_count_leave AFTER UPDATE OF {_COLUMNS} ON customer"
    f" WHEN {_counted('old')} AND NOT {_stays('IS')} BEGIN {_APPEND(r='old', n='-1')} END",
    f"CREATE TRIGGER member_count_enter AFTER UPDATE OF {_COLUMNS} ON customer"
    f" WHEN {_counted('new')} AND NOT {_stays('IS')} BEGIN {_APPEND(r='new', n='1')} END",
)
_SQLITE_DOWN = tuple(
    f"DROP TRIGGER IF EXISTS member_count_{event}"
    for event in ("enter", "leave", "delete", "insert")
)

_PG_STATEMENT = Template(
    "INSERT INTO member_count_change (level_key, store_key, members)"
    " SELECT coalesce(level, ''), coalesce(referral_store_id, 0), $sign count(*) FROM $rows"
    " WHERE is_member AND merged_into_id IS NULL AND erased_at IS NULL GROUP BY 1, 2;"
).substitute


def _pg_function(name: str, body: str) -> str:
    head = f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
    return f"{head} BEGIN {body} RETURN NULL; END $$"


_PG_UPDATE = (
    f"IF {_counted('OLD')} THEN {_APPEND(r='OLD', n='-1')} END IF;"
    f" IF {_counted('NEW')} THEN {_APPEND(r='NEW', n='1')} END IF;"
)
_POSTGRESQL_UP = (
    _pg_function("member_count_insert", _PG_STATEMENT(sign="", rows="new_rows")),
    _pg_function("member_count_delete", _PG_STATEMENT(sign="-", rows="old_rows")),
    _pg_function("member_count_update", _PG_UPDATE),
    "CREATE TRIGGER member_count_insert AFTER INSERT ON customer"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_count_insert()",
    "CREATE TRIGGER member_count_delete AFTER DELETE ON customer"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_count_delete()",
    # The WHEN is checked in C before any function runs: an update that moves no count (a
    # new name, net spending) costs nothing more.
    f"CREATE TRIGGER member_count_update AFTER UPDATE OF {_COLUMNS} ON customer FOR EACH ROW"
    f" WHEN (({_counted('OLD')} OR {_counted('NEW')})"
    f" AND NOT {_stays('IS NOT DISTINCT FROM')})"
    " EXECUTE FUNCTION member_count_update()",
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
    op.create_table(
        "member_count_change",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("level_key", sa.String(length=32), nullable=False),
        sa.Column("store_key", sa.Integer(), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_count_change")),
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
    op.drop_table("member_count_change")
    op.drop_table("member_count")
