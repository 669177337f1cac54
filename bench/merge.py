"""Merge benchmark: ``python -m bench.merge [--quick] [--runs N] [--orders N] [--db …]``.

Per database (a SQLite file, or a throwaway PostgreSQL cluster): the stores, staff and levels
of bench/member_data.py and a background of customers (``--background``, default 20,000, with
their orders, carts and points), then for each run one person's 5 accounts with 1,000 orders
each (mostly paid, some refunded in part or whole, cancelled or unpaid) and 20 points grants
each, bulk-inserted with totals that match their rows. ``omo-backend serve`` runs as a child
process; head office's admin, over one keep-alive connection, times the preview
(``POST /members/merge/preview``) and the merge (``POST /members/merge``) of the 4 accounts
into the first. Each merge is then checked: the primary's net spending and order count must
equal what the accounts held (the unpaid orders stay behind). Figures are printed beside the
1 s target, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.data import Population
from bench.member_data import ADMIN, seed_members, seed_people
from bench.report import Figure, chosen_settings, format_table, print_preamble, write_json
from bench.seed import BenchDatabase, enrollment_code
from bench.server import ServerProcess, staff_session
from omo_backend.db import Database
from omo_backend.models import Customer, Order, PointsEntry

MERGE_TARGET_S = 1.0
ACCOUNTS = 5
GRANTS = 20
FULL = {"runs": 5, "orders": 1_000, "background": 20_000}
QUICK = {"runs": 3, "orders": 1_000, "background": 2_000}


@dataclass(frozen=True)
class Options:
    runs: int
    orders: int
    background: int


@dataclass(frozen=True)
class Person:
    ids: list[int]
    net_spend: int
    moving_orders: int


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _order_fate(n: int, amount: int) -> tuple[str, int]:
    """(status, refunded) of the n-th order: 80 % paid, 5 % part-refunded, 5 % refunded,
    5 % cancelled, 5 % unpaid."""
    slot = n % 20
    if slot == 0:
        return "unpaid", 0
    if slot == 1:
        return "cancelled", 0
    if slot == 2:
        return "refunded", amount
    if slot == 3:
        return "paid", amount // 3
    return "paid", 0


def seed_person(database: Database, run: int, orders: int, store_id: int) -> Person:
    """One person's accounts with their orders and grants, in one transaction."""
    now = datetime.now(UTC)
    ids: list[int] = []
    spend_total = moving = 0
    with database.transaction() as session:
        for account in range(ACCOUNTS):
            rows: list[dict[str, Any]] = []
            spend = unpaid = 0
            for n in range(orders):
                amount = 100 + (n * 37 + account * 11) % 9_000
                status, refunded = _order_fate(n, amount)
                spend += amount - refunded if status == "paid" else 0
                unpaid += status == "unpaid"
                rows.append(
                    {
                        "store_id": store_id,
                        "amount": amount,
                        "status": status,
                        "refunded_amount": refunded,
                        "currency": "TWD",
                        "created_at": now - timedelta(minutes=n),
                    }
                )
            customer = Customer(
                name=f"Bench Person {run}",
                name_search=f"bench person {run}",
                phone=f"+8869{77_000_000 + run * 10 + account:08d}",
                email=f"bench.{run}.{account}@example.com",
                is_member=True,
                member_since=now - timedelta(days=account),
                net_spend=spend,
                orders_count=orders,
            )
            session.add(customer)
            session.flush()
            ids.append(customer.id)
            for row in rows:
                row["customer_id"] = customer.id
            session.execute(insert(Order), rows)
            session.execute(
                insert(PointsEntry),
                [
                    {
                        "customer_id": customer.id,
                        "delta": 10 + g,
                        "remaining": 10 + g,
                        "reason": "bench",
                        "expires_at": now + timedelta(days=30 + g) if g % 2 else None,
                        "created_at": now,
                    }
                    for g in range(GRANTS)
                ],
            )
            spend_total += spend
            if account:
                moving += orders - unpaid
            else:
                moving += orders
    return Person(ids=ids, net_spend=spend_total, moving_orders=moving)


