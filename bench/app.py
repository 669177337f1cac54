"""Counter app benchmark: ``python -m bench.app [--quick] [--db sqlite|postgresql|both] …``.

1. Cold start: ``omo-desktop --demo`` in fresh processes (bench/app_probe.py, offscreen), from
   the moment before the process is started to the Log in button painted enabled; then the
   same for an enrolled device (no embedded backend).
2. Per database: seed the customers (default 1,000,000) as bench/backend.py does, start
   ``omo-backend serve`` and ``omo-backend dispatch`` as child processes, time the serial HTTP
   floors, then run the app in a process of its own (bench/app_drive.py): log in, walk the
   three paths through the real widgets while a 5 ms timer measures the UI thread's stalls,
   read its memory, then time Confirm → customer page painted.

Prints each figure beside its target; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import loadgen
from bench.data import Population, local_form
from bench.report import Figure, format_table, machine, percentile, source, write_json
from bench.seed import (
    STAFF_CODE,
    STAFF_PIN,
    BenchDatabase,
    enrollment_code,
    seed_counter,
    seed_customers,
)
from bench.server import ServerProcess, request, staff_session

ROOT = Path(__file__).resolve().parent.parent
COLD_START_TARGET_MS = 1000.0
CONFIRM_P95_TARGET_MS = 100.0
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 200.0

FULL = {"customers": 1_000_000, "searches": 200, "warmup": 10, "cold_runs": 5}
QUICK = {"customers": 20_000, "searches": 30, "warmup": 5, "cold_runs": 3}
FLOOR_WARMUP = 20
TICK_MS = 5  # bench/app_drive.py's stall timer


@dataclass(frozen=True)
class Options:
    customers: int
    searches: int
    warmup: int
    cold_runs: int
    profile: bool


def progress(message: str) -> None:
    """A line on stderr per step, so a long run shows where it is (the table goes to stdout)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def app_source() -> str:
    return source("omo_desktop", "backend_client", "resources")


