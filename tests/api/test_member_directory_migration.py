"""Migration 0010 fills every existing customer's search line and builds the search index
(pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite), and goes back down, on both
databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, bindparam, inspect, text

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import utcnow
from omo_backend.models.base import UTCDateTime
from tests.support.backend import DatabaseFactory

INSERT = text(
    "INSERT INTO customer (id, name, phone, email, is_member, created_at, updated_at)"
    " VALUES (:id, :name, :phone, :email, :t, :now, :now)"
).bindparams(bindparam("now", type_=UTCDateTime()))


REFERRAL = text(
    "INSERT INTO referral (customer_id, store_id, bound_at, via) VALUES (:cid, :store, :now, 'x')"
).bindparams(bindparam("now", type_=UTCDateTime()))


def _copies(conn: Connection) -> dict[int, int | None]:
    found = conn.execute(text("SELECT id, referral_store_id FROM customer"))
    return {int(cid): store for cid, store in found}


def _search_hits(conn: Connection, dialect: str, needle: str) -> list[int]:
    if dialect == "sqlite":
        query = "SELECT rowid FROM customer_search WHERE customer_search MATCH :q ORDER BY rowid"
        return list(conn.execute(text(query), {"q": f'"{needle}"'}).scalars())
    query = "SELECT id FROM customer WHERE search_text LIKE :q ORDER BY id"
    return list(conn.execute(text(query), {"q": f"%{needle}%"}).scalars())


def test_existing_customers_are_searchable_and_back(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    now = utcnow()
    try:
        migrate.upgrade(db.engine, "0009")
        with db.engine.begin() as conn:
            for id_, name, phone, email in (
                (1, "Mei Lin", "+886912345678", "Mei@Example.com"),
                (2, None, None, "x@y.tw"),
                (3, None, None, None),
            ):
                conn.execute(
                    INSERT,
                    {
                        "id": id_,
                        "name": name,
                        "phone": phone,
                        "email": email,
                        "t": True,
                        "now": now,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO store (id, code, name, locale, timezone, brand_color, created_at)"
                    " VALUES (1, 'TPE01', 'Taipei', 'zh_TW', 'Asia/Taipei', '#000000', :now),"
                    " (2, 'KHH01', 'Kaohsiung', 'zh_TW', 'Asia/Taipei', '#000000', :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {"now": now},
            )
            conn.execute(REFERRAL, {"cid": 1, "store": 1, "now": now})
        migrate.upgrade(db.engine)
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            grams = dict(conn.execute(text("SELECT id, search_grams FROM customer")).all())
            assert grams == {1: "e ei i in l li m me n", 2: None, 3: None}
            texts = dict(conn.execute(text("SELECT id, search_text FROM customer")).all())
            assert texts == {
                1: "mei lin | mei@example.com | 886912345678 | 0912345678",
                2: "x@y.tw",
                3: None,
            }
            assert _search_hits(conn, dialect, "0912345678") == [1]
            assert _search_hits(conn, dialect, "y.tw") == [2]
            # Rows written later are indexed too (SQLite: the triggers).
            conn.execute(
                INSERT,
                {"id": 4, "name": "Later", "phone": None, "email": None, "t": True, "now": now},
            )
            conn.execute(text("UPDATE customer SET search_text = 'later one' WHERE id = 4"))
            conn.execute(text("DELETE FROM customer WHERE id = 2"))
            assert _search_hits(conn, dialect, "later one") == [4]
            assert _search_hits(conn, dialect, "y.tw") == []
            # The referral's copy on customer: filled, then kept by the triggers.
            assert _copies(conn) == {1: 1, 3: None, 4: None}
            conn.execute(REFERRAL, {"cid": 4, "store": 2, "now": now})
            assert _copies(conn) == {1: 1, 3: None, 4: 2}
            conn.execute(text("UPDATE referral SET store_id = 2 WHERE customer_id = 1"))
            conn.execute(text("DELETE FROM referral WHERE customer_id = 4"))
            assert _copies(conn) == {1: 2, 3: None, 4: None}
        names = {i["name"] for i in inspect(db.engine).get_indexes("customer")}
        assert {"ix_customer_member_list", "ix_customer_level_list"} <= set(names)
        if dialect == "postgresql":
            assert "ix_customer_search_text_trgm" in names
        else:
            assert "customer_search" in inspect(db.engine).get_table_names()

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009")
        inspector = inspect(db.engine)
        columns = {c["name"] for c in inspector.get_columns("customer")}
        assert not {"search_text", "search_grams", "referral_store_id"} & columns
        assert not {"customer_search", "customer_grams"} & set(inspector.get_table_names())
        assert "ix_customer_member_list" not in {
            i["name"] for i in inspector.get_indexes("customer")
        }
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() == 3
            # Without the triggers, customers are written as before.
            conn.execute(text("UPDATE customer SET name = 'New' WHERE id = 1"))
            conn.execute(REFERRAL, {"cid": 3, "store": 1, "now": now})
        migrate.upgrade(db.engine)
    finally:
        db.dispose()