class Client:
    """One keep-alive connection; times each POST to the reply's last byte."""

    def __init__(self, port: int, token: str) -> None:
        self._port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        payload = json.dumps(body).encode()
        started = time.perf_counter()
        try:
            self._conn.request("POST", path, body=payload, headers=self._headers)
            reply = self._conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self._conn.close()
            self._conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=600)
            started = time.perf_counter()
            self._conn.request("POST", path, body=payload, headers=self._headers)
            reply = self._conn.getresponse()
        raw = reply.read()
        return reply.status, json.loads(raw), time.perf_counter() - started

    def close(self) -> None:
        self._conn.close()


def _spread(section: str, name: str, seconds: list[float], note: str = "") -> list[Figure]:
    ordered = sorted(seconds)
    worst = ordered[-1]
    return [
        Figure(section, f"{name} median", ordered[len(ordered) // 2] * 1000, "ms"),
        Figure(
            section,
            f"{name} slowest",
            worst * 1000,
            "ms",
            target=f"≤ {MERGE_TARGET_S * 1000:.0f} ms",
            met=worst <= MERGE_TARGET_S,
            note=note,
        ),
    ]


def run_database(kind: str, options: Options) -> list[Figure]:
    progress(f"{kind}: creating the database")
    db = BenchDatabase.create(kind)
    try:
        refs = seed_people(db.db)
        if options.background:
            progress(f"{kind}: seeding {options.background:,} background customers")
            seed_members(db.db, Population.draw(options.background, 0), refs)
        people = []
        for run in range(options.runs):
            progress(f"{kind}: person {run + 1}: {ACCOUNTS} accounts × {options.orders:,} orders")
            people.append(seed_person(db.db, run, options.orders, refs.store_ids[0]))
        figures: list[Figure] = []
        previews: list[float] = []
        merges: list[float] = []
        wrong: list[str] = []
        with ServerProcess(db.url) as server:
            figures.append(Figure("server", "start until healthy", server.start(), "s"))
            token = staff_session(server.port, enrollment_code(db.db), ADMIN[1], ADMIN[2])
            client = Client(server.port, token)
            for person in people:
                body = {"primary_id": person.ids[0], "member_ids": person.ids[1:]}
                status, shown, seconds = client.post("/api/v1/members/merge/preview", body)
                if status != 200:
                    raise RuntimeError(f"preview: {status} {shown}")
                previews.append(seconds)
                status, merged, seconds = client.post(
                    "/api/v1/members/merge", body | {"preview_id": shown["preview_id"]}
                )
                if status != 200:
                    raise RuntimeError(f"merge: {status} {merged}")
                merges.append(seconds)
                if (merged["net_spend"], merged["orders_count"]) != (
                    person.net_spend,
                    person.moving_orders,
                ):
                    wrong.append(f"{person.ids[0]}: {merged['net_spend']} {merged['orders_count']}")
            client.close()
        with db.db.transaction(write=False) as session:
            orders = session.scalar(select(func.count()).select_from(Order)) or 0
        size = f"{ACCOUNTS} accounts × {options.orders:,} orders, {GRANTS} grants each"
        figures += _spread("merge", "preview", previews, note=size)
        figures += _spread(
            "merge",
            "merge",
            merges,
            note=f"{orders:,} orders in the database; totals "
            + ("right in every run" if not wrong else f"WRONG: {', '.join(wrong)}"),
        )
        return figures
    finally:
        db.close()


def parse_options(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.merge", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="3 runs, 2,000 background")
    parser.add_argument("--runs", type=int, help="people merged, one timed merge each (5)")
    parser.add_argument("--orders", type=int, help="orders per account (1,000)")
    parser.add_argument("--background", type=int, help="other customers (20,000)")
    chosen, kinds = chosen_settings(parser.parse_args(argv), FULL, QUICK)
    return Options(**chosen), kinds


def main(argv: list[str] | None = None) -> int:
    options, kinds = parse_options(argv)
    print_preamble()
    for kind in kinds:
        started = time.perf_counter()
        figures = run_database(kind, options)
        title = (
            f"Merge on {kind}: {ACCOUNTS} accounts × {options.orders:,} orders, "
            f"{options.runs} people, {options.background:,} other customers; one keep-alive "
            "client against `omo-backend serve` (1 process), client wall time"
        )
        print(format_table(title, figures))
        path = write_json(f"merge-{kind}", {"database": kind, **options.__dict__}, figures)
        print(f"\n({time.perf_counter() - started:.0f} s; written to {path})\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
