"""The backend as real child processes (``omo-backend serve``), as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.log_capture import check_external_log
from tests.support.postgres import free_port


@contextmanager
def serve_process(
    database_url: str,
    *,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OMO_DATABASE_URL": database_url,
        "OMO_PUBLIC_BASE_URL": base,
        "OMO_DEV_MODE": "1",
        "OMO_LONGPOLL_CHECK_SECONDS": "0.1",
        "OMO_DISPATCH_POLL_SECONDS": "0.05",
        **(extra_env or {}),
    }
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "omo_backend.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.05)
        yield base, proc
    finally:
        stop_process(proc, timeout=15)
        # Its log is checked for secrets with the test's own (tests/support/log_capture.py).
        check_external_log(log_path)


def stop_process(proc: subprocess.Popen[bytes], *, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def log_in(
    base: str, enrollment_code: str, staff_code: str = "1001", pin: str = "123456"
) -> tuple[requests.Session, dict[str, object]]:
    """Enroll a device and log staff in on it over HTTP: a session and the login reply."""
    device = requests.post(
        base + "/api/v1/devices/enroll",
        json={"enrollment_code": enrollment_code, "device_name": "Counter"},
        timeout=10,
    ).json()["device_token"]
    login: dict[str, object] = requests.post(
        base + "/api/v1/staff/login",
        json={"staff_code": staff_code, "pin": pin},
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    ).json()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {login['session_token']}"
    return http, login
