"""Backend benchmark: ``python -m bench.backend [--quick] [--db sqlite|postgresql|both] …``.

Per database: seed the customers (default 1,000,000), time the indexed phone lookup in-process
(the database floor), start ``omo-backend serve`` as a child process and load it from other
processes (health = the HTTP floor, search by phone, invitation create), then hold long-poll
requests open (see bench/longpoll.py). Prints each figure beside its target; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict, dataclass, replace

from bench import dbfloor, loadgen, longpoll
from bench.data import Population, local_form
from bench.report import (
    Figure,
    backend_source,
    format_table,
    latency_figures,
    percentile,
    write_json,
)
from bench.seed import (
    STAFF_CODE,
    STAFF_PIN,
    BenchDatabase,
    enrollment_code,
    seed_counter,
    seed_customers,
)
from bench.server import ServerProcess, request, staff_session

INVITE_P95_TARGET_MS = 25.0
SEARCH_VS_FLOOR = 2.0

FULL = {
    "customers": 1_000_000,
    "requests": 500,
    "warmup": 50,
    "serial": 200,
    "lookups": 5000,
    "waiters": 1000,
}
QUICK = {
    "customers": 20_000,
    "requests": 30,
    "warmup": 10,
    "serial": 30,
    "lookups": 1000,
    "waiters": 200,
}


@dataclass(frozen=True)
class Options:
    customers: int
    requests: int
    warmup: int
    serial: int
    lookups: int
    waiters: int
    processes: int
    threads: int
    server_workers: int

    @property
    def clients(self) -> int:
        return self.processes * self.threads

    @property
    def invitations(self) -> int:
        """Phones the invitation loads use up: the loaded pass and the one-client pass."""
        return self.clients * (self.warmup + self.requests) + self.warmup + self.serial


@dataclass(frozen=True)
class Pass:
    """One run of the load generator: ``processes`` × ``threads`` clients."""

    label: str
    processes: int
    threads: int
    warmup: int
    requests: int

    @property
    def clients(self) -> int:
        return self.processes * self.threads

    @property
    def per_client(self) -> int:
        return self.warmup + self.requests


def _passes(options: Options) -> list[Pass]:
    loaded = Pass(
        f"{options.clients} clients",
        options.processes,
        options.threads,
        options.warmup,
        options.requests,
    )
    # The same requests one at a time: the service time, without queueing behind others.
    return [loaded, Pass("1 client", 1, 1, options.warmup, options.serial)]


def progress(message: str) -> None:
    """A line on stderr per step, so a long run shows where it is (the table goes to stdout)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _load(
    name: str, plan: loadgen.Plan, run: Pass, server: ServerProcess
) -> tuple[list[Figure], list[float]]:
    progress(name)
    cpu_before = server.status().cpu_seconds
    outcome = loadgen.run(plan, processes=run.processes, threads=run.threads)
    # /proc counts CPU per process, not per request, so the warm-up is in it too.
    cpu_ms = (server.status().cpu_seconds - cpu_before) * 1000 / (run.clients * run.per_client)
    count = f"{len(outcome.latencies)} requests"
    figures = latency_figures(name, outcome.latencies, seconds=outcome.seconds, count_note=count)
    figures.append(
        Figure(name, "server CPU per request", cpu_ms, "ms", note="server user+system time")
    )
    first, last = sorted(outcome.window(0.0, 0.2)), sorted(outcome.window(0.8, 1.0))
    if run.clients > 1 and first and last:
        # Work that grows with the rows the load itself writes shows up as a drift.
        p50_first = percentile(first, 0.5) * 1000
        p50_last = percentile(last, 0.5) * 1000
        figures.append(
            Figure(
                name,
                "p50, last fifth of the run",
                p50_last,
                "ms",
                note=f"first fifth: {p50_first:.2f} ms",
            )
        )
    if outcome.errors or outcome.reconnects:
        detail = f"{dict(outcome.statuses)}, {outcome.reconnects} reconnects, {outcome.first_error}"
        figures.append(
            Figure(name, "errors", outcome.errors, "count", "0", outcome.errors == 0, detail[:200])
        )
    return figures, sorted(outcome.latencies)