def _child_env(**extra: str) -> dict[str, str]:
    """The app's environment: offscreen, no OMO_* of the developer's, the bench importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMO_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- 1. cold start --------------------------------------------------------------------------


def _probe(mode: str, data_dir: Path, **extra: str) -> dict[str, float]:
    """One fresh app process; its marks in ms after the moment before it was started."""
    env = _child_env(OMO_DATA_DIR=str(data_dir), **extra)
    began = time.monotonic()  # CLOCK_MONOTONIC, as the probe's marks
    done = subprocess.run(
        [sys.executable, "-m", "bench.app_probe", mode],
        # Not the repository: a developer's .env there must not change the demo backend.
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"app_probe {mode} printed nothing:\n{done.stderr[-3000:]}")
    reply = json.loads(lines[-1])
    if reply["error"]:
        raise RuntimeError(f"app_probe {mode}: {reply['error']}\n{done.stderr[-3000:]}")
    return {k: (v - began) * 1000 for k, v in reply["marks"].items()}


_MARKS = (
    ("python", "Python running the probe"),
    ("imported", "omo_desktop.app imported"),
    ("built", "build() returned (window shown)"),
    ("painted", "first window painted"),
)


def _cold_figures(section: str, runs: list[dict[str, float]], label: str) -> list[Figure]:
    usable = [r["usable"] for r in runs]
    spread = f"{len(runs)} runs: {', '.join(f'{v:.0f}' for v in usable)} ms"
    figures = [
        Figure(
            section,
            f"{label}: Log in usable, median",
            _median(usable),
            "ms",
            f"≤ {COLD_START_TARGET_MS:,.0f} ms",
            _median(usable) <= COLD_START_TARGET_MS,
            spread,
        )
    ]
    for key, name in _MARKS:
        figures.append(
            Figure(section, f"{label}: {name}, median", _median([r[key] for r in runs]), "ms")
        )
    return figures


def cold_start_demo(runs: int) -> list[Figure]:
    folder = Path(tempfile.mkdtemp(prefix="omo-bench-demo-"))
    section = (
        f"cold start: omo-desktop --demo, offscreen, {runs} runs "
        "(run 1 on a fresh data folder, the rest on the folder it left)"
    )
    results = []
    try:
        for number in range(runs):
            progress(f"cold start --demo, run {number + 1} of {runs}")
            results.append(_probe("demo", folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    first, rest = results[0], results[1:]
    figures = [
        Figure(
            section,
            "fresh data folder (run 1): Log in usable",
            first["usable"],
            "ms",
            f"≤ {COLD_START_TARGET_MS:,.0f} ms",
            first["usable"] <= COLD_START_TARGET_MS,
            f"first window painted at {first['painted']:.0f} ms; demo database created and seeded",
        ),
        Figure(
            section,
            "fresh data folder (run 1): embedded backend ready",
            first["backend"],
            "ms",
        ),
    ]
    if rest:
        figures += _cold_figures(section, rest, f"existing folder ({len(rest)} runs)")
        figures.append(
            Figure(
                section,
                f"existing folder ({len(rest)} runs): embedded backend ready, median",
                _median([r["backend"] for r in rest]),
                "ms",
                note="on a worker; the window is already painted",
            )
        )
    return figures


def cold_start_device(runs: int, device: dict[str, Any]) -> list[Figure]:
    folder = Path(tempfile.mkdtemp(prefix="omo-bench-device-"))
    section = f"cold start: omo-desktop on an enrolled device (no embedded backend), {runs} runs"
    results = []
    try:
        for number in range(runs):
            progress(f"cold start, enrolled device, run {number + 1} of {runs}")
            results.append(_probe("device", folder, OMO_BENCH_DEVICE=json.dumps(device)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _cold_figures(section, results, "enrolled device")


# --- 2. the backend the app talks to --------------------------------------------------------


class DispatcherProcess:
    """``omo-backend dispatch``: marks the outbox's SMS sent, as in production, beside serve."""

    def __init__(self, database_url: str, base_url: str) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="omo-bench-dispatch-"))
        script = Path(sys.executable).with_name("omo-backend")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "omo_backend.cli"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("OMO_")}
        env.update(
            OMO_DATABASE_URL=database_url,
            OMO_DATA_DIR=str(self._folder),
            OMO_PUBLIC_BASE_URL=base_url,
            OMO_LOG_LEVEL="WARNING",
            OMO_SMS_PROVIDER="outbox",
        )
        self._process = subprocess.Popen(
            [*command, "dispatch"],
            env=env,
            cwd=self._folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        shutil.rmtree(self._folder, ignore_errors=True)


def enroll_device(bench: BenchDatabase, server: ServerProcess, name: str) -> dict[str, Any]:
    status, reply = request(
        server.port,
        "POST",
        "/api/v1/devices/enroll",
        body={"enrollment_code": enrollment_code(bench.db), "device_name": name},
    )
    if status != 201:
        raise RuntimeError(f"enroll failed: {status} {reply}")
    return {
        "backend_url": server.base_url,
        "device_id": reply["device_id"],
        "device_token": reply["device_token"],
        "store_code": reply["store"]["code"],
        "store_name": reply["store"]["name"],
    }


def pick_customers(server: ServerProcess, token: str, population: Population) -> tuple[str, str]:
    """A past buyer and a member of the seeded table (60 % are members)."""
    buyer = member = ""
    for phone in population.existing_phones(100, seed=31):
        number = local_form(phone)
        status, found = request(
            server.port, "GET", f"/api/v1/customers/search?phone={number}", token=token
        )
        if status != 200 or found["total"] != 1:
            raise RuntimeError(f"search does not find a seeded customer: {status} {found}")
        if found["items"][0]["is_member"]:
            member = member or number
        else:
            buyer = buyer or number
        if buyer and member:
            return buyer, member
    raise RuntimeError("no past buyer and member among 100 seeded customers")


def floors(server: ServerProcess, token: str, phones: list[str], count: int) -> list[Figure]:
    """One client, serial, keep-alive http.client (bench/loadgen.py): what the server takes."""
    section = "floors: the same server, 1 client, serial"
    figures = []
    plans = [
        (
            "GET /health (HTTP floor), http.client",
            loadgen.Plan("health", server.port, 200, FLOOR_WARMUP, count),
        ),
        (
            "GET /customers/search?phone=, http.client",
            loadgen.Plan("search", server.port, 200, FLOOR_WARMUP, count, token, [phones]),
        ),
    ]
    for name, plan in plans:
        outcome = loadgen.run(plan, processes=1, threads=1)
        ordered = sorted(outcome.latencies)
        for label, fraction in (("p50", 0.5), ("p95", 0.95)):
            figures.append(
                Figure(section, f"{name}: {label}", percentile(ordered, fraction) * 1000, "ms")
            )
    return figures


# --- 3. the app process ---------------------------------------------------------------------


def drive_app(config: dict[str, Any]) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="omo-bench-app-"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.app_drive"],
            input=json.dumps(config),
            cwd=folder,
            env=_child_env(OMO_DATA_DIR=str(folder)),
            stdout=subprocess.PIPE,
            text=True,
            timeout=600,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError("the app process printed nothing (its errors are above)")
    result: dict[str, Any] = json.loads(lines[-1])
    if "error" in result:
        raise RuntimeError(f"the app process failed: {result['error']}")
    return result


def _ms_figures(section: str, name: str, values: list[float], **target: Any) -> list[Figure]:
    ordered = sorted(values)
    figures = []
    for label, fraction in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
        value = percentile(ordered, fraction)
        if label == "p95" and target:
            figures.append(
                Figure(
                    section,
                    f"{name}: {label}",
                    value,
                    "ms",
                    target["text"],
                    value <= target["limit"],
                )
            )
        else:
            figures.append(Figure(section, f"{name}: {label}", value, "ms"))
    return figures


def app_figures(result: dict[str, Any], options: Options, kind: str) -> list[Figure]:
    confirm = result["confirm"]
    searches = len(confirm["total"])
    section = (
        f"Confirm → customer page painted: {searches} searches (after {options.warmup} warm-up) "
        f"of {options.customers:,} customers on {kind}"
    )
    figures = _ms_figures(
        section,
        "Confirm → painted",
        confirm["total"],
        text=f"≤ {CONFIRM_P95_TARGET_MS:g} ms",
        limit=CONFIRM_P95_TARGET_MS,
    )
    figures += [
        Figure(
            section,
            "the click's own handler (UI thread): p95",
            percentile(sorted(confirm["click"]), 0.95),
            "ms",
        ),
        *(
            Figure(section, f"{name}: p50", percentile(sorted(confirm[key]), 0.5), "ms", note=note)
            for key, name, note in (
                ("to_request", "click → the worker sends the search", "render busy=False, pool"),
                ("request", "the search's HTTP call on the worker", "OmoClient.search_customers"),
                ("to_drawn", "reply → customer drawn", "back to the UI thread, render()"),
                ("drawn_to_painted", "drawn → painted", "the next update paints the page"),
            )
        ),
        Figure(section, "the first Confirm after log-in (warm-up 1)", confirm["first"][0], "ms"),
        Figure(
            section,
            "not found",
            confirm["not_found"],
            "count",
            "0",
            confirm["not_found"] == 0,
            "every number searched is a seeded customer",
        ),
    ]
    floor = sorted(result["client_floor_ms"])
    figures += [
        Figure(
            "floors: the same server, 1 client, serial",
            f"search through the app's OmoClient (requests + pydantic), no Qt: {label}",
            percentile(floor, fraction),
            "ms",
        )
        for label, fraction in (("p50", 0.5), ("p95", 0.95))
    ]

    stalls = result["stalls"]
    section = "UI thread stalls: a 5 ms timer on the UI thread, lateness = gap − 5 ms"
    flows = stalls["flows"]
    worst, busiest = flows["max"], flows["most_cpu"]
    figures += [
        Figure(
            section,
            "three paths: longest stall",
            flows["max_ms"],
            "ms",
            f"≤ {STALL_TARGET_MS:g} ms",
            flows["max_ms"] <= STALL_TARGET_MS,
            f"in '{worst['step']}': UI thread on a CPU {worst['cpu_ms']:.1f} ms, "
            f"waiting for one {worst['runqueue_ms']:.1f} ms",
        ),
        Figure(
            section,
            "three paths: most UI-thread CPU in one gap",
            busiest["cpu_ms"],
            "ms",
            note=f"in '{busiest['step']}' (gap {busiest['late_ms'] + TICK_MS:.1f} ms): "
            "the app's own work, whatever else runs on the machine",
        ),
        Figure(
            section,
            "three paths: p99 of the ticks' lateness",
            flows["p99_ms"],
            "ms",
            note=f"{flows['ticks']} ticks in {result['flows_seconds']:.1f} s",
        ),
        Figure(section, "three paths: ticks more than 16 ms late", flows["over_16ms"], "count"),
    ]
    for phase in ("log in", "search loop"):
        summary = stalls[phase]
        if summary["ticks"]:
            figures.append(
                Figure(
                    section,
                    f"{phase}: longest stall",
                    summary["max_ms"],
                    "ms",
                    note=f"in '{summary['max_step']}'; p99 {summary['p99_ms']:.1f} ms",
                )
            )

    memory = result["memory"]
    section = "memory of the app process (the backend and the phone run in other processes)"
    after = memory["after the three paths"]
    figures += [
        Figure(
            section,
            "RSS after the three paths",
            after["rss_mb"],
            "MB",
            f"≤ {RSS_TARGET_MB:g} MB",
            after["rss_mb"] <= RSS_TARGET_MB,
            f"{after['threads']} threads",
        ),
        Figure(section, "peak RSS (VmHWM) by then", after["peak_mb"], "MB"),
        Figure(section, "RSS at the log-in page", memory["log-in page"]["rss_mb"], "MB"),
        Figure(section, "RSS after log-in", memory["logged in"]["rss_mb"], "MB"),
    ]
    searched = memory["after the searches"]
    figures.append(
        Figure(
            section,
            f"RSS after the {searches + options.warmup} searches too",
            searched["rss_mb"],
            "MB",
            note=f"peak {searched['peak_mb']:.0f} MB",
        )
    )

    section = "longest stall per step of the three paths"
    for step, value in sorted(flows["per_step_max_ms"].items(), key=lambda kv: -kv[1]):
        figures.append(Figure(section, step, value, "ms"))
    return figures


def run_database(
    kind: str, options: Options, population: Population, *, with_device_start: bool
) -> tuple[list[Figure], dict[str, Any]]:
    progress(f"{kind}: creating the database")
    bench = BenchDatabase.create(kind)
    try:
        progress(f"{kind}: seeding {options.customers:,} customers")
        seed_counter(bench.db)
        seeded = seed_customers(bench.db, population)
        figures = [
            Figure("backend", f"seed {seeded.customers:,} customers", seeded.seconds, "s"),
        ]
        # Dev mode: the outbox's SMS can be read (/api/v1/dev/messages) and the binding page
        # has its "Confirm binding (demo)" button, so the phone can walk the paths.
        extra = {"OMO_DEV_MODE": "true", "OMO_SMS_PROVIDER": "outbox"}
        with ServerProcess(bench.url, extra_env=extra) as server:
            figures.append(Figure("backend", "server start until healthy", server.start(), "s"))
            dispatcher = DispatcherProcess(bench.url, server.base_url)
            try:
                token = staff_session(server.port, enrollment_code(bench.db), STAFF_CODE, STAFF_PIN)
                buyer, member = pick_customers(server, token, population)
                floor_phones = [
                    local_form(p)
                    for p in population.existing_phones(FLOOR_WARMUP + options.searches, seed=23)
                ]
                progress(f"{kind}: serial floors")
                figures += floors(server, token, floor_phones, options.searches)
                if with_device_start and options.cold_runs:
                    device = enroll_device(bench, server, "Bench cold start")
                    figures += cold_start_device(options.cold_runs, device)
                confirm_phones = population.existing_phones(
                    options.warmup + options.searches, seed=29
                )
                config = {
                    "device": enroll_device(bench, server, "Bench counter"),
                    "staff_code": STAFF_CODE,
                    "pin": STAFF_PIN,
                    "new_number": local_form(population.spare_phones(0, 1)[0]),
                    "past_buyer": buyer,
                    "member": member,
                    "confirm_phones": [local_form(p) for p in confirm_phones],
                    "warmup": options.warmup,
                    "floor_phones": floor_phones[FLOOR_WARMUP:],
                    "profile": options.profile,
                }
                progress(f"{kind}: the app process")
                result = drive_app(config)
            finally:
                dispatcher.stop()
        figures += app_figures(result, options, kind)
        return figures, result
    finally:
        bench.close()


def parse_options(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.app", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every section")
    parser.add_argument("--customers", type=int, help="default 1,000,000 (quick: 20,000)")
    parser.add_argument("--searches", type=int, help="timed Confirm → result (200; 30)")
    parser.add_argument("--warmup", type=int, help="untimed searches first (10; 5)")
    parser.add_argument("--cold-runs", type=int, help="cold starts of each kind (5; 3)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the UI thread during the three paths and print its top functions "
        "(slows that thread: the stall figures of such a run are not comparable)",
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    chosen = {k: d if getattr(args, k) is None else getattr(args, k) for k, d in defaults.items()}
    options = Options(profile=args.profile, **chosen)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return options, kinds


def _print_details(result: dict[str, Any]) -> None:
    """What the table cannot hold: the longest gaps, the renders, a profile if asked for."""
    print(
        "\nThe longest gaps of the three paths (lateness; the UI thread on a CPU; waiting for one):"
    )
    for tick in result["stalls"]["flows"]["top"]:
        print(
            f"  {tick['late_ms']:6.1f} ms  cpu {tick['cpu_ms']:5.1f}  runqueue "
            f"{tick['runqueue_ms']:5.1f}  in '{tick['step']}'"
        )
    print("\nCounterView.render per state drawn during the three paths (count, max, total):")
    renders = sorted(result["renders"].items(), key=lambda kv: -kv[1]["max_ms"])
    for name, seen in renders:
        print(
            f"  {seen['max_ms']:6.2f} ms max  {seen['total_ms']:6.1f} ms total  "
            f"{seen['count']:3d} × {name}"
        )
    if "profile" in result:
        print("\ncProfile of the UI thread during the three paths, by own time:")
        print(result["profile"])


def main(argv: list[str] | None = None) -> int:
    options, kinds = parse_options(argv)
    facts = machine()
    load, cpus = facts["load_average"][0], facts["cpus"] or 1
    busy = (
        "  (other work is running: figures will be higher and noisier)" if load > cpus / 2 else ""
    )
    from PySide6 import __version__ as pyside_version

    print(f"app: {app_source()}; PySide6 {pyside_version}, QT_QPA_PLATFORM=offscreen", flush=True)
    print(f"machine: {facts['platform']}, Python {facts['python']}", flush=True)
    print(f"load average before the bench: {load:.2f} on {cpus} CPUs{busy}", flush=True)

    began = time.perf_counter()
    figures = cold_start_demo(options.cold_runs) if options.cold_runs else []
    population = Population.draw(options.customers, 10)
    for index, kind in enumerate(kinds):
        started = time.perf_counter()
        more, result = run_database(kind, options, population, with_device_start=index == 0)
        seconds = time.perf_counter() - started
        title = (
            f"Counter app against a backend on {kind}: {options.customers:,} customers; "
            f"{options.searches} timed searches after {options.warmup} warm-up"
        )
        shown = (figures if index == 0 else []) + more
        print(format_table(title, shown))
        _print_details(result)
        payload = {
            "database": kind,
            "options": asdict(options),
            "seconds": seconds,
            "app": app_source(),
        }
        path = write_json(f"app-{kind}", payload, shown)
        print(f"\n({seconds:.0f} s; written to {path})\n", flush=True)
    print(f"total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
