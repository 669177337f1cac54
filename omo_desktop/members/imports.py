"""Importing members from a CSV file (an admin): the sample file saved, the chosen file read and
checked by a dry run (the counts and each change, or every mistake by line and column), then
written all at once. Plain Python and signals; the wizard draws.

The file's own rows are read here too, only to show them beside the mistakes: the backend alone
decides what the file means.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QObject, Signal

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.workers import BackendOp

_MISTAKES = TypeAdapter(list[schemas.ImportRowError])


@dataclass(frozen=True)
class ChosenFile:
    """A file as read from disk: its bytes (sent as they are) and its lines, if readable."""

    path: Path
    content: bytes
    # Each line's cells, the header first; empty when the file is not UTF-8 (the backend's
    # answer names the encoding) or too large to send.
    lines: list[list[str]]

    @property
    def name(self) -> str:
        return self.path.name


def read_file(path: Path) -> ChosenFile:
    """On a worker: the file's bytes and, when it is UTF-8, its lines as cells."""
    try:
        size = path.stat().st_size
        if size > schemas.IMPORT_MAX_BYTES:
            raise ApiError("file_too_large", f"{size} bytes")
        content = path.read_bytes()
    except OSError as exc:
        raise ApiError("file_not_read", type(exc).__name__) from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ChosenFile(path, content, [])
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        lines = []
    return ChosenFile(path, content, lines)


def mistakes(error: ApiError) -> list[schemas.ImportRowError]:
    """The file's mistakes a refusal lists (``import_rejected``); none for other errors."""
    try:
        return _MISTAKES.validate_python(error.details.get("errors", []))
    except ValidationError:
        return []


class ImportController(QObject):
    """``save_template(path)``; ``choose(path)`` reads the file and checks it (``checked`` or
    ``rejected``); ``confirm()`` writes it (``imported``)."""

    template_saved = Signal(object)  # Path
    file_read = Signal(object)  # ChosenFile
    checked = Signal(object)  # ImportResult: a clean dry run
    rejected = Signal(object)  # list[ImportRowError]: the file's mistakes, nothing written
    imported = Signal(object)  # ImportResult: written
    failed = Signal(object)  # ApiError
    busy_changed = Signal(bool)

    def __init__(self, client: OmoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.mode = schemas.ImportMode.CREATE
        self.first_login = False
        self.file: ChosenFile | None = None
        self.preview: schemas.ImportResult | None = None
        self.running = False

    def save_template(self, path: Path, language: str = "en") -> None:
        def write() -> Path:
            content = self.client.import_template(language)
            try:
                path.write_bytes(content)
            except OSError as exc:
                raise ApiError("file_not_written", type(exc).__name__) from exc
            return path

        BackendOp(parent=self, op=write, success=self.template_saved.emit).failure(
            self.failed.emit
        ).busy(self.busy_changed.emit).run()

    def choose(self, path: Path) -> None:
        """Read ``path`` and check it with a dry run."""
        self.file = None
        self.preview = None

        def arrived(chosen: ChosenFile) -> None:
            self.file = chosen
            self.file_read.emit(chosen)
            self.check()

        BackendOp(parent=self, op=lambda: read_file(path), success=arrived).failure(
            self.failed.emit
        ).busy(self.busy_changed.emit).run()

    def set_mode(self, mode: schemas.ImportMode) -> None:
        if mode != self.mode:
            self.mode = mode
            self.check()

    def set_first_login(self, send: bool) -> None:
        """Whether new members get their first-login message: the dry run says what it costs."""
        if send != self.first_login:
            self.first_login = send
            self.check()

    def check(self) -> None:
        """The dry run of the chosen file in the chosen mode: nothing is written."""
        chosen = self.file
        if chosen is None:
            return
        self.preview = None
        mode, first_login = self.mode, self.first_login

        def arrived(result: schemas.ImportResult) -> None:
            if (self.file, self.mode, self.first_login) == (chosen, mode, first_login):
                self.preview = result
                self.checked.emit(result)

        BackendOp(parent=self, op=self._send(chosen, dry_run=True), success=arrived).failure(
            self._refused
        ).busy(self.busy_changed.emit).run()

    def confirm(self) -> None:
        """Write what the dry run showed: all of it or, if anything changed meanwhile, none."""
        chosen = self.file
        if chosen is None or self.preview is None or self.running:
            return
        self.running = True

        def done(result: schemas.ImportResult) -> None:
            self.running = False
            self.preview = None
            self.imported.emit(result)

        def refused(error: ApiError) -> None:
            self.running = False
            self._refused(error)

        BackendOp(parent=self, op=self._send(chosen, dry_run=False), success=done).failure(
            refused
        ).run()

    def _send(self, chosen: ChosenFile, *, dry_run: bool) -> Callable[[], schemas.ImportResult]:
        """The call for the worker, with the mode and first-login choice as they are now."""
        mode, first_login = self.mode, self.first_login
        return lambda: self.client.import_members(
            chosen.content,
            file_name=chosen.name,
            mode=mode,
            dry_run=dry_run,
            first_login=first_login,
        )

    def _refused(self, error: ApiError) -> None:
        found = mistakes(error) if error.code == "import_rejected" else []
        if found:
            self.rejected.emit(found)
        else:
            self.failed.emit(error)
