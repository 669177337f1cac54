"""Migration 0012 fills ``member_count`` from the customers, its triggers log every change so
that the counts (folded or not) equal a count of the members (neither merged nor erased) by
level and referral store whatever writes a customer, and it goes back down, on both
databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, bindparam, column, insert, inspect, table, text
from sqlalchemy.orm import Session

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.directory import counts
from omo_backend.models import utcnow
from omo_backend.models.base import UTCDateTime
from tests.support.backend import DatabaseFactory

CUSTOMER = table(
    "customer",
    *(column(name) for name in ("id", "name", "is_member", "level")),
    *(column(name, UTCDateTime()) for name in ("created_at", "updated_at")),
)
RECOUNT = text(
    "SELECT coalesce(level, ''), coalesce(referral_store_id, 0), count(*) FROM customer"
    " WHERE is_member AND merged_into_id IS NULL AND erased_at IS NULL"
    " GROUP BY coalesce(level, ''), coalesce(referral_store_id, 0)"
)


def _kept(conn: Connection) -> dict[tuple[str, int], int]:
    with Session(conn) as session:
        return {(level or "", store or 0): n for (level, store), n in counts.kept(session).items()}


def _fold(conn: Connection) -> None:
    with Session(conn) as session:
        counts.fold(session)


def _logged(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM member_count_change")).scalar_one())


def _recount(conn: Connection) -> dict[tuple[str, int], int]:
    return {(level, store): n for level, store, n in conn.execute(RECOUNT)}


def _add(conn: Connection, id_: int, *, member: bool = True, level: str | None = None) -> None:
    now = utcnow()
    row = {"name": f"c{id_}", "is_member": member, "level": level}
    conn.execute(insert(CUSTOMER).values(id=id_, created_at=now, updated_at=now, **row))


def test_counts_are_filled_kept_by_every_write_and_dropped(db_factory: DatabaseFactory) -> None:
    db = Database(db_factory.empty_url())
    now = utcnow()
    when = bindparam("now", type_=UTCDateTime())
    try:
        migrate.upgrade(db.engine, "0011")
        with db.engine.begin() as conn:
            _add(conn, 1, level="gold")
            _add(conn, 2)
            _add(conn, 3, member=False)
            _add(conn, 4, level="gold")
            conn.execute(text("UPDATE customer SET referral_store_id = 7 WHERE id IN (1, 2)"))
            conn.execute(text("UPDATE customer SET merged_into_id = 1 WHERE id = 4"))
        migrate.upgrade(db.engine)
        with db.engine.begin() as conn:
            assert _kept(conn) == {("gold", 7): 1, ("", 7): 1}
            steps = [
                "INSERT",
                "UPDATE customer SET level = 'silver' WHERE id = 1",
                "UPDATE customer SET referral_store_id = 8 WHERE id = 2",
                "UPDATE customer SET is_member = TRUE WHERE id = 3",
                "UPDATE customer SET name = 'renamed', level = level WHERE id = 3",
                "UPDATE customer SET merged_into_id = 1 WHERE id = 2",
                "ERASE",
                "UPDATE customer SET merged_into_id = NULL WHERE id = 4",
                "DELETE FROM customer WHERE id = 5",
                "UPDATE customer SET is_member = FALSE WHERE id = 1",
            ]
            for number, step in enumerate(steps):
                if number % 3 == 2:
                    _fold(conn)  # folded or not, the counts are the same
                    assert _logged(conn) == 0
                logged = _logged(conn)
                if step == "INSERT":
                    _add(conn, 5, level="gold")
                    _add(conn, 6, member=False)
                elif step == "ERASE":
                    erase = text("UPDATE customer SET erased_at = :now WHERE id IN (2, 3)")
                    conn.execute(erase.bindparams(when), {"now": now})
                else:
                    conn.execute(text(step))
                assert _kept(conn) == _recount(conn), step
                if "renamed" in step:
                    assert _logged(conn) == logged, "an update that moves no count logs nothing"
            assert _kept(conn) == {("gold", 0): 1}
            _fold(conn)
            assert _kept(conn) == _recount(conn)

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011")
        tables = inspect(db.engine).get_table_names()
        assert "member_count" not in tables
        assert "member_count_change" not in tables
        with db.engine.begin() as conn:
            # Without the triggers, customers are written as before.
            _add(conn, 7, level="gold")
            conn.execute(text("UPDATE customer SET level = 'silver' WHERE id = 7"))
            conn.execute(text("DELETE FROM customer WHERE id = 6"))
        migrate.upgrade(db.engine)
        with db.engine.begin() as conn:
            assert _kept(conn) == _recount(conn) == {("gold", 0): 1, ("silver", 0): 1}
    finally:
        db.dispose()
