"""Member-management benchmark: ``python -m bench.members [--quick] [--members N] [--db …]``.

Per database (a SQLite file, or a throwaway PostgreSQL cluster): the member base is bulk-loaded
(bench/member_data.py: default 1,000,000 customers with referrals, levels, orders, carts and
points), ``omo-backend serve`` runs as a child process, a manager and head office's admin log
in over HTTP, then one keep-alive client times, request by request, the first page of
``GET /members`` for each filter, ``q`` and sort, ``GET /members/overview``, and the whole
``GET /members/export.csv`` while the server's peak RSS (VmHWM, reset first) is read.

Latencies are wall time at the client from sending the request to the reply's last byte,
against the real server over loopback with one client: the server's service time plus the
HTTP floor, which is measured too (``GET /health``). Figures are printed beside their targets,
never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

from bench.data import Population, local_form
from bench.member_data import ADMIN, MANAGER, seed_members, seed_people
from bench.report import Figure, backend_source, format_table, percentile, write_json
from bench.seed import BenchDatabase, enrollment_code
from bench.server import ServerProcess, staff_session

LIST_P95_TARGET_MS = 150.0
OVERVIEW_P95_TARGET_MS = 200.0
EXPORT_RATE_TARGET = 50_000.0
EXPORT_RSS_TARGET_MB = 150.0
APP_ROWS = 100_000
APP_STALL_TARGET_MS = 50.0
APP_RSS_TARGET_MB = 250.0
ROOT = Path(__file__).resolve().parent.parent

FULL = {"members": 1_000_000, "runs": 30, "warmup": 3}
QUICK = {"members": 20_000, "runs": 20, "warmup": 2}


@dataclass(frozen=True)
class Options:
    members: int
    runs: int
    warmup: int
    export: bool
    app: bool


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def list_cases(population: Population) -> list[tuple[str, str]]:
    """(label, query string) of the first pages timed: every filter, ``q`` and a few sorts."""
    today = datetime.now(UTC).date()
    phone = local_form(population.existing_phones(1, seed=21)[0])
    return [
        ("no filter (newest members first)", ""),
        ("level=gold", "level=gold"),
        ("status=new_7d", "status=new_7d"),
        ("status=open_cart", "status=open_cart"),
        ("spend_min & spend_max", "spend_min=500000&spend_max=2000000"),
        ("store=KHH01 (referral store)", "store=KHH01"),
        ("staff=0302 (referral staff)", "staff=0302"),
        ("line=true", "line=true"),
        (
            "joined_from & joined_to (last 90 days)",
            f"joined_from={today - timedelta(days=90)}&joined_to={today}",
        ),
        ("level & store & line combined", "level=silver&store=TPE02&line=true"),
        ("kind=past_buyer", "kind=past_buyer"),
        ("q=陳美玲 (full Chinese name)", "q=%E9%99%B3%E7%BE%8E%E7%8E%B2"),
        ("q=美玲 (part of a Chinese name)", "q=%E7%BE%8E%E7%8E%B2"),
        ("q=grace (part of an English name)", "q=grace"),
        ("q=chen (part of an English name)", "q=chen"),
        ("q=a whole mobile number", f"q={phone}"),
        ("q=last 6 digits of a mobile", f"q={phone[-6:]}"),
        ("q=part of an e-mail", "q=m000123"),
        ("sort=name", "sort=name"),
        ("sort=-net_spend", "sort=-net_spend"),
        ("sort=-orders_count & level=gold", "sort=-orders_count&level=gold"),
    ]


class Client:
    """One keep-alive connection; times each request to the reply's last byte."""

    def __init__(self, port: int, token: str) -> None:
        self._port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self._headers = {"Authorization": f"Bearer {token}"}

    def _send(self, path: str) -> http.client.HTTPResponse:
        try:
            self._conn.request("GET", path, headers=self._headers)
            return self._conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closes a connection left idle (uvicorn's keep-alive timeout).
            self._conn.close()
            self._conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=600)
            self._conn.request("GET", path, headers=self._headers)
            return self._conn.getresponse()

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        reply = self._send(path)
        body = reply.read()
        return reply.status, body, time.perf_counter() - started

    def stream(self, path: str, chunk: int = 1 << 16) -> tuple[int, int, int, float]:
        """(status, bytes, lines, seconds) of a reply read as it comes."""
        started = time.perf_counter()
        reply = self._send(path)
        size = lines = 0
        while True:
            part = reply.read(chunk)
            if not part:
                break
            size += len(part)
            lines += part.count(b"\n")
        return reply.status, size, lines, time.perf_counter() - started

    def close(self) -> None:
        self._conn.close()


def _timed(client: Client, path: str, options: Options) -> tuple[list[float], int, bytes]:
    """Latencies (s) of ``options.runs`` timed requests after the warm-up, the status, a body."""
    status, body = 0, b""
    for _ in range(options.warmup):
        status, body, _ = client.get(path)
    latencies = []
    for _ in range(options.runs):
        status, body, seconds = client.get(path)
        latencies.append(seconds)
    return sorted(latencies), status, body


