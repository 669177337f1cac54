"""The build's own tools (build_spec/): ICU's data package read, cut and linked again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_spec"))

import icu_data  # noqa: E402 (the build's folder, put on the path above)

ICU = next((ROOT / ".venv").glob("lib/python3*/site-packages/PySide6/Qt/lib/libicudata.so.*"), None)
linux_icu = pytest.mark.skipif(
    ICU is None or not icu_data.can_trim(), reason="Qt's ICU for Linux and gcc are needed"
)


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("icudt73l/coll/zh_Hant_TW.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/coll/root.res", True),
        ("icudt73l/coll/ko.res", False),
        ("icudt73l/en_GB.res", True),
        ("icudt73l/fr_CA.res", False),
        ("icudt73l/curr/pool.res", True),
        ("icudt73l/lang/res_index.res", True),
        ("icudt73l/supplementalData.res", True),
        ("icudt73l/likelySubtags.res", True),
        ("icudt73l/uprops.icu", True),
        ("icudt73l/ibm-1390_P110-2003.cnv", False),
        ("icudt73l/translit/root.res", False),
        ("icudt73l/brkitr/thaidict.dict", False),
        ("icudt73l/brkitr/cjdict.dict", True),
    ],
)
def test_the_cut_keeps_what_is_not_tied_to_a_language_and_our_languages(
    item: str, kept: bool
) -> None:
    assert icu_data.keep(item) is kept


@linux_icu
def test_a_package_read_and_written_again_is_the_same_bytes() -> None:
    assert ICU is not None
    _, offset, size = icu_data._symbol(ICU)
    with ICU.open("rb") as file:
        file.seek(offset)
        package = file.read(size)
    header, items = icu_data.read_package(package)
    assert len(items) > 1000
    assert icu_data.write_package(header, items) == package


@linux_icu
def test_the_cut_library_is_smaller_and_opens_collators(tmp_path: Path) -> None:
    assert ICU is not None
    cut = icu_data.trimmed(ICU, tmp_path)  # runs icu_data.check on it
    assert cut.stat().st_size < ICU.stat().st_size / 3
    # A package without the collation data fails the same check.
    empty = tmp_path / "empty"
    empty.mkdir()
    symbol, offset, size = icu_data._symbol(ICU)
    with ICU.open("rb") as file:
        file.seek(offset)
        header, items = icu_data.read_package(file.read(size))
    kept = [(n, d) for n, d in items if "/coll/" not in n]
    broken = empty / ICU.name
    icu_data._link(icu_data.write_package(header, kept), symbol, ICU.name, broken)
    with pytest.raises(icu_data.IcuDataError):
        icu_data.check(broken, ICU.parent)


def test_the_demo_backend_starts_without_what_the_bundle_leaves_out(tmp_path: Path) -> None:
    """The bundle leaves out PostgreSQL's driver and other packages (build_spec's excludes):
    the demo's backend must import and serve on SQLite without them. The bundle's own test
    builds it (slow, skipped without PyInstaller); this catches a new top-level import fast."""
    script = f"""
import sys
from pathlib import Path
for name in {_LEFT_OUT!r}:
    sys.modules[name] = None  # an import of it now fails, as in the bundle
from omo_desktop.demo.embedded import make_schema_template
make_schema_template(Path({str(tmp_path / "demo.db")!r}))
from fastapi.testclient import TestClient
from omo_backend.app import create_app
from omo_backend.db import Database
from omo_backend.settings import Settings
url = "sqlite:///" + {str(tmp_path / "demo.db")!r}
settings = Settings(data_dir={str(tmp_path)!r}, database_url=url, dev_mode=True)
with TestClient(create_app(settings, Database(url), run_dispatcher=True)) as client:
    assert client.get("/api/v1/ready").status_code == 200
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]


# The spec's excludes that the backend's code could reach (the rest are tools and Qt modules).
_LEFT_OUT = ("psycopg", "psycopg_binary", "psycopg_c", "uvloop", "watchfiles", "websockets")
