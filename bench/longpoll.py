"""Long-poll cost: what holding many ``GET /api/v1/invitations/{id}?wait=25`` costs the server.

``python -m bench.longpoll`` (or the last section of ``python -m bench.backend``): one server
process, N invitations, N long-poll requests held open at once by an asyncio client in another
process. Reads the server's RSS, threads and CPU from /proc while it holds them, then changes
a few invitations and times how long their waiting requests take to return: through the API
(the same process), and by a write from this process, as another API process or the
dispatcher would write it. On PostgreSQL that write's NOTIFY wakes the server (migration 0015;
target: p95 ≤ 50 ms from the commit to the reply); on SQLite the server's tick does.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from bench.data import Population, local_form
from bench.report import Figure, format_table, percentile, write_json
from bench.seed import (
    STAFF_CODE,
    STAFF_PIN,
    BenchDatabase,
    enrollment_code,
    seed_counter,
    seed_customers,
)
from bench.server import ServerProcess, request, staff_session
from omo_backend.db import Database
from omo_backend.models import Invitation, utcnow

RSS_TARGET_MB = 300.0
WAIT_SECONDS = 25
CROSS_PROCESS_P95_TARGET_MS = 50.0


def raise_open_files_limit(wanted: int = 65536) -> int:
    """Each held request is a socket in the client and one in the server (children inherit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)


def create_invitations(port: int, token: str, phones: list[str], threads: int = 4) -> list[int]:
    def create(phone: str) -> int:
        status, reply = request(
            port, "POST", "/api/v1/invitations", body={"phone": local_form(phone)}, token=token
        )
        if status != 201:
            raise RuntimeError(f"invitation not created: {status} {reply}")
        invitation_id: int = reply["id"]
        return invitation_id

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(create, phones))


# --- the client process -------------------------------------------------------------------


@dataclass(frozen=True)
class _Shared:
    sent: Any  # multiprocessing Value('i'): requests written
    returned_at: Any  # Array('d'): perf_counter when each reply was read (0: still held)
    status: Any  # Array('i'): HTTP status of each reply (negative: connection failure)
    cancelled: Any  # Array('b'): the reply says the invitation is cancelled


async def _hold_one(port: int, token: str, index: int, invitation_id: int, shared: _Shared) -> None:
    head = (
        f"GET /api/v1/invitations/{invitation_id}?wait={WAIT_SECONDS} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    writer = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        await writer.drain()
        with shared.sent.get_lock():
            shared.sent.value += 1
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        returned = time.perf_counter()
        shared.status[index] = int(lines[0].split(b" ", 2)[1])
        shared.cancelled[index] = b'"status":"cancelled"' in body
        # Last: the bench reads the other two as soon as it sees this one set.
        shared.returned_at[index] = returned
    except (OSError, asyncio.IncompleteReadError, ValueError):
        shared.status[index] = -1
        shared.returned_at[index] = time.perf_counter()
    finally:
        if writer is not None:
            writer.close()


def _client_main(port: int, token: str, ids: list[int], shared: _Shared) -> None:
    async def hold_all() -> None:
        await asyncio.gather(*(_hold_one(port, token, i, n, shared) for i, n in enumerate(ids)))

    asyncio.run(hold_all())


# --- the measurement ----------------------------------------------------------------------


def _cpu_share(server: ServerProcess, seconds: float) -> float:
    before = server.status().cpu_seconds
    time.sleep(seconds)
    return (server.status().cpu_seconds - before) / seconds


def _wait_returned(shared: _Shared, index: int, timeout: float = 10.0) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shared.returned_at[index]:
            returned: float = shared.returned_at[index]
            return returned
        time.sleep(0.001)
    return None


def _change_elsewhere(db: Database, invitation_ids: list[int]) -> None:
    """What another process (a second API worker, the dispatcher) writing a status looks like."""
    with db.transaction() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id.in_(invitation_ids))
            .values(status="cancelled", version=Invitation.version + 1, updated_at=utcnow())
        )


