"""Closed-loop HTTP load from other processes: keep-alive connections, one per client thread.

Each client thread sends its requests back to back on one ``http.client`` connection and times
each one from send to the last byte of the reply. Threads are spread over several processes so
the clients' own Python (one GIL per process) does not become what is measured.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

_RETRYABLE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


@dataclass(frozen=True)
class Plan:
    """What every client sends. ``phones`` holds one list per client thread (or none)."""

    kind: str  # "health" | "search" | "invite"
    port: int
    expect: int
    warmup: int
    requests: int
    token: str | None = None
    phones: list[list[str]] = field(default_factory=list)
    # Several API processes (as behind a reverse proxy): client i sends to ports[i % len].
    ports: list[int] = field(default_factory=list)

    def port_of(self, client: int) -> int:
        return self.ports[client % len(self.ports)] if self.ports else self.port


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # perf_counter, parallel to latencies
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    reconnects: int = 0
    first_error: str = ""
    started: float = 0.0
    finished: float = 0.0

    def merge(self, other: Outcome) -> None:
        self.latencies.extend(other.latencies)
        self.sent_at.extend(other.sent_at)
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.errors += other.errors
        self.reconnects += other.reconnects
        self.first_error = self.first_error or other.first_error
        self.started = min(self.started, other.started) if self.started else other.started
        self.finished = max(self.finished, other.finished)

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def window(self, start: float, end: float) -> list[float]:
        """Latencies of the requests sent between two fractions of the run (0 to 1)."""
        lo = self.started + start * self.seconds
        hi = self.started + end * self.seconds
        return [lat for lat, at in zip(self.latencies, self.sent_at, strict=True) if lo <= at < hi]


def _request(
    plan: Plan, phones: list[str], index: int
) -> tuple[str, str, bytes | None, dict[str, str]]:
    headers = {"Authorization": f"Bearer {plan.token}"} if plan.token else {}
    if plan.kind == "health":
        return "GET", "/api/v1/health", None, headers
    if plan.kind == "search":
        return "GET", f"/api/v1/customers/search?phone={quote(phones[index])}", None, headers
    if plan.kind == "invite":
        headers["Idempotency-Key"] = uuid.uuid4().hex
        headers["Content-Type"] = "application/json"
        return "POST", "/api/v1/invitations", json.dumps({"phone": phones[index]}).encode(), headers
    raise ValueError(plan.kind)


class _Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reconnects = 0

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        try:
            return self._send(method, path, body, headers)
        except _RETRYABLE:
            # The server closed an idle keep-alive connection; a browser would retry too.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.reconnects += 1
            return self._send(method, path, body, headers)

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        return reply.status, reply.read()


def _client_thread(
    plan: Plan, port: int, phones: list[str], start: threading.Barrier, outcome: Outcome
) -> None:
    client = _Client(port)
    try:
        for index in range(plan.warmup):
            try:
                client.send(*_request(plan, phones, index))
            except OSError as error:
                # Recorded, not raised: the other clients wait for this one at the barrier.
                outcome.first_error = outcome.first_error or f"warm-up: {error!r}"
        start.wait()
        outcome.started = time.perf_counter()
        for index in range(plan.warmup, plan.warmup + plan.requests):
            method, path, body, headers = _request(plan, phones, index)
            sent = time.perf_counter()
            try:
                status, raw = client.send(method, path, body, headers)
            except OSError as error:
                outcome.errors += 1
                outcome.first_error = outcome.first_error or repr(error)
                continue
            outcome.latencies.append(time.perf_counter() - sent)
            outcome.sent_at.append(sent)
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
            if status != plan.expect:
                outcome.errors += 1
                outcome.first_error = outcome.first_error or f"{status} {raw[:300]!r}"
        outcome.finished = time.perf_counter()
    finally:
        outcome.reconnects = client.reconnects
        client.conn.close()


def _worker_main() -> None:
    """``python -m bench.loadgen``: one load process, driven over stdin and stdout.

    Reads the plan and its client indexes as one JSON line, warms up, writes ``ready``, waits
    for ``go`` (so every process starts the timed part together), and writes its outcome.
    """
    job = json.loads(sys.stdin.readline())
    plan = Plan(**job["plan"])
    indexes: list[int] = job["clients"]
    outcomes = [Outcome() for _ in indexes]

    def all_processes_ready() -> None:
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            raise SystemExit("the bench went away")

    # The last thread of this process to finish its warm-up waits for the other processes.
    start = threading.Barrier(len(indexes), action=all_processes_ready)
    threads = [
        threading.Thread(
            target=_client_thread,
            args=(plan, plan.port_of(i), plan.phones[i] if plan.phones else [], start, outcome),
        )
        for i, outcome in zip(indexes, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = Outcome()
    for outcome in outcomes:
        merged.merge(outcome)
    print(json.dumps(asdict(merged)), flush=True)


def run(plan: Plan, *, processes: int, threads: int, timeout: float = 300) -> Outcome:
    """``processes`` × ``threads`` clients, each ``plan.warmup`` then ``plan.requests`` requests.

    The processes are plain ``python -m bench.loadgen`` children rather than multiprocessing
    ones: spawning those would import the bench's own main module (SQLAlchemy, the backend)
    in each, a second per process on a busy 2-core machine.
    """
    if plan.phones and len(plan.phones) < processes * threads:
        raise ValueError("one phone list per client thread is needed")
    # perf_counter is CLOCK_MONOTONIC on Linux, so times from the clients compare.
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen"],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    # Reading the children's replies on threads lets a stuck child time out.
    pool = ThreadPoolExecutor(processes)
    try:
        for number, worker in enumerate(workers):
            clients = list(range(number * threads, (number + 1) * threads))
            _write_line(worker, json.dumps({"plan": asdict(plan), "clients": clients}))
        ready = list(pool.map(_read_line, workers, timeout=timeout))
        if any(line != "ready" for line in ready):
            raise RuntimeError(f"a load process did not get ready: {ready}")
        for worker in workers:
            _write_line(worker, "go")
        results = list(pool.map(_read_line, workers, timeout=timeout))
    finally:
        for worker in workers:
            try:
                worker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        pool.shutdown()
    merged = Outcome()
    for line in results:
        if not line.startswith("{"):
            raise RuntimeError(f"a load process failed: {line!r}")
        data = json.loads(line)
        data["statuses"] = {int(k): v for k, v in data["statuses"].items()}  # JSON keys: str
        merged.merge(Outcome(**data))
    return merged


def _write_line(worker: subprocess.Popen[str], line: str) -> None:
    assert worker.stdin is not None
    worker.stdin.write(line + "\n")
    worker.stdin.flush()


def _read_line(worker: subprocess.Popen[str]) -> str:
    assert worker.stdout is not None
    return worker.stdout.readline().strip()


if __name__ == "__main__":
    _worker_main()
