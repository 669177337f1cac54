"""Exporting the member list to a CSV file: streamed to disk on a worker, with progress and
Cancel. The file is written beside its name as ``.part`` and renamed when complete, so a
cancelled or failed export leaves nothing behind that looks like a finished one."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from backend_client.client import MemberQuery, OmoClient
from backend_client.errors import ApiError
from omo_desktop.workers import BackendOp


class ExportCancelled(ApiError):
    def __init__(self) -> None:
        super().__init__("export_cancelled", "The export was cancelled.")


class MemberExport(QObject):
    """``start`` once; ``progress(rows)`` as lines arrive; then ``done``, ``failed`` or
    ``cancelled``."""

    progress = Signal(int)
    done = Signal(object)  # Path
    failed = Signal(object)  # ApiError
    cancelled = Signal()

    def __init__(self, client: OmoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._stop = threading.Event()
        self.running = False

    def start(self, query: MemberQuery, path: Path) -> None:
        self._stop.clear()
        self.running = True
        BackendOp(parent=self, op=lambda: self._write(query, path), success=self._finished).failure(
            self._not_finished
        ).run()

    def cancel(self) -> None:
        """Stop at the next piece that arrives: the connection is closed, the file removed."""
        self._stop.set()

    def _write(self, query: MemberQuery, path: Path) -> Path:
        """On the worker: the stream into ``path.part``, then renamed to ``path``."""
        part = path.with_name(path.name + ".part")
        lines = 0
        try:
            with self.client.export_members(query) as chunks, part.open("wb") as out:
                for chunk in chunks:
                    if self._stop.is_set():
                        raise ExportCancelled
                    out.write(chunk)
                    lines += chunk.count(b"\n")
                    # The header is a line too: rows are the lines after it.
                    self.progress.emit(max(0, lines - 1))
            if self._stop.is_set():
                raise ExportCancelled
            part.replace(path)
        except ApiError:
            part.unlink(missing_ok=True)
            raise
        except OSError as exc:  # the disk: full, not writable, gone
            part.unlink(missing_ok=True)
            raise ApiError("file_not_written", type(exc).__name__) from exc
        return path

    def _finished(self, path: Path) -> None:
        self.running = False
        self.done.emit(path)

    def _not_finished(self, error: ApiError) -> None:
        self.running = False
        if isinstance(error, ExportCancelled):
            self.cancelled.emit()
        else:
            self.failed.emit(error)