def measure(
    server: ServerProcess, db: Database, token: str, phones: list[str], *, wake_samples: int = 40
) -> list[Figure]:
    section = "long-poll"
    waiters = len(phones)
    raise_open_files_limit(waiters * 2 + 1024)
    started = time.perf_counter()
    ids = create_invitations(server.port, token, phones)
    created_seconds = time.perf_counter() - started
    time.sleep(0.5)
    before = server.status()
    server.reset_peak()

    context = multiprocessing.get_context("spawn")
    shared = _Shared(
        sent=context.Value("i", 0),
        returned_at=context.Array("d", waiters, lock=False),
        status=context.Array("i", waiters, lock=False),
        cancelled=context.Array("b", waiters, lock=False),
    )
    client = context.Process(
        target=_client_main, args=(server.port, token, ids, shared), daemon=True
    )
    opened = time.perf_counter()
    client.start()
    try:
        deadline = time.monotonic() + 60
        while shared.sent.value < waiters and time.monotonic() < deadline:
            time.sleep(0.05)
        all_sent = time.perf_counter() - opened
        # Held means parked on the watcher: the server goes quiet once every request has done
        # its first read and is waiting. Up to 12 s, so the measurement stays well inside
        # the 25 s the requests wait.
        settle_deadline = time.monotonic() + 12
        while time.monotonic() < settle_deadline and _cpu_share(server, 0.5) > 0.3:
            pass
        parked = time.perf_counter() - opened
        holding = server.status()
        idle_cpu = _cpu_share(server, 1.0)
        early = sum(1 for i in range(waiters) if shared.returned_at[i])

        # Wake-ups: a cancel through the API (same process: notify()), then a change written
        # by another process (its NOTIFY on PostgreSQL, the watcher's next tick on SQLite),
        # one invitation at a time.
        by_cancel: list[float] = []
        by_tick: list[float] = []
        samples = min(wake_samples, waiters // 4)
        for index in range(samples):
            sent = time.perf_counter()
            status, _ = request(
                server.port, "POST", f"/api/v1/invitations/{ids[index]}/cancel", token=token
            )
            returned = _wait_returned(shared, index)
            if status == 200 and returned is not None and shared.cancelled[index]:
                by_cancel.append(returned - sent)
        for index in range(samples, 2 * samples):
            sent = time.perf_counter()
            _change_elsewhere(db, [ids[index]])
            returned = _wait_returned(shared, index)
            if returned is not None and shared.cancelled[index]:
                by_tick.append(returned - sent)

        # Everyone else at once: one write wakes them all at the next tick.
        rest = list(range(2 * samples, waiters))
        sent = time.perf_counter()
        _change_elsewhere(db, [ids[i] for i in rest])
        for index in rest:
            _wait_returned(shared, index, timeout=max(1.0, sent + 30 - time.perf_counter()))
        last = max((shared.returned_at[i] for i in rest), default=sent)
        released = last - sent
        after = server.status()
    finally:
        client.join(timeout=WAIT_SECONDS + 10)
        if client.is_alive():
            client.kill()

    failed = sum(1 for i in range(waiters) if shared.status[i] != 200)
    woke_cancelled = sum(1 for i in range(waiters) if shared.cancelled[i])
    growth_kb = (holding.rss_mb - before.rss_mb) * 1024 / waiters
    return [
        Figure(
            section,
            "invitations created (HTTP, 4 threads)",
            created_seconds,
            "s",
            note=f"{waiters} invitations",
        ),
        Figure(section, "all requests sent", all_sent, "s", note=f"{waiters} connections"),
        Figure(
            section, "held, server quiet", parked, "s", note="server CPU < 30 % of a core, or 12 s"
        ),
        Figure(
            section,
            "returned before any change",
            early,
            "count",
            "0",
            early == 0,
            note="should all still be held",
        ),
        Figure(
            section,
            "server RSS before",
            before.rss_mb,
            "MB",
            note=before.where,
        ),
        Figure(
            section,
            f"server RSS holding {waiters}",
            holding.rss_mb,
            "MB",
            f"< {RSS_TARGET_MB:.0f} MB",
            holding.rss_mb < RSS_TARGET_MB,
            note=f"{holding.where}; {growth_kb:.1f} KB per waiter",
        ),
        Figure(
            section,
            "server peak RSS while waiting and waking",
            after.peak_rss_mb,
            "MB",
            f"< {RSS_TARGET_MB:.0f} MB",
            after.peak_rss_mb < RSS_TARGET_MB,
            note="VmHWM from the first request to the last reply",
        ),
        Figure(
            section,
            f"server CPU holding {waiters} (idle)",
            idle_cpu * 100,
            "% of a core",
            note="the watcher's tick",
        ),
        _summary(section, "wake-up after cancel (API, notify)", by_cancel, samples),
        _summary(
            section,
            "wake-up after change by another process",
            by_tick,
            samples,
            extra="NOTIFY" if db.is_postgresql else "≈ OMO_LONGPOLL_CHECK_SECONDS",
        ),
        _cross_process_p95(section, by_tick, notify=db.is_postgresql),
        Figure(
            section,
            f"the other {len(rest)} returned after one write",
            released * 1000,
            "ms",
            note="changed together: one tick, then each request reads and replies",
        ),
        Figure(
            section,
            "replies not 200, or not the new status",
            failed + waiters - woke_cancelled,
            "count",
            "0",
            failed == 0 and woke_cancelled == waiters,
        ),
    ]


def _cross_process_p95(section: str, values: list[float], *, notify: bool) -> Figure:
    name = "wake-up after change by another process, p95"
    if not values:
        return Figure(section, name, None, "ms", note="no wake-up observed")
    p95 = percentile(sorted(values), 0.95) * 1000
    if not notify:
        return Figure(section, name, p95, "ms", note="SQLite: the tick, no NOTIFY")
    target = CROSS_PROCESS_P95_TARGET_MS
    return Figure(section, name, p95, "ms", f"≤ {target:.0f}", p95 <= target, note="NOTIFY")


def _summary(
    section: str, name: str, values: list[float], expected: int, extra: str = ""
) -> Figure:
    if not values:
        return Figure(section, name, None, "ms", note="no wake-up observed")
    note = f"median of {len(values)}/{expected}, max {max(values) * 1000:.1f} ms"
    return Figure(
        section, name, statistics.median(values) * 1000, "ms", note=f"{note} {extra}".strip()
    )


# --- standalone ---------------------------------------------------------------------------


def run_standalone(kind: str, customers: int, waiters: int, check_seconds: float | None) -> None:
    bench = BenchDatabase.create(kind)
    try:
        seed_counter(bench.db)
        population = Population.draw(customers, waiters)
        seed_customers(bench.db, population)
        extra = {"OMO_LONGPOLL_CHECK_SECONDS": str(check_seconds)} if check_seconds else {}
        with ServerProcess(bench.url, extra_env=extra) as server:
            server.start()
            token = staff_session(server.port, enrollment_code(bench.db), STAFF_CODE, STAFF_PIN)
            figures = measure(server, bench.db, token, population.spare_phones(0, waiters))
        print(format_table(f"Long-poll on {kind} ({waiters} waiters)", figures))
        path = write_json(
            f"longpoll-{kind}",
            {"database": kind, "params": {"customers": customers, "waiters": waiters}},
            figures,
        )
        print(f"\nwritten to {path}\n")
    finally:
        bench.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.longpoll", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument(
        "--check-seconds",
        type=float,
        default=None,
        help="OMO_LONGPOLL_CHECK_SECONDS for the server (default: its own)",
    )
    args = parser.parse_args(argv)
    raise_open_files_limit(args.waiters * 2 + 1024)
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        run_standalone(kind, args.customers, args.waiters, args.check_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
