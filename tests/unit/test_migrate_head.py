"""``migrate.HEAD`` lets a migrated database skip Alembic: it must name Alembic's real head."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from omo_backend import migrate


def test_the_head_constant_is_the_newest_migration():
    scripts = ScriptDirectory.from_config(migrate._config())
    assert scripts.get_heads() == [migrate.HEAD], (
        "a migration was added: set omo_backend.migrate.HEAD to its revision"
    )


def test_a_database_at_head_starts_without_importing_alembic(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    fresh = _upgrade_in_a_new_process(url)
    assert fresh == {"alembic imported": True, "tables": True}, "the first start migrates"
    again = _upgrade_in_a_new_process(url)
    assert again == {"alembic imported": False, "tables": True}


def _upgrade_in_a_new_process(url: str) -> dict[str, bool]:
    script = (
        "import json, sys\n"
        "from sqlalchemy import create_engine, inspect\n"
        "from omo_backend import migrate\n"
        f"engine = create_engine({url!r})\n"
        "migrate.upgrade(engine)\n"
        "print(json.dumps({'alembic imported': 'alembic' in sys.modules,\n"
        "                  'tables': inspect(engine).has_table('customer')}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, bool] = json.loads(done.stdout)
    return result
