"""Every visible string of the app has a finished Traditional Chinese translation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from omo_desktop import i18n


def messages(ts_file: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts_file).getroot()
    return {
        (context.findtext("name") or "", message.findtext("source") or ""): message
        for context in root.iter("context")
        for message in context.iter("message")
    }


def test_every_string_in_the_code_is_translated(tmp_path: Path):
    fresh = tmp_path / "fresh.ts"
    i18n.extract(fresh, "zh_TW")
    in_code = messages(fresh)
    assert in_code, "lupdate found no strings at all"
    committed = messages(i18n.ts_path("zh_TW"))

    missing = sorted(set(in_code) - set(committed))
    assert not missing, f"not in omo_zh_TW.ts (run python -m omo_desktop.i18n update): {missing}"
    unfinished = sorted(
        key
        for key in in_code
        if (t := committed[key].find("translation")) is None
        or t.get("type") in ("unfinished", "obsolete", "vanished")
        or not (t.text or "").strip()
    )
    assert not unfinished, f"untranslated in omo_zh_TW.ts: {unfinished}"


def test_the_built_translation_is_what_qt_shows(qapp: QApplication):
    [qm] = i18n.build()
    app = qapp
    translator = QTranslator()
    assert translator.load(str(qm))
    app.installTranslator(translator)
    try:
        assert QCoreApplication.translate("Numpad", "Delete") == "刪除"
    finally:
        app.removeTranslator(translator)
