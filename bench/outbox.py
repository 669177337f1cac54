"""Outbox benchmark: ``python -m bench.outbox [--quick] [--db sqlite|postgresql|both] …``.

Per database: the dispatcher's claim and its throughput (outbox provider, nothing leaves the
machine) with no history, then again after 1,000,000 sent messages were added in one
generated INSERT. The claim reads only waiting rows (a partial index), so each figure should
be the same with or without the history. Last, the dispatch process against a fake Twilio
answering in 100 ms (``bench/outbox_provider.py``: msg/s, commit → provider p95,
duplicates); ``--provider-only`` runs that section alone. Prints each figure beside its
target; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, update

from bench.report import Figure, backend_source, format_table, percentile, write_json
from bench.seed import BenchDatabase
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.messaging.outbox import enqueue_sms
from omo_backend.models import Message
from omo_backend.settings import Settings
from tests.support.dispatchers import fill_sent_history, message_selects

# "Same cost with 0 or 1,000,000 messages of history": within this factor of the figure
# without history (a claim's rows may fall on one more page; timings also get a little
# absolute room for figures well under a millisecond).
SAME_COST_FACTOR = 1.5
SAME_COST_SLACK_MS = 0.2
WAITING_IN_CLAIM = 20
PHONE = "+886912345678"
BODY = "OMO: finish joining at https://omo.example/r/Zx81kqPq3mT0aBcDeFgHiJ"

FULL = {
    "history": 1_000_000,
    "claims": 300,
    "messages": 2000,
    "idle_seconds": 5.0,
    "backlog": 2000,
    "steady_seconds": 10.0,
}
QUICK = {
    "history": 20_000,
    "claims": 50,
    "messages": 200,
    "idle_seconds": 1.0,
    "backlog": 500,
    "steady_seconds": 3.0,
}


@dataclass(frozen=True)
class Options:
    history: int
    claims: int
    messages: int
    idle_seconds: float
    backlog: int
    steady_seconds: float
    provider_only: bool = False


@dataclass(frozen=True)
class Measured:
    # The work of the SELECTs, counted rather than timed, so other load cannot blur it:
    # SQLite's virtual-machine steps or PostgreSQL's shared buffers touched.
    idle_work: int
    claim_work: int
    idle_ms: list[float]
    claim_ms: list[float]
    throughput: float
    dispatcher_cpu: float
    database_cpu: float | None


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def queue(
    database: Database, count: int, *, bodies: list[str] | None = None, provider: str = "outbox"
) -> list[int]:
    """``count`` SMS rows (or one per body) in one transaction, as the invitation service
    writes them."""
    with database.transaction() as session:
        return [
            enqueue_sms(
                session=session,
                to=PHONE,
                body=body,
                purpose="invitation",
                provider=provider,
                store_id=None,
                device_id=None,
                staff_id=None,
            ).id
            for body in (bodies if bodies is not None else [BODY] * count)
        ]


def _timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def select_work(database: Database, run: Callable[[], object]) -> int:
    """The work of every SELECT on the message table that ``run`` makes, run again with the
    same parameters in a transaction that is rolled back."""
    captured = message_selects(database, run)
    with database.engine.connect() as conn:
        return sum(_work(conn, statement, parameters) for statement, parameters in captured.items())


def _work(conn: Connection, statement: str, parameters: Any) -> int:
    if conn.dialect.name == "postgresql":
        explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
        top = conn.exec_driver_sql(explain + statement, parameters).scalar_one()[0]["Plan"]
        return int(top["Shared Hit Blocks"]) + int(top["Shared Read Blocks"])
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    driver: Any = conn.connection.driver_connection
    driver.set_progress_handler(count, 1)
    try:
        conn.exec_driver_sql(statement, parameters).all()
    finally:
        driver.set_progress_handler(None, 1)
    return steps


def _postgres_cpu_seconds(bench: BenchDatabase) -> float | None:
    """User + system time of the whole PostgreSQL cluster (postmaster and its children)."""
    if bench.cluster is None:
        return None
    postmaster = int((bench.cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0
    for task in Path("/proc").iterdir():
        if not task.name.isdigit():
            continue
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields 4 (ppid), 14 and 15 (utime, stime) of /proc/<pid>/stat.
        if int(task.name) == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(bench: BenchDatabase, options: Options) -> Measured:
    database = bench.db
    settings = Settings(_env_file=None, database_url=bench.url, sms_provider="outbox")
    dispatcher = Dispatcher(database, settings)

    # An idle poll: what a dispatcher does five times a second when nothing is waiting.
    idle_work = select_work(database, dispatcher.run_once)
    for _ in range(20):
        dispatcher.run_once()
    idle_ms = [_timed_ms(dispatcher.run_once) for _ in range(options.claims)]

    # A claim with 20 due rows: timed alone (the claim, not the sends), then handed back.
    # The bench times the claim by itself; run_once would add the 20 sends.
    waiting = queue(database, WAITING_IN_CLAIM)
    hand_back = (
        update(Message)
        .where(Message.id.in_(waiting))
        .values(status="queued", claimed_until=None, attempts=0)
    )
    claim_work = select_work(database, dispatcher._claim)
    with database.transaction() as session:
        session.execute(hand_back)
    claim_ms = []
    for _ in range(options.claims):
        claim_ms.append(_timed_ms(dispatcher._claim))
        with database.transaction() as session:
            session.execute(hand_back)
    with database.transaction() as session:
        session.execute(update(Message).where(Message.id.in_(waiting)).values(status="sent"))

    # Throughput: a backlog drained by one dispatcher, claims, sends and outcomes.
    queue(database, options.messages)
    started = time.perf_counter()
    sent = 0
    while (handled := dispatcher.run_once()) > 0:
        sent += handled
    throughput = sent / (time.perf_counter() - started)

    # Idle cost: run_forever with the default poll for a while, nothing to send.
    stop = threading.Event()
    worker = threading.Thread(target=dispatcher.run_forever, args=(stop,))
    cpu_before, db_before = time.process_time(), _postgres_cpu_seconds(bench)
    worker.start()
    time.sleep(options.idle_seconds)
    stop.set()
    worker.join()
    dispatcher_cpu = (time.process_time() - cpu_before) / options.idle_seconds
    db_after = _postgres_cpu_seconds(bench)
    database_cpu = (
        None
        if db_before is None or db_after is None
        else (db_after - db_before) / options.idle_seconds
    )
    return Measured(
        idle_work,
        claim_work,
        sorted(idle_ms),
        sorted(claim_ms),
        throughput,
        dispatcher_cpu,
        database_cpu,
    )


def _latency(section: str, name: str, value: float, baseline: float | None) -> Figure:
    """A time in ms; beside the same figure without history, when there is one."""
    if baseline is None:
        return Figure(section, name, value, "ms")
    limit = baseline * SAME_COST_FACTOR + SAME_COST_SLACK_MS
    return Figure(section, name, value, "ms", f"same as with 0 (≤ {limit:.2f} ms)", value <= limit)


def figures_for(section: str, measured: Measured, baseline: Measured | None) -> list[Figure]:
    work = "buffers touched" if measured.database_cpu is not None else "VM steps"
    before = baseline or measured  # without history, the figures stand alone
    figures = []
    for label, rows, count, count_before, values, values_before in (
        ("idle poll", 0, measured.idle_work, before.idle_work, measured.idle_ms, before.idle_ms),
        (
            f"claim, {WAITING_IN_CLAIM} waiting",
            WAITING_IN_CLAIM,
            measured.claim_work,
            before.claim_work,
            measured.claim_ms,
            before.claim_ms,
        ),
    ):
        name = f"{label}: {work} by its SELECTs"
        if baseline is None:
            figures.append(Figure(section, name, count, "count"))
        else:
            # Where PostgreSQL puts new rows varies (free space left by vacuumed ones), so
            # each row the SELECT returns may cost a page of its own; a walk past the
            # history would cost thousands.
            spread = rows if measured.database_cpu is not None else 0
            limit = max(math.ceil(count_before * SAME_COST_FACTOR), count_before + spread)
            target = f"same as with 0 ({count_before:,}; ≤ {limit:,})"
            figures.append(Figure(section, name, count, "count", target, count <= limit))
        for quantile, fraction in (("p50", 0.5), ("p95", 0.95)):
            was = None if baseline is None else percentile(values_before, fraction)
            value = percentile(values, fraction)
            figures.append(_latency(section, f"{label} {quantile}", value, was))
    throughput = Figure(section, "dispatch throughput", measured.throughput, "msg/s")
    if baseline is not None:
        floor = baseline.throughput / SAME_COST_FACTOR
        throughput = Figure(
            section,
            "dispatch throughput",
            measured.throughput,
            "msg/s",
            f"same as with 0 (≥ {floor:,.0f} msg/s)",
            measured.throughput >= floor,
        )
    figures.append(throughput)
    figures.append(
        Figure(
            section,
            "idle: dispatcher CPU",
            measured.dispatcher_cpu * 100,
            "% of a core",
            note="run_forever, poll every 0.2 s",
        )
    )
    if measured.database_cpu is not None:
        figures.append(
            Figure(
                section,
                "idle: PostgreSQL CPU",
                measured.database_cpu * 100,
                "% of a core",
                note="the whole cluster, background workers included",
            )
        )
    return figures


def settle_bulk_load(database: Database) -> None:
    """Leave the database as it is in steady state, not just after one huge INSERT, so the
    figures count the history and not the load's aftermath."""
    raw = database.engine.raw_connection()
    try:
        # The driver connection in autocommit: neither statement runs inside a transaction.
        driver: Any = raw.driver_connection
        if database.is_postgresql:
            # What autovacuum does after a bulk insert (and after the rows the measurement
            # without history sent).
            driver.autocommit = True
            driver.execute("VACUUM ANALYZE message")
            driver.autocommit = False  # as the pool hands it out
        else:
            # The INSERT went to the WAL whole; the next commit would copy it back first.
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def run_database(kind: str, options: Options) -> list[Figure]:
    progress(f"{kind}: creating the database")
    bench = BenchDatabase.create(kind)
    try:
        migrate.upgrade(bench.db.engine)
        if options.provider_only:
            return provider_figures(kind, bench, options)
        # A round first, not counted: each round's own sends and hand-backs leave the waiting
        # index a level deeper than a fresh one, so both counted rounds start from that.
        progress(f"{kind}: warming up (a round not counted)")
        measure(bench, options)
        settle_bulk_load(bench.db)
        progress(f"{kind}: measuring with no history")
        empty = measure(bench, options)
        figures = figures_for("no history", empty, None)
        progress(f"{kind}: adding {options.history:,} sent messages")
        started = time.perf_counter()
        fill_sent_history(bench.db, options.history)
        seconds = time.perf_counter() - started
        settle_bulk_load(bench.db)
        figures.append(
            Figure(
                "history",
                f"{options.history:,} sent rows, one INSERT + ANALYZE",
                seconds,
                "s",
                note=f"{options.history / seconds:,.0f} rows/s",
            )
        )
        progress(f"{kind}: measuring with {options.history:,} sent messages")
        full = measure(bench, options)
        figures += figures_for(f"{options.history:,} sent messages", full, empty)
        return figures + provider_figures(kind, bench, options)
    finally:
        bench.close()


