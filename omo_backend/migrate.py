"""Schema migrations, run in-process on a connection we own (serve migrates on start).

Alembic (and the Mako and Pygments it pulls in) is imported only when there is something to
migrate: a database already at ``HEAD`` is recognised with one query, which keeps every start
after the first cheap (the demo's embedded backend starts with the app).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

_SCRIPTS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions; tests/unit/test_migrate_head.py checks that it
# is Alembic's head, so a new migration cannot be added without moving this on.
HEAD = "0016"
# The member search index lives outside the models (migration 0010): PostgreSQL's trigram
# index and SQLite's FTS5 table with the shadow tables FTS5 makes. Comparing the models with
# a database leaves them out (``include_object``).
SEARCH_OBJECTS = frozenset(
    {
        "ix_customer_search_text_trgm",
        "customer_search",
        "customer_search_data",
        "customer_search_idx",
        "customer_search_content",
        "customer_search_docsize",
        "customer_search_config",
        "ix_customer_search_grams",
        "customer_grams",
        "customer_grams_data",
        "customer_grams_idx",
        "customer_grams_content",
        "customer_grams_docsize",
        "customer_grams_config",
    }
)
# Alembic's bookkeeping table (its default name).
_VERSION_TABLE = "alembic_version"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several API processes may start at once against one database.
            conn.execute(text("SELECT pg_advisory_xact_lock(741852)"))
        if revision == "head" and _revisions(conn) == [HEAD]:
            return
        from alembic import command

        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the models (a developer tool)."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


def is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def revisions(engine: Engine) -> list[str]:
    """The revisions the database says it is at: ``[HEAD]`` when it is current, ``[]`` if new."""
    with engine.connect() as conn:
        return _revisions(conn)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: everything but the search index objects (``SEARCH_OBJECTS``)."""
    return not (reflected and name in SEARCH_OBJECTS)


def _revisions(conn: Connection) -> list[str]:
    """The revisions the database says it is at; none before its first migration."""
    # Asked first: on PostgreSQL, selecting from a missing table would abort the transaction.
    if not inspect(conn).has_table(_VERSION_TABLE):
        return []
    return list(conn.scalars(text("SELECT version_num FROM alembic_version")))