def _latency(
    section: str, label: str, latencies: list[float], status: int, target_ms: float | None
) -> Figure:
    p95 = percentile(latencies, 0.95) * 1000
    note = f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    if status != 200:
        note = f"HTTP {status}! {note}"
    return Figure(
        section,
        label,
        p95,
        "ms",
        target=f"p95 ≤ {target_ms:g} ms" if target_ms else "",
        met=(p95 <= target_ms and status == 200) if target_ms else None,
        note=note,
    )


def _missing(section: str, name: str) -> Figure:
    return Figure(section, name, None, "", note="not measured: 404, no such route on this branch")


def _total(body: bytes) -> str:
    try:
        reply = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(reply, dict) or "items" not in reply:
        return str(reply)[:120]
    exact = "" if reply.get("total_exact", True) else "≥ "
    return f"{len(reply['items'])} rows, total {exact}{reply.get('total')}"


def measure(
    server: ServerProcess, db: BenchDatabase, population: Population, options: Options
) -> list[Figure]:
    manager = Client(server.port, staff_session(server.port, enrollment_code(db.db), *MANAGER[1:]))
    admin = Client(server.port, staff_session(server.port, enrollment_code(db.db), *ADMIN[1:]))
    figures: list[Figure] = []
    floor, status, _ = _timed(manager, "/api/v1/health", options)
    figures.append(_latency("HTTP floor", "GET /health", floor, status, None))

    section = f"GET /members first page (limit 50), as a manager, p95 of {options.runs}"
    progress(section)
    for label, query in list_cases(population):
        path = f"/api/v1/members?{query}" if query else "/api/v1/members"
        latencies, status, body = _timed(manager, path, options)
        figure = _latency(section, label, latencies, status, LIST_P95_TARGET_MS)
        figures.append(Figure(**{**asdict(figure), "note": f"{figure.note}; {_total(body)}"}))
        progress(f"  {label}: p95 {figure.value:.1f} ms ({figure.note})")

    latencies, status, _ = _timed(manager, "/api/v1/members/overview", options)
    progress(f"overview: p95 {percentile(latencies, 0.95) * 1000:.1f} ms")
    if status == HTTPStatus.NOT_FOUND:
        figures.append(_missing("GET /members/overview", "manager"))
    else:
        figures.append(
            _latency("GET /members/overview", "manager", latencies, status, OVERVIEW_P95_TARGET_MS)
        )
    if options.export:
        for client, who in ((admin, "admin: every member"), (manager, "manager: own store")):
            try:
                figures += _export(server, client, who)
            except (OSError, http.client.HTTPException) as exc:
                figures.append(Figure(f"export, {who}", "failed", None, "", note=repr(exc)[:200]))
    manager.close()
    admin.close()
    return figures


def _export(server: ServerProcess, client: Client, who: str) -> list[Figure]:
    progress(f"export, {who}")
    section = f"GET /members/export.csv, {who}"
    server.reset_peak()
    before = server.status()
    status, size, lines, seconds = client.stream("/api/v1/members/export.csv")
    after = server.status()
    if status == HTTPStatus.NOT_FOUND:
        return [_missing(section, "rows per second")]
    rows = max(lines - 1, 0)  # the header
    rate = rows / seconds if seconds else 0.0
    progress(f"  {rows:,} rows in {seconds:.1f} s, server VmHWM {after.peak_rss_mb:.0f} MB")
    # CPU time of the server process: on a busy machine the wall rate says more about the
    # neighbours than about the export (SQLite's reads are in it; PostgreSQL's are not).
    cpu = after.cpu_seconds - before.cpu_seconds
    per_cpu = f"{rows / cpu:,.0f} rows per server CPU-second" if cpu > 0 else "no CPU time read"
    note = f"{rows:,} rows, {size / 1e6:.1f} MB in {seconds:.1f} s; {per_cpu}"
    if status != 200:
        note = f"HTTP {status}! {note}"
    return [
        Figure(
            section,
            "rows per second",
            rate,
            "rows/s",
            target=f"≥ {EXPORT_RATE_TARGET:,.0f} rows/s",
            met=rate >= EXPORT_RATE_TARGET and status == 200,
            note=note,
        ),
        Figure(
            section,
            "server peak RSS (VmHWM)",
            after.peak_rss_mb,
            "MB",
            target=f"< {EXPORT_RSS_TARGET_MB:g} MB",
            met=after.peak_rss_mb < EXPORT_RSS_TARGET_MB,
            note=f"RSS before {before.rss_mb:.0f} MB; {after.where}",
        ),
    ]


