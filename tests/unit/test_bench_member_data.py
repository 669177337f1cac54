"""The member bench's generated base: reproducible, and its totals agree with its orders."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from bench.data import Population
from bench.member_data import COLUMNS, Refs, member_chunks, search_text
from omo_backend.directory.search_text import search_columns, search_text_of

NOW = datetime(2026, 11, 30, 8, 0, 0)
REFS = Refs(store_ids=[1, 2], staff_by_store={1: [10, 11], 2: [20]})


def _chunks() -> list[dict[str, list[tuple[Any, ...]]]]:
    population = Population.draw(3000, 0)
    return [c.tables() for c in member_chunks(population, REFS, suffix="", now=NOW)]


def test_the_same_rows_every_time():
    assert _chunks() == _chunks()


def test_customer_totals_agree_with_the_orders_and_carts_written_with_them():
    [tables] = _chunks()
    customer = {name: i for i, name in enumerate(COLUMNS["customer"])}
    order = {name: i for i, name in enumerate(COLUMNS["orders"])}
    cart = {name: i for i, name in enumerate(COLUMNS["cart"])}
    spend: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for row in tables["orders"]:
        who = row[order["customer_id"]]
        count[who] += 1
        if row[order["status"]] in ("paid", "refunded"):
            spend[who] += row[order["amount"]] - row[order["refunded_amount"]]
    open_cart = {
        row[cart["customer_id"]]: row[cart["updated_at"]]
        for row in tables["cart"]
        if not row[cart["checked_out"]]
    }
    assert len(tables["customer"]) == 3000
    for row in tables["customer"]:
        who = row[customer["id"]]
        assert row[customer["net_spend"]] == spend[who]
        assert row[customer["orders_count"]] == count[who]
        assert row[customer["open_cart_at"]] == open_cart.get(who)
    assert [r[0] for r in tables["customer"]] == list(range(1, 3001))


def test_referral_staff_work_at_the_referral_store():
    [tables] = _chunks()
    for _, store_id, staff_id, _, _ in tables["referral"]:
        assert staff_id in REFS.staff_by_store[store_id]


def test_the_search_line_is_the_one_the_backend_would_keep():
    [tables] = _chunks()
    at = {name: i for i, name in enumerate(COLUMNS["customer"])}
    for row in tables["customer"][:500]:
        name, email, phone = row[at["name"]], row[at["email"]], row[at["phone"]]
        columns = search_columns(name, email, phone)
        assert row[at["search_text"]] == columns["search_text"]
        assert row[at["search_grams"]] == columns["search_grams"]
    assert search_text("Amy Lin", None, 12345678) == search_text_of(
        "Amy Lin", None, "+886912345678"
    )
