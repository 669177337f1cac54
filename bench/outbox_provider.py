"""The outbox against a provider at a real provider's pace (the last section of
``python -m bench.outbox``; ``--provider-only`` runs it alone).

A fake Twilio in this process answers each send in 100 ms; one ``omo-backend dispatch``
process (the production command, its default ``OMO_DISPATCH_CONCURRENCY``) sends to it.

- **Throughput**: a backlog of N messages committed in one transaction; messages a second
  from the commit to the last one reaching the provider.
- **Commit → provider**: messages committed one per transaction at a steady rate below the
  target, each timed from its commit to its request reaching the provider (both clocks are
  this process's). On PostgreSQL the commit NOTIFYs the dispatcher; SQLite waits for its poll.
- **Duplicates**: requests the provider got more than once for one message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.outbox import queue
from bench.report import Figure, percentile
from omo_backend.db import Database
from tests.fakes.twilio_server import FakeTwilio, ReceivedRequest
from tests.support.dispatchers import twilio_dispatch_env
from tests.support.processes import stop_process

PROVIDER_LATENCY_SECONDS = 0.1
THROUGHPUT_TARGET = 200.0
COMMIT_TO_PROVIDER_TARGET_SECONDS = 2.0
STEADY_RATE = 150.0  # msg/s offered in the steady phase: below the throughput target


class StampingTwilio(FakeTwilio):
    """The tests' fake Twilio, noting when each body first reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}

    def _record(self, request: ReceivedRequest) -> tuple[int | None, bool]:
        self.arrived.setdefault(request.form.get("Body", ""), time.perf_counter())
        return super()._record(request)


def _queue(database: Database, bodies: list[str]) -> float:
    """``bodies`` as SMS rows in one transaction; returns when it committed."""
    queue(database, len(bodies), bodies=bodies, provider="twilio")
    return time.perf_counter()


def _start_dispatcher(url: str, twilio: FakeTwilio, folder: Path) -> subprocess.Popen[bytes]:
    env = twilio_dispatch_env(url, twilio, folder / "data", OMO_LOG_LEVEL="WARNING")
    # The dispatcher's own settings pass through: to try another pool size.
    env.update({k: v for k, v in os.environ.items() if k.startswith("OMO_DISPATCH_")})
    log = (folder / "dispatch.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "omo_backend.cli", "dispatch"], env=env, stdout=log, stderr=log
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_arrived(twilio: StampingTwilio, bodies: list[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(body in twilio.arrived for body in bodies):
            return True
        time.sleep(0.01)
    return False


def measure(database: Database, url: str, *, backlog: int, steady_seconds: float) -> list[Figure]:
    section = f"fake Twilio, {PROVIDER_LATENCY_SECONDS * 1000:.0f} ms a send"
    folder = Path(tempfile.mkdtemp(prefix="omo-bench-dispatch-"))
    with StampingTwilio() as twilio:
        twilio.latency_seconds = PROVIDER_LATENCY_SECONDS
        dispatcher = _start_dispatcher(url, twilio, folder)
        try:
            # Warm-up, not counted: the process starts, connects and LISTENs.
            warm = [f"warm-up #{i}" for i in range(20)]
            _queue(database, warm)
            if not _wait_arrived(twilio, warm, 60):
                raise RuntimeError(f"the dispatcher sent nothing: {folder / 'dispatch.log'}")

            burst = [f"backlog #{i:05d}" for i in range(backlog)]
            committed = _queue(database, burst)
            drained = _wait_arrived(twilio, burst, 60 + backlog / 20)
            last = max(twilio.arrived.get(body, time.perf_counter()) for body in burst)
            throughput = len([b for b in burst if b in twilio.arrived]) / (last - committed)

            steady: dict[str, float] = {}
            count = int(steady_seconds * STEADY_RATE)
            started = time.perf_counter()
            for i in range(count):
                body = f"steady #{i:05d}"
                pause = started + i / STEADY_RATE - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                steady[body] = _queue(database, [body])
            offered = count / (time.perf_counter() - started)
            _wait_arrived(twilio, list(steady), 60)
            delays = sorted(
                twilio.arrived[body] - at for body, at in steady.items() if body in twilio.arrived
            )
            # Sends still in flight get their answer before the count.
            time.sleep(PROVIDER_LATENCY_SECONDS * 3)
            received = Counter(twilio.bodies())
            cpu = _cpu_seconds(dispatcher.pid)
        finally:
            stop_process(dispatcher, timeout=30)
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    missing = count - len(delays) + (0 if drained else 1)
    p95 = percentile(delays, 0.95)
    return [
        Figure(
            section,
            f"throughput, a backlog of {backlog:,}",
            throughput,
            "msg/s",
            f"≥ {THROUGHPUT_TARGET:.0f}",
            throughput >= THROUGHPUT_TARGET,
            note="one dispatcher process, from the commit to the last request",
        ),
        Figure(
            section,
            "commit → provider p50",
            percentile(delays, 0.5) * 1000,
            "ms",
            note=f"{len(delays):,} messages at {offered:.0f} msg/s, one per transaction",
        ),
        Figure(
            section,
            "commit → provider p95",
            p95 * 1000,
            "ms",
            f"≤ {COMMIT_TO_PROVIDER_TARGET_SECONDS * 1000:.0f}",
            p95 <= COMMIT_TO_PROVIDER_TARGET_SECONDS,
        ),
        Figure(
            section,
            "dispatcher CPU per message",
            cpu * 1000 / max(1, len(received)),
            "ms",
            note="the dispatch process's user + system time, warm-up included",
        ),
        Figure(section, "duplicates at the provider", duplicates, "count", "0", duplicates == 0),
        Figure(
            section,
            "not received",
            missing,
            "count",
            "0",
            missing == 0,
            note="steady messages, plus 1 if the backlog did not drain",
        ),
    ]
