"""The backend inside the app for ``omo-desktop --demo``: loopback HTTP, a SQLite file, demo data.

    backend = EmbeddedBackend()
    info = backend.start()          # blocks ~1-1.7 s in a new process; fine on a worker
    ...                             # the app talks to info.base_url with info.device_token
    backend.stop()                  # on quit

The only module of ``omo_desktop`` that imports ``omo_backend``, and only inside ``start()``:
importing this module stays cheap, so the shell can show its window while the backend
(FastAPI, SQLAlchemy, Alembic: most of the start-up time) loads on a worker thread.

The app still talks to the backend over real HTTP through ``OmoClient``, exactly as it would
to a remote one; demo mode only changes where the server runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths

if TYPE_CHECKING:
    import uvicorn

    from omo_backend.db import Database

log = logging.getLogger(__name__)

DATA_DIR_ENV = "OMO_DATA_DIR"
DATABASE_FILE = "omo-demo.db"
DEMO_STORE = "TPE01"
DEVICE_NAME = "Demo counter"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0
GRACEFUL_STOP_SECONDS = 1


class EmbeddedBackendError(RuntimeError):
    """The embedded backend could not start; the message says why, in words for a log."""


def default_data_dir() -> Path:
    """Where demo mode keeps its database: ``$OMO_DATA_DIR``, else the user's data folder.

    The folder does not depend on the application name set on ``QCoreApplication`` (so it is
    the same before and after the shell sets it up): ``~/.local/share/omo-counter`` on Linux
    (the backend's own default), ``%LOCALAPPDATA%\\omo-counter`` on Windows,
    ``~/Library/Application Support/omo-counter`` on macOS.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home()) / "omo-counter"


@dataclass(frozen=True)
class DemoStaff:
    store_code: str
    code: str
    name: str
    role: str
    pin: str


@dataclass(frozen=True)
class DemoInfo:
    """What the shell needs once the embedded backend runs and this device is enrolled."""

    base_url: str
    data_dir: Path
    database_path: Path
    device_id: int
    device_token: str
    store_code: str
    store_name: str
    # Staff of every demo store; ``store_staff`` are those who can log in on this device.
    staff: tuple[DemoStaff, ...]
    # Phone numbers as staff would type them.
    members: tuple[str, ...]
    past_buyers: tuple[str, ...]
    new_customer: str

    @property
    def store_staff(self) -> tuple[DemoStaff, ...]:
        return tuple(s for s in self.staff if s.store_code == self.store_code)


@dataclass
class _Running:
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket
    db: Database