def _with_target(figures: list[Figure], label: str, target: str, limit: float) -> list[Figure]:
    return [
        replace(f, target=target, met=f.value <= limit)
        if f.name == label and f.value is not None
        else f
        for f in figures
    ]


def _phones_per_client(phones: list[str], run: Pass) -> list[list[str]]:
    each = run.per_client
    chunks = (phones[i * each : (i + 1) * each] for i in range(run.clients))
    return [[local_form(p) for p in chunk] for chunk in chunks]


def _seed(bench: BenchDatabase, population: Population, options: Options) -> list[Figure]:
    seed_counter(bench.db)
    seeded = seed_customers(bench.db, population)
    figures = [
        Figure(
            "seed",
            f"{seeded.customers:,} customers",
            seeded.seconds,
            "s",
            note=f"{seeded.customers / seeded.seconds:,.0f} rows/s; generating rows "
            f"{seeded.generate_seconds:.1f} s, ANALYZE {seeded.analyze_seconds:.1f} s",
        ),
    ]
    section = "database floor: SELECT … FROM customer WHERE phone = :p, in-process"
    phones = population.existing_phones(options.lookups + 200, seed=11)
    latencies, seconds = dbfloor.phone_lookups(bench.url, phones, warmup=200)
    figures += latency_figures(section, latencies, seconds=None)
    figures.append(
        Figure(section, "serial rate", len(latencies) / seconds, "lookups/s", note="one thread")
    )
    return figures


def _login(bench: BenchDatabase, server: ServerProcess) -> tuple[str, list[Figure]]:
    """Enroll a device and log staff in; the PIN is checked with argon2 (security.py)."""
    before = server.status()
    server.reset_peak()
    started = time.perf_counter()
    token = staff_session(server.port, enrollment_code(bench.db), STAFF_CODE, STAFF_PIN)
    seconds = time.perf_counter() - started
    after = server.status()
    growth = after.peak_rss_mb - before.rss_mb
    return token, [
        Figure("server", "enroll + staff login", seconds * 1000, "ms"),
        Figure(
            "server",
            "peak RSS growth during that login",
            growth,
            "MB",
            note="argon2 memory cost; concurrent logins of different staff add up",
        ),
    ]


def _loads(bench: BenchDatabase, population: Population, options: Options) -> list[Figure]:
    figures: list[Figure] = []
    with ServerProcess(bench.url, workers=options.server_workers) as server:
        figures.append(Figure("server", "start until healthy", server.start(), "s"))
        token, login = _login(bench, server)
        figures += login
        server.reset_peak()
        probe = local_form(population.existing_phones(1, seed=3)[0])
        status, found = request(
            server.port, "GET", f"/api/v1/customers/search?phone={probe}", token=token
        )
        if status != 200 or found["total"] != 1:
            raise RuntimeError(f"search does not find a seeded customer: {status} {found}")

        port = server.port
        invited = 0
        for run in _passes(options):
            count = run.clients * run.per_client
            plan = loadgen.Plan("health", port, 200, run.warmup, run.requests)
            health, health_sorted = _load(
                f"GET /health (HTTP floor), {run.label}", plan, run, server
            )
            figures += health

            phones = _phones_per_client(population.existing_phones(count, seed=5), run)
            plan = loadgen.Plan("search", port, 200, run.warmup, run.requests, token, phones)
            search, _ = _load(f"GET /customers/search?phone=, {run.label}", plan, run, server)
            limit = SEARCH_VS_FLOOR * percentile(health_sorted, 0.95) * 1000
            target = f"≤ {SEARCH_VS_FLOOR:g}× /health = {limit:.1f} ms"
            figures += _with_target(search, "p95", target, limit)

            # Numbers no customer has and nobody invited yet: each request is a new invitation.
            phones = _phones_per_client(population.spare_phones(invited, count), run)
            invited += count
            plan = loadgen.Plan("invite", port, 201, run.warmup, run.requests, token, phones)
            invite, _ = _load(f"POST /invitations, {run.label}", plan, run, server)
            target = f"≤ {INVITE_P95_TARGET_MS:g} ms"
            figures += _with_target(invite, "p95", target, INVITE_P95_TARGET_MS)

        after = server.status()
        figures.append(
            Figure(
                "server",
                "peak RSS during the loads (VmHWM)",
                after.peak_rss_mb,
                "MB",
                note=after.where,
            )
        )
    return figures


