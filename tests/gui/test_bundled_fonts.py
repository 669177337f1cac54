"""The bundle's own fonts (resources/fonts in the Linux bundle) load only when missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from omo_desktop.design import fonts

LATIN = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
pytestmark = pytest.mark.skipif(not LATIN.is_file(), reason="set-up installs fonts-noto-core")


def test_a_family_the_computer_has_is_not_loaded_again(qapp: QApplication, tmp_path: Path) -> None:
    shutil.copyfile(LATIN, tmp_path / "NotoSans-Regular.ttf")
    (tmp_path / "README.txt").write_text("not a font")
    assert "Noto Sans" in QFontDatabase.families()
    assert fonts.load_bundled(tmp_path) == []


def test_a_family_the_computer_lacks_is_loaded_from_the_bundle(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(LATIN, tmp_path / "NotoSans-Regular.ttf")
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *_: []))
    assert fonts.load_bundled(tmp_path) == ["Noto Sans"]


def test_outside_the_bundle_there_is_nothing_to_load(qapp: QApplication, tmp_path: Path) -> None:
    assert fonts.load_bundled(tmp_path / "absent") == []
