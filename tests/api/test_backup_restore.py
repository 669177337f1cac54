"""deploy/backup.sh and deploy/restore.sh on a real PostgreSQL: back up, change, restore."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import Store
from omo_backend.stores import service as stores
from tests.support.backend import DatabaseFactory

pytestmark = pytest.mark.slow
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def run(script: str, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMO_DATABASE_URL": url}
    return subprocess.run(
        [str(DEPLOY / script), *args], env=env, capture_output=True, text=True, timeout=120
    )


def store_names(db: Database) -> dict[str, str]:
    with db.transaction(write=False) as session:
        return {store.code: store.name for store in session.scalars(select(Store))}


def test_a_restore_brings_back_the_data_as_backed_up(
    postgresql_factory: DatabaseFactory, tmp_path: Path
):
    url = postgresql_factory.new_url()
    db = Database(url, pool_size=2)
    try:
        with db.transaction() as session:
            stores.create(session=session, code="TPE01", name="台北總店")
            stores.create(session=session, code="KHH01", name="高雄店")
        backed_up = store_names(db)
        dump = tmp_path / "omo.dump"

        done = run("backup.sh", url, str(dump))
        assert done.returncode == 0, done.stderr
        assert dump.stat().st_size > 0
        assert not (tmp_path / "omo.dump.partial").exists()

        # After the backup: one store renamed, one removed, one added.
        with db.transaction() as session:
            session.scalars(select(Store).where(Store.code == "TPE01")).one().name = "改名"
            session.delete(session.scalars(select(Store).where(Store.code == "KHH01")).one())
            stores.create(session=session, code="TXG01", name="台中店")
        assert store_names(db) != backed_up
        db.dispose()  # the services are stopped before a restore

        done = run("restore.sh", url, str(dump))
        assert done.returncode == 0, done.stderr
        assert store_names(db) == backed_up
        assert migrate.revisions(db.engine) == [migrate.HEAD]
        with db.engine.connect() as conn:
            # The search index (a PostgreSQL extension's operator class) came back too.
            assert (
                conn.scalar(
                    text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"),
                    {"name": "ix_customer_search_text_trgm"},
                )
                == 1
            )
    finally:
        db.dispose()


def test_the_scripts_refuse_what_they_cannot_do(tmp_path: Path):
    missing = run("restore.sh", "postgresql+psycopg://omo@127.0.0.1:1/omo", str(tmp_path / "no"))
    assert missing.returncode == 2
    assert "no backup file" in missing.stderr
    sqlite = run("backup.sh", "sqlite:///omo.db", str(tmp_path / "x.dump"))
    assert sqlite.returncode == 2
    assert "not a PostgreSQL URL" in sqlite.stderr
    assert not (tmp_path / "x.dump").exists()
    # A failed dump (nothing listening) leaves no file that could pass for a backup.
    failed = run("backup.sh", "postgresql+psycopg://omo@127.0.0.1:1/omo", str(tmp_path / "y"))
    assert failed.returncode != 0
    assert list(tmp_path.iterdir()) == []
