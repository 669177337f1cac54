"""Sign-up taps not yet answered by the backend, kept on disk across an app restart.

Each entry carries the tap's Idempotency-Key, so sending it again after a restart can never
send a second SMS: the backend replays the first answer.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class PendingSignUp:
    phone: str
    key: str


class PendingSignUps:
    def __init__(self, path: Path) -> None:
        self._path = path

    def all(self) -> list[PendingSignUp]:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return []
        return [PendingSignUp(**item) for item in raw if {"phone", "key"} <= item.keys()]

    def keep(self, pending: PendingSignUp) -> None:
        entries = [p for p in self.all() if p.key != pending.key]
        self._write([*entries, pending])

    def forget(self, key: str) -> None:
        self._write([p for p in self.all() if p.key != key])

    def _write(self, entries: list[PendingSignUp]) -> None:
        # Write then rename: a crash mid-write never loses the taps already kept.
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".pending-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump([asdict(p) for p in entries], out)
        os.replace(tmp, self._path)