class EmbeddedBackend:
    """One backend on ``127.0.0.1`` in a daemon thread; ``start()`` again after ``stop()`` is fine.

    ``settings`` overrides any other backend setting (e.g. rate limits in a test); the ones
    that make it a demo (loopback URL, the SQLite file, dev mode, the outbox provider) win.
    """

    def __init__(
        self,
        *,
        device_name: str = DEVICE_NAME,
        start_timeout_seconds: float = START_TIMEOUT_SECONDS,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self._device_name = device_name
        self._start_timeout = start_timeout_seconds
        self._overrides = dict(settings or {})
        self._running: _Running | None = None
        self._lock = threading.Lock()
        self.info: DemoInfo | None = None

    @property
    def running(self) -> bool:
        return self._running is not None and self._running.thread.is_alive()

    def __enter__(self) -> EmbeddedBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, data_dir: Path | None = None) -> DemoInfo:
        """Migrate, seed, serve and enroll this device; returns once the API answers.

        Blocks for the whole start-up (see the module docstring); raises
        ``EmbeddedBackendError`` if any step fails, with nothing left running.
        """
        with self._lock:
            if self._running is not None:
                raise EmbeddedBackendError("the embedded backend is already running")
            started = time.perf_counter()
            folder = data_dir if data_dir is not None else default_data_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise EmbeddedBackendError(
                    f"cannot create the data folder {folder}: {exc}"
                ) from exc
            sock = _loopback_socket()
            try:
                info = self._start(folder, sock)
            except BaseException:
                self._stop_locked()
                sock.close()
                raise
            self.info = info
            log.info(
                "embedded backend at %s (database %s) ready in %.0f ms",
                info.base_url,
                info.database_path,
                (time.perf_counter() - started) * 1000,
            )
            return info

    def stop(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stop serving, wait for the server thread, close the database. Safe to call twice."""
        with self._lock:
            self._stop_locked(timeout_seconds)

    # --- inside ---------------------------------------------------------------------------

    def _start(self, folder: Path, sock: socket.socket) -> DemoInfo:
        try:
            import uvicorn
            from sqlalchemy.engine import URL

            from backend_client.client import OmoClient
            from backend_client.errors import ApiError
            from omo_backend import demo_seed, migrate
            from omo_backend.app import create_app
            from omo_backend.db import Database
            from omo_backend.devices import service as devices
            from omo_backend.settings import Settings
            from omo_backend.stores import service as stores
        except ImportError as exc:
            raise EmbeddedBackendError(f"this build has no embedded backend: {exc}") from exc

        host, port = sock.getsockname()[:2]
        base_url = f"http://{host}:{port}"
        database_path = folder / DATABASE_FILE
        settings = Settings(
            **{
                **self._overrides,
                "data_dir": folder,
                # URL.create escapes what a folder name may hold ("%", "?", "#").
                "database_url": URL.create("sqlite", database=str(database_path)).render_as_string(
                    hide_password=False
                ),
                "public_base_url": base_url,
                "dev_mode": True,
                "sms_provider": "outbox",
            }
        )

        db = Database(settings.effective_database_url)
        try:
            migrate.upgrade(db.engine)
            with db.transaction() as session:
                seeded = demo_seed.seed(session=session)
                store = stores.get_by_code_or_raise(session=session, code=DEMO_STORE)
                enrollment_code = devices.create_enrollment_code(
                    session=session, store=store, ttl_seconds=settings.enrollment_code_ttl_seconds
                )
        except Exception as exc:
            db.dispose()
            raise EmbeddedBackendError(
                f"cannot prepare the demo database {database_path}: {exc}"
            ) from exc

        # No logging config of uvicorn's own (the app configures logging); no access log (it
        # would print link tokens; the backend's request log redacts them).
        config = uvicorn.Config(
            create_app(settings, db, run_dispatcher=True),
            lifespan="on",
            access_log=False,
            log_config=None,
            # The counter holds a long-poll open most of the time; on quit, cut it short
            # instead of waiting up to 30 s for it to answer.
            timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
        )
        server = uvicorn.Server(config)
        _quiet_cut_long_polls()
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name="omo-embedded-backend",
            daemon=True,
        )
        self._running = _Running(server=server, thread=thread, sock=sock, db=db)
        thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not server.started:
            if not thread.is_alive():
                raise EmbeddedBackendError(
                    "the embedded backend stopped while starting (its log says why)"
                )
            if time.monotonic() > deadline:
                raise EmbeddedBackendError(
                    f"the embedded backend did not start within {self._start_timeout:g} s"
                )
            time.sleep(0.005)

        client = OmoClient(base_url, retries=0)
        try:
            enrolled = client.enroll(enrollment_code, self._device_name)
        except ApiError as exc:
            raise EmbeddedBackendError(
                f"the embedded backend refused to enroll this device: {exc.code}"
            ) from exc
        finally:
            client.close()

        return DemoInfo(
            base_url=base_url,
            data_dir=folder,
            database_path=database_path,
            device_id=enrolled.device_id,
            device_token=enrolled.device_token,
            store_code=enrolled.store.code,
            store_name=enrolled.store.name,
            staff=tuple(DemoStaff(*row) for row in seeded.staff),
            members=tuple(seeded.members),
            past_buyers=tuple(seeded.buyers),
            new_customer=seeded.new_customer,
        )

    def _stop_locked(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        running, self._running = self._running, None
        if running is None:
            return
        running.server.should_exit = True
        if running.thread.is_alive():
            running.thread.join(timeout_seconds)
        if running.thread.is_alive():
            # Something outlived the graceful timeout (a stuck lifespan shutdown): drop it.
            log.warning("the embedded backend did not stop in %g s; forcing it", timeout_seconds)
            running.server.force_exit = True
            running.thread.join(timeout_seconds)
        running.sock.close()
        running.db.dispose()
        self.info = None


class _QuietCutLongPolls(logging.Filter):
    """Drops uvicorn's traceback for a request it cancelled on purpose when stopping.

    Those are the counter's long-polls cut short at quit (``timeout_graceful_shutdown``):
    expected every time, so not an error worth a traceback in the app's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def _quiet_cut_long_polls() -> None:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCutLongPolls) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(_QuietCutLongPolls())


def _loopback_socket() -> socket.socket:
    """A listening port chosen by the OS, held from now on, so no other program can take it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
    except OSError as exc:
        sock.close()
        raise EmbeddedBackendError(f"cannot open a port on 127.0.0.1: {exc}") from exc
    return sock
