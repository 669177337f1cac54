"""PostgreSQL ``LISTEN`` on one dedicated connection per process, on a thread of its own.

The API processes listen for ``omo_change`` (a followed row's new version: long-poll
wake-ups) and the dispatchers for ``omo_outbox`` (a new outbox row); migration 0015's
triggers send them in the writing transaction, so a notification arrives only after the
change is committed. The connection is outside the SQLAlchemy pool (a pooled connection
cannot wait for notifications) and in autocommit (a LISTEN inside an open transaction would
hold it open).

Notifications are a shortcut, never the only way: PostgreSQL drops them for a listener that is
not connected, so every user keeps its own polling as the fallback, and ``on_connect`` runs
after each (re)connection so the user can look once for what it missed meanwhile. When
PostgreSQL restarts or the connection breaks, the listener reconnects by itself, waiting
0.1 s, then twice as long each time up to 5 s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANGE_CHANNEL = "omo_change"
OUTBOX_CHANNEL = "omo_outbox"

_RECONNECT_FIRST_SECONDS = 0.1
_RECONNECT_MAX_SECONDS = 5.0
# How often the thread looks at its stop flag while no notification arrives.
_STOP_CHECK_SECONDS = 0.1


def conninfo(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+psycopg://…``) as a libpq connection URI."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener:
    """Calls ``on_notify(channel, payload)`` on the listener's thread for each notification."""

    def __init__(
        self,
        database_url: str,
        channels: Sequence[str],
        on_notify: Callable[[str, str], None],
        *,
        on_connect: Callable[[], None] | None = None,
        name: str = "pg-listen",
    ) -> None:
        self._conninfo = conninfo(database_url)
        self._channels = tuple(channels)
        self._on_notify = on_notify
        self._on_connect = on_connect
        self._name = name
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        # PostgreSQL's driver is imported where PostgreSQL is used: the app's bundle runs its
        # demo backend on SQLite and leaves the driver out.
        import psycopg

        pause = _RECONNECT_FIRST_SECONDS
        while not self._stop.is_set():
            try:
                self._listen()
                pause = _RECONNECT_FIRST_SECONDS
            except psycopg.Error as exc:
                # The class only: a connection error's text may quote the connection string.
                log.warning(
                    "LISTEN connection lost or refused (%s); reconnecting in %.1fs",
                    type(exc).__name__,
                    pause,
                )
            except Exception as exc:
                # Whatever it was, the thread lives on: without it only the polls are left.
                log.error("LISTEN failed (%s); reconnecting in %.1fs", type(exc).__name__, pause)
            finally:
                self._connected.clear()
            if self._stop.wait(pause):
                break
            pause = min(pause * 2, _RECONNECT_MAX_SECONDS)

    def _listen(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            application_name="omo_backend_listen",
            connect_timeout=5,
            # A peer that vanished without closing (a network cut) is noticed within ~40 s.
            keepalives=1,
            keepalives_idle=20,
            keepalives_interval=5,
            keepalives_count=4,
        ) as conn:
            for channel in self._channels:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._connected.set()
            self._call(self._on_connect)
            while not self._stop.is_set():
                for notification in conn.notifies(timeout=_STOP_CHECK_SECONDS):
                    self._call(self._on_notify, notification.channel, notification.payload)
                    if self._stop.is_set():
                        return

    def _call(self, callback: Callable[..., None] | None, *args: str) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a LISTEN callback failed; listening on")