def _longpoll(bench: BenchDatabase, population: Population, options: Options) -> list[Figure]:
    # A fresh server process, so its memory is the long-poll's and not the loads' before it.
    with ServerProcess(bench.url, workers=options.server_workers) as server:
        server.start()
        token = staff_session(server.port, enrollment_code(bench.db), STAFF_CODE, STAFF_PIN)
        phones = population.spare_phones(options.invitations, options.waiters)
        wake_samples = 10 if options.waiters >= 500 else 5
        return longpoll.measure(server, bench.db, token, phones, wake_samples=wake_samples)


def run_database(kind: str, options: Options, population: Population) -> list[Figure]:
    progress(f"{kind}: creating the database")
    bench = BenchDatabase.create(kind)
    try:
        progress(f"{kind}: seeding {options.customers:,} customers")
        figures = _seed(bench, population, options)
        figures += _loads(bench, population, options)
        if options.waiters:
            progress(f"{kind}: long-poll, {options.waiters} waiters")
            figures += _longpoll(bench, population, options)
        return figures
    finally:
        bench.close()


def parse_options(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.backend", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every section")
    parser.add_argument("--customers", type=int, help="default 1,000,000 (quick: 20,000)")
    parser.add_argument("--requests", type=int, help="timed, per client and endpoint (500; 30)")
    parser.add_argument("--warmup", type=int, help="untimed, per client, first (50; 10)")
    parser.add_argument("--serial", type=int, help="timed, with one client (200; 30)")
    parser.add_argument("--lookups", type=int, help="database-floor lookups (5000; 1000)")
    parser.add_argument("--waiters", type=int, help="long-poll requests, 0 skips (1000; 200)")
    parser.add_argument("--processes", type=int, default=2, help="load processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="client threads in each (4)")
    parser.add_argument(
        "--server-workers", type=int, default=1, help="omo-backend serve --workers (1)"
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    chosen = {k: d if getattr(args, k) is None else getattr(args, k) for k, d in defaults.items()}
    options = Options(
        processes=args.processes,
        threads=args.threads,
        server_workers=args.server_workers,
        **chosen,
    )
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return options, kinds


def main(argv: list[str] | None = None) -> int:
    options, kinds = parse_options(argv)
    longpoll.raise_open_files_limit(options.waiters * 2 + 1024)
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = "  (other work is running: figures will be lower and noisier)" if load > cpus / 2 else ""
    print(f"backend: {backend_source()}", flush=True)
    print(f"load average before the bench: {load:.2f} on {cpus} CPUs{busy}", flush=True)

    began = time.perf_counter()
    population = Population.draw(options.customers, options.invitations + options.waiters)
    for kind in kinds:
        started = time.perf_counter()
        figures = run_database(kind, options, population)
        seconds = time.perf_counter() - started
        title = (
            f"Backend on {kind} ({options.server_workers} server process"
            f"{'es' if options.server_workers > 1 else ''}): {options.customers:,} customers; "
            f"{options.clients} clients ({options.processes} processes × {options.threads} "
            f"threads) × {options.requests} requests, then 1 client × {options.serial}; "
            f"{options.warmup} warm-up each"
        )
        print(format_table(title, figures))
        payload = {"database": kind, "options": asdict(options), "seconds": seconds}
        path = write_json(f"backend-{kind}", payload, figures)
        print(f"\n({seconds:.0f} s; written to {path})\n", flush=True)
    print(f"total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
