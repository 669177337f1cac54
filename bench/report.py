"""Figures, each printed beside its target: a readable table and a JSON file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""


def latency_figures(
    section: str, latencies: list[float], *, seconds: float | None, count_note: str = ""
) -> list[Figure]:
    """Requests/s (when ``seconds`` is known) and p50/p95/p99 in milliseconds."""
    ordered = sorted(latencies)
    figures = []
    if seconds:
        figures.append(
            Figure(section, "throughput", len(ordered) / seconds, "req/s", note=count_note)
        )
    for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        figures.append(Figure(section, label, percentile(ordered, fraction) * 1000, "ms"))
    return figures


def _value(figure: Figure) -> str:
    if figure.value is None:
        return "—"
    if figure.unit in ("req/s", "lookups/s", "rows/s"):
        return f"{figure.value:,.0f} {figure.unit}"
    if figure.unit == "count":
        return f"{figure.value:,.0f}"
    if abs(figure.value) >= 100:
        return f"{figure.value:,.0f} {figure.unit}"
    return f"{figure.value:.2f} {figure.unit}"


def format_table(title: str, figures: list[Figure]) -> str:
    """Figures grouped under their section, with the value, target and whether it was met."""
    header = ("", "figure", "target", "met", "note")
    rows = [
        (
            f"  {f.name}",
            _value(f),
            f.target,
            "" if f.met is None else ("yes" if f.met else "NO"),
            f.note,
        )
        for f in figures
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join([*(row[i].ljust(widths[i]) for i in range(4)), row[4]]).rstrip()

    lines = [title, "=" * len(title), line(header)]
    section = None
    for figure, row in zip(figures, rows, strict=True):
        if figure.section != section:
            section = figure.section
            lines.append(section)
        lines.append(line(row))
    return "\n".join(lines)


def own_memory() -> dict[str, float]:
    """This process's resident memory now and at its peak (VmHWM), in MB, and its threads."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()[0] if value.split() else ""
    return {
        "rss_mb": int(fields["VmRSS"]) / 1024,
        "peak_mb": int(fields["VmHWM"]) / 1024,
        "threads": int(fields["Threads"]),
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }


def source(*paths: str) -> str:
    """Which code was measured: the commit, and how many files under ``paths`` had changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"{commit} + {len(changed)} changed files" if changed else commit


def backend_source() -> str:
    return source("omo_backend", "backend_client")


def write_json(name: str, payload: dict[str, Any], figures: list[Figure]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "backend": backend_source(),
        **payload,
        "figures": [asdict(f) for f in figures],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def print_preamble() -> None:
    """Which backend is measured, and how busy the machine was before."""
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = "  (other work is running: figures will be lower and noisier)" if load > cpus / 2 else ""
    print(f"backend: {backend_source()}", flush=True)
    print(f"load average before the bench: {load:.2f} on {cpus} CPUs{busy}", flush=True)


def chosen_settings(
    args: Any, full: dict[str, int], quick: dict[str, int]
) -> tuple[dict[str, int], list[str]]:
    """The bench's sizes (``--quick``'s defaults or the full ones, each overridable by its
    option) and the databases ``--db`` names."""
    defaults = quick if args.quick else full
    chosen = {k: d if getattr(args, k) is None else getattr(args, k) for k, d in defaults.items()}
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return chosen, kinds
