"""The backend beside the app for ``omo-desktop --demo``: loopback HTTP, a SQLite file, demo data.

    backend = EmbeddedBackend()
    backend.launch(data_dir)        # returns at once: the backend's process starts
    ...                             # build the window meanwhile
    info = backend.wait_ready()     # blocks until it serves (~0.7 s after launch); on a worker
    ...                             # the app talks to info.base_url with info.device_token
    backend.stop()                  # on quit

``start(data_dir)`` is ``launch`` and ``wait_ready`` in one call.

The backend runs in a child process, ``python -m omo_desktop.demo.embedded`` (the second half
of this module): its imports (FastAPI, SQLAlchemy, the backend: most of the start-up time) run
on another core while the app imports Qt and builds its window, and never take the app's GIL.
It is the only code of ``omo_desktop`` that imports ``omo_backend``; the parent's half imports
neither the backend nor Qt's widgets, so importing this module stays cheap.

Two pipes, one JSON line each way: the parent writes the request (data folder, device name,
settings) on the child's stdin and keeps that pipe open; the child answers on its stdout with
``{"ready": {...}}`` once it serves, or ``{"error": "..."}``. The child lives as long as its
stdin: ``stop()`` closes it, and so does the parent's end, however it ends (even killed). The
child's log goes to the parent's stderr.

The app still talks to the backend over real HTTP through ``OmoClient``, exactly as it would
to a remote one; demo mode only changes where the server runs.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)

DATA_DIR_ENV = "OMO_DATA_DIR"
# omo_backend.demo_seed.MEMBER_PASSWORD (a test keeps them equal; importing it here would load
# the backend into the app's process).
MEMBER_PASSWORD = "demo-password"  # noqa: S105 (demo data, printed for people to use)
DATABASE_FILE = "omo-demo.db"
DEMO_STORE = "TPE01"
DEVICE_NAME = "Demo counter"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0
GRACEFUL_STOP_SECONDS = 1
# The app's log lines and the demo backend's go to one console: one format for both.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# This module, run as the child (``__name__`` is "__main__" there).
_CHILD_MODULE = "omo_desktop.demo.embedded"
# In the PyInstaller bundle there is no ``python -m``: the frozen executable starts itself with
# this argument, and its entry script (build_spec/omo_desktop_main.py) runs ``child_main``.
FROZEN_CHILD_ARGUMENT = "--embedded-backend"
_STOPPED_WHILE_STARTING = "the embedded backend was stopped while starting"
# In the bundle, a fresh demo database starts as a copy of the schema the build made from its
# own migrations (build_spec/omo-desktop.spec): a millisecond, where running the migrations is
# a fifth of the first start. ``migrate.upgrade`` then finds it at HEAD with one query.
SCHEMA_TEMPLATE = "demo-schema.db"


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
    from PySide6.QtCore import QStandardPaths

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
class _Launch:
    """One launch, from ``launch()`` until ``stop()``."""

    data_dir: Path
    began: float
    process: subprocess.Popen[bytes] | None = None
    # What went wrong before there was a process to ask; ``wait_ready()`` raises it.
    failure: EmbeddedBackendError | None = None
    # The child's answer, once read (it answers once).
    info: DemoInfo | None = None


class EmbeddedBackend:
    """One backend on ``127.0.0.1`` in a child process; launching again after ``stop()`` is fine.

    ``settings`` overrides any other backend setting (e.g. rate limits in a test; values must
    be JSON); the ones that make it a demo (loopback URL, the SQLite file, dev mode, the outbox
    provider) win. ``launch()`` and ``stop()`` may be called from the UI thread, ``wait_ready()``
    from a worker at the same time: ``stop()`` then ends the wait with an error.
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
        self._launch: _Launch | None = None
        self._lock = threading.Lock()
        self.info: DemoInfo | None = None

    @property
    def running(self) -> bool:
        """The backend's process is alive: starting or serving."""
        launch = self._launch
        return launch is not None and launch.process is not None and launch.process.poll() is None

    @property
    def pid(self) -> int | None:
        """The backend's process id, once launched (for a log, or a test that ends the app)."""
        launch = self._launch
        return launch.process.pid if launch is not None and launch.process is not None else None

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
        """``launch()`` then ``wait_ready()``: blocks for the whole start-up."""
        self.launch(data_dir)
        return self.wait_ready()

    def launch(self, data_dir: Path | None = None) -> None:
        """Starts the backend's process and returns at once (a few ms: fine on the UI thread).

        Whatever goes wrong from here on is raised by ``wait_ready()``.
        """
        with self._lock:
            if self._launch is not None:
                raise EmbeddedBackendError("the embedded backend is already running")
            folder = data_dir if data_dir is not None else default_data_dir()
            launch = self._launch = _Launch(data_dir=folder, began=time.perf_counter())
            self.info = None
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                launch.failure = EmbeddedBackendError(
                    f"cannot create the data folder {folder}: {exc}"
                )
                return
            request = {
                "data_dir": str(folder),
                "device_name": self._device_name,
                "settings": self._overrides,
                # The child logs as much as this process does.
                "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel()),
            }
            try:
                launch.process = _spawn_child()
            except OSError as exc:
                launch.failure = EmbeddedBackendError(f"cannot start the embedded backend: {exc}")
                return
            try:
                _stdin(launch.process).write(json.dumps(request).encode() + b"\n")
                _stdin(launch.process).flush()
            except OSError:
                pass  # it ended already; wait_ready() says so

    def wait_ready(self) -> DemoInfo:
        """Waits until the launched backend serves, with this device enrolled; returns its info.

        Raises ``EmbeddedBackendError`` if it cannot start (or is stopped meanwhile), with
        nothing left running.
        """
        launch = self._launch
        if launch is None:
            raise EmbeddedBackendError("the embedded backend was not launched (or was stopped)")
        if launch.info is not None:
            return launch.info
        try:
            if launch.failure is not None:
                raise launch.failure
            assert launch.process is not None
            ready = _read_reply(launch.process, self._start_timeout)
        except BaseException:
            stopped = self._launch is not launch
            self._stop(launch, STOP_TIMEOUT_SECONDS)
            if stopped:
                raise EmbeddedBackendError(_STOPPED_WHILE_STARTING) from None
            raise
        info = _demo_info(ready, launch.data_dir)
        with self._lock:
            if self._launch is not launch:
                raise EmbeddedBackendError(_STOPPED_WHILE_STARTING)
            self.info = launch.info = info
        log.info(
            "embedded backend at %s (database %s) ready in %.0f ms after launch",
            info.base_url,
            info.database_path,
            (time.perf_counter() - launch.began) * 1000,
        )
        return info

    def stop(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        """Asks the backend to stop and waits for its process (killed after the timeout).

        Safe to call twice, and while ``wait_ready()`` waits.
        """
        launch = self._launch
        if launch is not None:
            self._stop(launch, timeout_seconds)

    # --- inside ---------------------------------------------------------------------------

    def _stop(self, launch: _Launch, timeout_seconds: float) -> None:
        with self._lock:
            if self._launch is launch:
                self._launch = None
                self.info = None
        process = launch.process
        if process is None:
            return
        with contextlib.suppress(OSError):  # it ended already
            _stdin(process).close()  # the child's cue: it stops serving and exits
        try:
            process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            # Something outlived the graceful timeout (a stuck lifespan shutdown): drop it.
            log.warning("the embedded backend did not stop in %g s; killing it", timeout_seconds)
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def make_schema_template(path: Path) -> None:
    """The empty demo database at the migrations' HEAD, for the bundle (run by the build)."""
    from sqlalchemy.engine import URL

    from omo_backend import migrate
    from omo_backend.db import Database

    path.unlink(missing_ok=True)
    db = Database(URL.create("sqlite", database=str(path)).render_as_string())
    try:
        migrate.upgrade(db.engine)
    finally:
        db.dispose()


def _schema_template() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or bundle is None:
        return None
    path = Path(bundle) / "resources" / SCHEMA_TEMPLATE
    return path if path.is_file() else None


def _spawn_child() -> subprocess.Popen[bytes]:
    options: dict[str, Any] = {}
    if sys.platform == "win32":
        # A console window of its own would flash up beside the app's.
        options["creationflags"] = subprocess.CREATE_NO_WINDOW
    else:
        # Its own session: a Ctrl+C meant for the app's terminal is not for the child, which
        # follows the app through its stdin instead.
        options["start_new_session"] = True
    if getattr(sys, "frozen", False):
        command = [sys.executable, FROZEN_CHILD_ARGUMENT]
    else:
        command = [sys.executable, "-m", _CHILD_MODULE]
    return subprocess.Popen(  # noqa: S603 (this very module, on this interpreter)
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        # The bundle's windowed app on Windows has no stderr (sys.stderr is None) to pass on:
        # the child's log, which it writes to its stderr, then goes nowhere.
        stderr=subprocess.DEVNULL if sys.stderr is None else None,
        **options,
    )


def _stdin(process: subprocess.Popen[bytes]) -> IO[bytes]:
    assert process.stdin is not None
    return process.stdin


def _read_reply(process: subprocess.Popen[bytes], timeout_seconds: float) -> dict[str, Any]:
    """The child's one line: what it serves, or why it cannot."""
    assert process.stdout is not None
    timed_out = threading.Event()

    def give_up() -> None:
        timed_out.set()
        process.kill()  # ends the read below

    timer = threading.Timer(timeout_seconds, give_up)
    timer.daemon = True
    timer.start()
    try:
        line = process.stdout.readline()
    finally:
        timer.cancel()
    if timed_out.is_set():
        raise EmbeddedBackendError(
            f"the embedded backend did not start within {timeout_seconds:g} s"
        )
    if not line:
        raise EmbeddedBackendError("the embedded backend stopped while starting (its log says why)")
    try:
        reply = json.loads(line)
    except ValueError as exc:
        raise EmbeddedBackendError(f"the embedded backend said something odd: {line!r}") from exc
    if isinstance(reply, dict) and "error" in reply:
        raise EmbeddedBackendError(str(reply["error"]))
    if not (isinstance(reply, dict) and isinstance(reply.get("ready"), dict)):
        raise EmbeddedBackendError(f"the embedded backend said something odd: {line!r}")
    ready: dict[str, Any] = reply["ready"]
    return ready


def _demo_info(ready: dict[str, Any], data_dir: Path) -> DemoInfo:
    return DemoInfo(
        base_url=ready["base_url"],
        data_dir=data_dir,
        database_path=data_dir / DATABASE_FILE,
        device_id=ready["device_id"],
        device_token=ready["device_token"],
        store_code=ready["store_code"],
        store_name=ready["store_name"],
        staff=tuple(DemoStaff(*row) for row in ready["staff"]),
        members=tuple(ready["members"]),
        past_buyers=tuple(ready["past_buyers"]),
        new_customer=ready["new_customer"],
    )


# --- the child process ----------------------------------------------------------------------


def child_main() -> int:
    """The backend's process: reads the request, prepares the database, serves until told."""
    # No collection while starting: the imports make ~100,000 objects, hardly any garbage,
    # and the collector walks them over and over (~0.1 s of the start). Back on once it
    # serves, with what is there by then set aside for good (gc.freeze).
    gc.disable()
    # Only the reply may go to the parent's pipe: anything printed goes to the log instead.
    reply = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    stdin = sys.stdin.buffer
    line = stdin.readline()
    if not line:
        return 0  # the parent went away before it said what to start
    request = json.loads(line)
    lifeline = _Lifeline(stdin)
    threading.Thread(target=lifeline.watch, name="omo-parent-watch", daemon=True).start()
    try:
        _child_serve(request, lifeline, reply)
    except EmbeddedBackendError as exc:
        _answer(reply, {"error": str(exc)})
        _exit_now(1)
    except Exception as exc:
        logging.getLogger(__name__).exception("the embedded backend failed")
        _answer(reply, {"error": f"the embedded backend failed: {exc}"})
        _exit_now(1)
    return 0


def _exit_now(code: int) -> None:
    """End the child at once: the lifeline thread is blocked reading stdin, and an interpreter
    shutdown around it aborts ("could not acquire lock for <stdin>"); nothing is left open."""
    logging.shutdown()
    sys.stderr.flush()
    os._exit(code)


class _Lifeline:
    """Stops the child when its stdin ends: ``stop()`` closed it, or the parent is gone."""

    def __init__(self, stdin: IO[bytes]) -> None:
        self._stdin = stdin
        self.server: uvicorn.Server | None = None

    def watch(self) -> None:
        while self._stdin.read(4096):
            pass
        server = self.server
        if server is None:
            # Still preparing: nothing worth a graceful stop (SQLite rolls back a cut write).
            os._exit(0)
        server.should_exit = True


def _answer(reply: IO[str], message: dict[str, Any]) -> None:
    try:
        reply.write(json.dumps(message) + "\n")
        reply.flush()
    except OSError:
        pass  # the parent is gone; the lifeline ends this process


def _child_serve(request: dict[str, Any], lifeline: _Lifeline, reply: IO[str]) -> None:
    try:
        import uvicorn
        from sqlalchemy.engine import URL

        from omo_backend import demo_seed, migrate
        from omo_backend.app import create_app
        from omo_backend.db import Database
        from omo_backend.devices import service as devices
        from omo_backend.logs import configure_logging
        from omo_backend.settings import Settings
        from omo_backend.stores import service as stores
    except ImportError as exc:
        raise EmbeddedBackendError(f"this build has no embedded backend: {exc}") from exc

    # The backend's own log set-up (it redacts tokens and phone numbers), in the app's lines:
    # uvicorn's and Alembic's records reach the root logger's one handler too.
    configure_logging(request["log_level"], json_lines=False, text_format=LOG_FORMAT)
    # A request line per poll of the demo phone (every second) is noise in the app's console,
    # and so is a line per Alembic plug-in set up before the migrations.
    logging.getLogger("omo_backend.access").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _quiet_cut_long_polls()

    folder = Path(request["data_dir"])
    sock = _loopback_socket()
    host, port = sock.getsockname()[:2]
    base_url = f"http://{host}:{port}"
    database_path = folder / DATABASE_FILE
    settings = Settings(
        **{
            **request["settings"],
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

    template = _schema_template()
    db = Database(settings.effective_database_url)
    try:
        if template is not None and not database_path.exists():
            shutil.copyfile(template, database_path)
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            seeded = demo_seed.seed(session=session)
            store = stores.get_by_code_or_raise(session=session, code=DEMO_STORE)
            # Enrolled as through the API, without waiting for the server to answer it.
            enrolled = devices.enroll(
                session=session,
                enrollment_code=devices.create_enrollment_code(
                    session=session, store=store, ttl_seconds=settings.enrollment_code_ttl_seconds
                ),
                device_name=request["device_name"],
            )
            ready = {
                "base_url": base_url,
                "device_id": enrolled.device.id,
                "device_token": enrolled.token,
                "store_code": store.code,
                "store_name": store.name,
                "staff": seeded.staff,
                "members": seeded.members,
                "past_buyers": seeded.buyers,
                "new_customer": seeded.new_customer,
            }
    except Exception as exc:
        db.dispose()
        raise EmbeddedBackendError(
            f"cannot prepare the demo database {database_path}: {exc}"
        ) from exc

    class AnnouncingServer(uvicorn.Server):
        """Tells the parent once it accepts requests (uvicorn's own ``started``)."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                _answer(reply, {"ready": ready})
                gc.freeze()
                gc.enable()

    # No logging config of uvicorn's own (configured above); no access log (it would print
    # link tokens; the backend's request log redacts them).
    config = uvicorn.Config(
        create_app(settings, db, run_dispatcher=True),
        lifespan="on",
        access_log=False,
        log_config=None,
        # The counter holds a long-poll open most of the time; on quit, cut it short instead
        # of waiting up to 30 s for it to answer.
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
    )
    server = AnnouncingServer(config)
    lifeline.server = server
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        db.dispose()
    if not server.started:
        raise EmbeddedBackendError("the embedded backend stopped while starting (its log says why)")


class _QuietCutLongPolls(logging.Filter):
    """Drops uvicorn's traceback for a request it cancelled on purpose when stopping.

    Those are the counter's long-polls cut short at quit (``timeout_graceful_shutdown``):
    expected every time, so not an error worth a traceback in the app's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        import asyncio

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


if __name__ == "__main__":
    sys.exit(child_main())
