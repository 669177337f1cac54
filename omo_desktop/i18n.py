"""Qt translations: ``resources/i18n/*.ts`` are the sources, the build makes ``.qm`` beside them.

``python -m omo_desktop.i18n`` rebuilds the ``.qm`` files (set-up runs it); ``install`` loads one
into the running app. English is the source language, so it needs no file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTranslator
from PySide6.QtWidgets import QLabel

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
LOCALES = ("en", "zh_TW")
SOURCE_LOCALE = "en"

Words = Callable[[], str]
"""A visible text, worked out in the current language each time it is called.

What a screen is told to show (an error, a hint) comes as words rather than a string, so the
screen can work it out again after a language switch.
"""


def ts_path(locale: str) -> Path:
    return I18N_DIR / f"omo_{locale}.ts"


def qm_path(locale: str) -> Path:
    return I18N_DIR / f"omo_{locale}.qm"


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    return found


def sources() -> list[Path]:
    return sorted(Path(__file__).resolve().parent.rglob("*.py"))


def extract(ts_file: Path, locale: str) -> None:
    """Bring ``ts_file`` up to date with the strings in the code (a translator then fills it)."""
    subprocess.run(  # noqa: S603 (Qt's own tool on our own files)
        [
            _tool("pyside6-lupdate"),
            *map(str, sources()),
            "-ts",
            str(ts_file),
            "-source-language",
            SOURCE_LOCALE,
            "-target-language",
            locale,
            "-locations",
            "none",
        ],
        check=True,
        capture_output=True,
    )


def build() -> list[Path]:
    built = []
    for locale in LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        subprocess.run(  # noqa: S603 (Qt's own tool on our own files)
            [_tool("pyside6-lrelease"), str(ts_path(locale)), "-qm", str(qm_path(locale))],
            check=True,
            capture_output=True,
        )
        built.append(qm_path(locale))
    return built


def install(app: QCoreApplication, locale: str) -> QTranslator | None:
    """Load ``locale`` into ``app``; the returned translator must be kept alive."""
    if locale == SOURCE_LOCALE:
        return None
    if not qm_path(locale).exists():
        build()
    translator = QTranslator(app)
    if not translator.load(str(qm_path(locale))):
        raise RuntimeError(f"translation {qm_path(locale)} could not be loaded")
    app.installTranslator(translator)
    return translator


class _Retranslator(QObject):
    """Draws a label's words again on each LanguageChange, while the label still shows them."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.setObjectName("retranslator")
        self._label = label
        self.words: Words | None = None
        self.drawn = ""
        label.installEventFilter(self)

    def draw(self) -> None:
        if self.words is not None:
            self.drawn = self.words()
            self._label.setText(self.drawn)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange and self.words is not None:
            if self._label.text() == self.drawn:
                self.draw()
            else:
                self.words = None  # cleared or replaced since: not ours to draw any more
        return False


def keep_translated(label: QLabel, words: Words) -> None:
    """Show ``words`` on ``label`` now, and again in each new language until it shows
    something else (``clear()``, another ``setText``)."""
    retranslator = label.findChild(_Retranslator, "retranslator")
    if retranslator is None:
        retranslator = _Retranslator(label)
    retranslator.words = words
    retranslator.draw()


class LanguageSwitcher:
    """Swaps the app's translation; every widget then gets a LanguageChange and redraws."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._current: QTranslator | None = None
        self.locale = SOURCE_LOCALE

    def switch(self, locale: str) -> None:
        if self._current is not None:
            self._app.removeTranslator(self._current)
            self._current = None
        self._current = install(self._app, locale)
        self.locale = locale


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        for locale in LOCALES:
            if locale != SOURCE_LOCALE:
                extract(ts_path(locale), locale)
                print(f"updated {ts_path(locale)}: translate the unfinished entries")
    for path in build():
        print(f"built {path}")
