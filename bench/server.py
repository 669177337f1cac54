"""The real server as a child process (``omo-backend serve``), and what /proc says about it."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# High enough that no bench run is ever refused: each SMS limit is a count over a window.
_UNLIMITED = str(10**9)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def backend_env(
    database_url: str, folder: Path, base_url: str, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """A backend process's environment: none of the caller's ``OMO_`` settings, the SMS rate
    limits raised, warnings and errors logged only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMO_")}
    env.update(
        OMO_DATABASE_URL=database_url,
        OMO_DATA_DIR=str(folder),
        OMO_PUBLIC_BASE_URL=base_url,
        OMO_LOG_LEVEL="WARNING",
        OMO_RATE_PHONE_PER_10MIN=_UNLIMITED,
        OMO_RATE_PHONE_PER_DAY=_UNLIMITED,
        OMO_RATE_DEVICE_PER_HOUR=_UNLIMITED,
        OMO_RATE_STORE_PER_HOUR=_UNLIMITED,
    )
    env.update(extra_env or {})
    return env


def command() -> list[str]:
    script = Path(sys.executable).with_name("omo-backend")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "omo_backend.cli"]


@dataclass(frozen=True)
class ProcessStatus:
    rss_mb: float
    peak_rss_mb: float
    threads: int
    open_fds: int
    cpu_seconds: float
    processes: int = 1

    @property
    def where(self) -> str:
        """How many processes, threads and open files the figures cover."""
        summed = f"summed over {self.processes} processes, " if self.processes > 1 else ""
        return f"{summed}{self.threads} threads, {self.open_fds} fds"


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for parent in pids:  # grows while iterating: children, then theirs
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                pids.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return pids


def _read_proc(pid: int) -> ProcessStatus:
    fields: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return ProcessStatus(
        rss_mb=int(fields["VmRSS"].split()[0]) / 1024,
        peak_rss_mb=int(fields["VmHWM"].split()[0]) / 1024,
        threads=int(fields["Threads"]),
        open_fds=len(os.listdir(f"/proc/{pid}/fd")),
        # utime and stime: fields 14 and 15 of /proc/<pid>/stat, in clock ticks.
        cpu_seconds=(int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK"),
    )


class ServerProcess:
    """``omo-backend serve --no-dispatcher`` on a loopback port, in its own process and GIL."""

    def __init__(
        self, database_url: str, *, workers: int = 1, extra_env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._folder = Path(tempfile.mkdtemp(prefix="omo-bench-server-"))
        self._log_path = self._folder / "server.log"
        self._env = backend_env(database_url, self._folder, self.base_url, extra_env)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait for /api/v1/health; returns the seconds it took."""
        started = time.perf_counter()
        with open(self._log_path, "ab") as log:  # a restart adds to the log
            self._process = subprocess.Popen(
                [
                    *command(),
                    "serve",
                    "--no-dispatcher",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self._env,
                # Not the repository: a developer's .env there must not change the bench.
                cwd=self._folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log_tail()}")
            try:
                status, _ = request(self.port, "GET", "/api/v1/health", timeout=2)
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not healthy after {timeout} s:\n{self.log_tail()}")

    def status(self) -> ProcessStatus:
        """The server's figures, summed over its worker processes when it has several."""
        readings = [_read_proc(pid) for pid in _process_tree(self.pid)]
        return ProcessStatus(
            rss_mb=sum(r.rss_mb for r in readings),
            peak_rss_mb=sum(r.peak_rss_mb for r in readings),
            threads=sum(r.threads for r in readings),
            open_fds=sum(r.open_fds for r in readings),
            cpu_seconds=sum(r.cpu_seconds for r in readings),
            processes=len(readings),
        )

    def reset_peak(self) -> bool:
        """Start VmHWM afresh from the current RSS (Linux ≥ 4.0), so a peak is this step's own."""
        try:
            for pid in _process_tree(self.pid):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL, as a crash or the kernel's OOM killer ends it; ``start()`` starts it again."""
        kill_process(self._process)

    def stop(self) -> None:
        stop_process(self._process)
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def kill_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGKILL a child that is still running, and reap it."""
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=15)


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGINT (as Ctrl+C: the backend's clean stop), SIGKILL if it is not gone in 15 s."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_process(process)


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str | None = None,
    timeout: float = 30,
) -> tuple[int, Any]:
    """One request on a new connection (set-up only; the load uses keep-alive)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers=headers)
        reply = conn.getresponse()
        raw = reply.read()
        return reply.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def staff_session(port: int, enrollment_code: str, staff_code: str, pin: str) -> str:
    """Enroll a counter device and log a staff member in over HTTP, as the app does."""
    status, reply = request(
        port,
        "POST",
        "/api/v1/devices/enroll",
        body={"enrollment_code": enrollment_code, "device_name": "Bench counter"},
    )
    if status != 201:
        raise RuntimeError(f"enroll failed: {status} {reply}")
    status, reply = request(
        port,
        "POST",
        "/api/v1/staff/login",
        body={"staff_code": staff_code, "pin": pin},
        token=reply["device_token"],
    )
    if status != 200:
        raise RuntimeError(f"login failed: {status} {reply}")
    token: str = reply["session_token"]
    return token