def provider_figures(kind: str, bench: BenchDatabase, options: Options) -> list[Figure]:
    from bench import outbox_provider  # it uses this module's queue()

    progress(f"{kind}: the dispatch process against a fake Twilio answering in 100 ms")
    return outbox_provider.measure(
        bench.db, bench.url, backlog=options.backlog, steady_seconds=options.steady_seconds
    )


def parse_options(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a smoke run (20,000 sent rows)")
    parser.add_argument("--history", type=int, help="sent rows added (1,000,000; 20,000)")
    parser.add_argument("--claims", type=int, help="timed claims of each kind (300; 50)")
    parser.add_argument("--messages", type=int, help="messages drained for throughput (2000; 200)")
    parser.add_argument("--idle-seconds", type=float, help="idle run_forever, seconds (5; 1)")
    parser.add_argument("--backlog", type=int, help="backlog sent to the fake Twilio (2000; 500)")
    parser.add_argument(
        "--steady-seconds", type=float, help="steady 150 msg/s to the fake Twilio (10; 3)"
    )
    parser.add_argument("--provider-only", action="store_true", help="only the fake Twilio section")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    chosen = {k: d if getattr(args, k) is None else getattr(args, k) for k, d in defaults.items()}
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    options = Options(
        history=int(chosen["history"]),
        claims=int(chosen["claims"]),
        messages=int(chosen["messages"]),
        idle_seconds=float(chosen["idle_seconds"]),
        backlog=int(chosen["backlog"]),
        steady_seconds=float(chosen["steady_seconds"]),
        provider_only=args.provider_only,
    )
    return options, kinds


def main(argv: list[str] | None = None) -> int:
    options, kinds = parse_options(argv)
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = "  (other work is running: figures will be lower and noisier)" if load > cpus / 2 else ""
    print(f"backend: {backend_source()}", flush=True)
    print(f"load average before the bench: {load:.2f} on {cpus} CPUs{busy}", flush=True)
    for kind in kinds:
        started = time.perf_counter()
        figures = run_database(kind, options)
        seconds = time.perf_counter() - started
        title = (
            f"Outbox on {kind}: claim and dispatch with 0 and {options.history:,} sent messages; "
            f"{options.claims} claims of each kind, {options.messages} messages drained"
        )
        if options.provider_only:
            title = f"Outbox on {kind}: the dispatch process and a fake Twilio"
        print(format_table(title, figures))
        payload = {"database": kind, "options": asdict(options), "seconds": seconds}
        path = write_json(f"outbox-{kind}", payload, figures)
        print(f"\n({seconds:.0f} s; written to {path})\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
