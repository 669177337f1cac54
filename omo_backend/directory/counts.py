"""The members counted by level and referral store, as the overview shows them.

Triggers on ``customer`` (migration 0012) append each change of a pair's count to
``member_count_change``; ``fold`` adds them into ``member_count`` and deletes them, so the
log stays short and the counts read a few rows. ``kept`` adds whatever is not folded yet, so
a count is right at any moment, folded or not.
"""

from __future__ import annotations

from sqlalchemy import func, select, text, union_all
from sqlalchemy.orm import Session

from omo_backend.models import MemberCount, MemberCountChange

# PostgreSQL: the rows a fold moves are deleted and returned in one statement, so two folds
# at once never add the same change twice (the second skips rows the first deleted); the
# pairs are written in key order, so they never wait on each other in a cycle.
_FOLD_POSTGRESQL = text(
    "WITH moved AS (DELETE FROM member_count_change RETURNING level_key, store_key, members)"
    " INSERT INTO member_count (level_key, store_key, members)"
    " SELECT level_key, store_key, sum(members) FROM moved"
    " GROUP BY level_key, store_key ORDER BY level_key, store_key"
    " ON CONFLICT (level_key, store_key)"
    " DO UPDATE SET members = member_count.members + excluded.members"
)
# SQLite: a write transaction holds the database's one write lock, so nothing is appended
# between the two statements.
_FOLD_SQLITE = (
    text(
        "INSERT INTO member_count (level_key, store_key, members)"
        " SELECT level_key, store_key, sum(members) FROM member_count_change WHERE true"
        " GROUP BY level_key, store_key"
        " ON CONFLICT (level_key, store_key)"
        " DO UPDATE SET members = member_count.members + excluded.members"
    ),
    text("DELETE FROM member_count_change"),
)


def pending(session: Session) -> bool:
    """Whether any change waits to be folded."""
    return session.scalar(select(MemberCountChange.id).limit(1)) is not None


def fold(session: Session) -> None:
    """Add the logged changes into the counts; call in a write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_FOLD_POSTGRESQL)
    else:
        for statement in _FOLD_SQLITE:
            session.execute(statement)


def kept(session: Session) -> dict[tuple[str | None, int | None], int]:
    """Members by (level, referral store id), ``None`` for none; pairs with no members left
    out."""
    pairs = union_all(
        select(MemberCount.level_key, MemberCount.store_key, MemberCount.members),
        select(MemberCountChange.level_key, MemberCountChange.store_key, MemberCountChange.members),
    ).subquery()
    found = session.execute(
        select(pairs.c.level_key, pairs.c.store_key, func.sum(pairs.c.members)).group_by(
            pairs.c.level_key, pairs.c.store_key
        )
    )
    return {(level or None, store or None): int(n) for level, store, n in found if n}