def app_figures(server: ServerProcess, db: BenchDatabase, members: int) -> list[Figure]:
    """The app's Members screen in a process of its own (bench/app_members.py)."""
    rows = min(APP_ROWS, members)
    section = f"app: Members table scrolled to row {rows:,} (offscreen, own process)"
    progress(section)
    config = {
        "base_url": server.base_url,
        "enrollment_code": enrollment_code(db.db),
        "staff_code": MANAGER[1],
        "pin": MANAGER[2],
        "rows": rows,
    }
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.app_members"],
        input=json.dumps(config),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=3600,
        check=False,
    )
    sys.stderr.write(done.stderr[-4000:] if done.returncode else "")
    if done.returncode != 0:
        return [Figure(section, "app process failed", done.returncode, "count", note="see above")]
    result: dict[str, Any] = json.loads(done.stdout)
    scrolling = sorted(result["late_ms"].get("scrolling", [0.0]))
    first = sorted(result["late_ms"].get("first page", [0.0]))
    worst = scrolling[-1]
    over = sum(1 for late in scrolling if late > APP_STALL_TARGET_MS)
    pages = result["loaded_rows"] / 100
    full = sorted(result["gc_ms"]["2"])
    collected = f"; {len(full)} full GCs, longest {full[-1]:.0f} ms" if full else ""
    end = result["memory_end"]
    return [
        Figure(
            section,
            "first page shown",
            result["first_page_ms"],
            "ms",
            note=f"longest UI stall while the screen first shows: {first[-1]:.0f} ms",
        ),
        Figure(
            section,
            f"time to row {result['rows']:,}",
            result["scroll_seconds"],
            "s",
            note=f"{result['loaded_rows']:,} rows loaded, "
            f"{pages / result['scroll_seconds']:.0f} pages of 100/s",
        ),
        Figure(
            section,
            "longest UI stall while scrolling",
            worst,
            "ms",
            target=f"≤ {APP_STALL_TARGET_MS:g} ms",
            met=worst <= APP_STALL_TARGET_MS,
            note=f"5 ms heartbeat: {len(scrolling):,} ticks while scrolling, {over} over "
            f"{APP_STALL_TARGET_MS:g} ms, p99 lateness {percentile(scrolling, 0.99):.1f} ms"
            f"{collected}",
        ),
        Figure(
            section,
            "app peak RSS (VmHWM)",
            end["peak_mb"],
            "MB",
            target=f"≤ {APP_RSS_TARGET_MB:g} MB",
            met=end["peak_mb"] <= APP_RSS_TARGET_MB,
            note=f"RSS {result['memory_start']['rss_mb']:.0f} MB before the screen, "
            f"{end['rss_mb']:.0f} MB at the end",
        ),
    ]


def run_database(kind: str, options: Options, population: Population) -> list[Figure]:
    progress(f"{kind}: creating the database")
    db = BenchDatabase.create(kind)
    try:
        refs = seed_people(db.db)
        progress(f"{kind}: seeding {options.members:,} customers with orders and carts")
        seeded = seed_members(db.db, population, refs)
        figures = [
            Figure(
                "seed",
                f"{seeded.customers:,} customers ({seeded.members:,} members)",
                seeded.seconds,
                "s",
                note=f"{seeded.rows:,} rows in all ({seeded.orders:,} orders), "
                f"{seeded.rows / seeded.seconds:,.0f} rows/s; generating "
                f"{seeded.generate_seconds:.1f} s, ANALYZE {seeded.analyze_seconds:.1f} s",
            )
        ]
        with ServerProcess(db.url) as server:
            figures.append(Figure("server", "start until healthy", server.start(), "s"))
            figures += measure(server, db, population, options)
            if options.app:
                try:
                    figures += app_figures(server, db, seeded.members)
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    figures.append(Figure("app", "failed", None, "", note=repr(exc)[:200]))
        return figures
    finally:
        db.close()


def parse_options(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.members", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="20,000 customers, 20 runs")
    parser.add_argument("--members", type=int, help="customers (default 1,000,000; 60 %% members)")
    parser.add_argument("--runs", type=int, help="timed requests per case (30; quick 20)")
    parser.add_argument("--warmup", type=int, help="untimed requests first (3; quick 2)")
    parser.add_argument("--no-export", action="store_true", help="skip the export")
    parser.add_argument("--no-app", action="store_true", help="skip the app's Members table")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    chosen = {k: d if getattr(args, k) is None else getattr(args, k) for k, d in defaults.items()}
    options = Options(export=not args.no_export, app=not args.no_app, **chosen)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return options, kinds


def main(argv: list[str] | None = None) -> int:
    options, kinds = parse_options(argv)
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = "  (other work is running: figures will be lower and noisier)" if load > cpus / 2 else ""
    print(f"backend: {backend_source()}", flush=True)
    print(f"load average before the bench: {load:.2f} on {cpus} CPUs{busy}", flush=True)
    population = Population.draw(options.members, 0)
    for kind in kinds:
        started = time.perf_counter()
        figures = run_database(kind, options, population)
        seconds = time.perf_counter() - started
        title = (
            f"Member management on {kind}: {options.members:,} customers; one keep-alive "
            f"client against `omo-backend serve` (1 process), {options.warmup} warm-up + "
            f"{options.runs} timed requests per case, client wall time"
        )
        print(format_table(title, figures))
        path = write_json(f"members-{kind}", {"database": kind, **asdict(options)}, figures)
        print(f"\n({seconds:.0f} s; written to {path})\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
