"""A short in-process memory of validated staff sessions.

Every staff request needs its session checked; doing it in the database costs a query and a
trip through the thread pool, more than the request itself. A checked session is trusted for
``auth_cache_seconds`` (2 s by default). Logout, a device's revocation and a staff member's
deactivation in this process forget it at once; the same done through another API process (or
the CLI) is seen here within that time, when the entry runs out and the database is asked.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from omo_backend.actor import Actor

_MAX_ENTRIES = 10_000


class SessionCache:
    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[Actor, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> Actor | None:
        if self._ttl <= 0:
            return None
        key = self._key(token)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            actor, until = found
            if until < time.monotonic():
                del self._entries[key]
                return None
            return actor

    def put(self, token: str, actor: Actor) -> None:
        if self._ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v[1] >= now}
                if len(self._entries) >= _MAX_ENTRIES:
                    self._entries.clear()
            self._entries[self._key(token)] = (actor, now + self._ttl)

    def forget(self, session_id: int) -> None:
        self._forget_where(lambda actor: actor.session_id == session_id)

    def forget_device(self, device_id: int) -> None:
        self._forget_where(lambda actor: actor.device_id == device_id)

    def forget_staff(self, staff_id: int) -> None:
        self._forget_where(lambda actor: actor.staff_id == staff_id)

    def _forget_where(self, matches: Callable[[Actor], bool]) -> None:
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if not matches(v[0])}
