"""Net spending (paid orders − refunds), whatever the sequence of new orders, payments, refunds
and cancellations: ``customer.net_spend`` and ``orders_count`` always equal what the orders
themselves say, never go negative, and match a plain model kept beside them; a refused change
changes nothing. The orders service runs on a real (SQLite) database, one transaction a step,
as the API runs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend_client.schemas import OrderStatus
from omo_backend.db import Database
from omo_backend.errors import DomainError
from omo_backend.models import Customer, Order
from omo_backend.orders import service
from omo_backend.stores import service as stores
from tests.support.backend import DatabaseFactory

rule = settings(derandomize=True, database=None, max_examples=120, deadline=None)

new_order = st.tuples(
    st.just("new"), st.integers(0, 5000), st.sampled_from([OrderStatus.PAID, OrderStatus.UNPAID])
)
# Which order (by position, modulo how many there are) and what happens to it.
pay = st.tuples(st.just("pay"), st.integers(0, 9), st.none())
refund = st.tuples(st.just("refund"), st.integers(0, 9), st.integers(0, 6000))
refund_all = st.tuples(st.just("refund_all"), st.integers(0, 9), st.none())
cancel = st.tuples(st.just("cancel"), st.integers(0, 9), st.none())
steps = st.lists(st.one_of(new_order, pay, refund, refund_all, cancel), min_size=1, max_size=25)


@dataclass
class Model:
    amount: int
    status: OrderStatus
    refunded: int = 0

    def counts(self) -> int:
        return self.amount - self.refunded if self.status == OrderStatus.PAID else 0


@pytest.fixture(scope="module")
def db(sqlite_factory: DatabaseFactory) -> Iterator[Database]:
    database = Database(sqlite_factory.new_url())
    with database.transaction() as session:
        stores.create(session=session, code="TPE01", name="Taipei", locale="en")
    yield database
    database.dispose()


_phones = itertools.count(2_000_000)


def expected_after(model: Model, kind: str, value: int | None) -> Model | None:
    """What the rules make of ``model``, or None when they refuse the change."""
    target = {
        "pay": OrderStatus.PAID,
        "cancel": OrderStatus.CANCELLED,
        "refund_all": OrderStatus.REFUNDED,
    }.get(kind)
    if target == model.status:
        return model  # asked again: nothing to do
    if kind == "pay":
        ok = model.status == OrderStatus.UNPAID
        return Model(model.amount, OrderStatus.PAID, model.refunded) if ok else None
    if kind == "cancel":
        ok = model.status in (OrderStatus.UNPAID, OrderStatus.PAID)
        return Model(model.amount, OrderStatus.CANCELLED, model.refunded) if ok else None
    if kind == "refund_all":
        ok = model.status == OrderStatus.PAID
        return Model(model.amount, OrderStatus.REFUNDED, model.amount) if ok else None
    assert value is not None
    if value == model.refunded:
        return model  # the same running total: nothing to do
    if model.status != OrderStatus.PAID or not model.refunded < value <= model.amount:
        return None
    status = OrderStatus.REFUNDED if value == model.amount else OrderStatus.PAID
    return Model(model.amount, status, value)


@rule
@given(sequence=steps)
def test_net_spending_is_paid_minus_refunds_after_any_sequence(db: Database, sequence):
    phone = f"+88691{next(_phones):07d}"
    store_id = 1
    models: list[Model] = []
    ids: list[int] = []
    customer_id: int | None = None
    for kind, which, value in sequence:
        if kind == "new":
            with db.transaction() as session:
                order = service.record(
                    session=session,
                    caller=None,
                    store_id=store_id,
                    name=None,
                    phone=phone,
                    email=None,
                    amount=which,
                    external_ref=None,
                    default_region="TW",
                    currency="TWD",
                    status=value,
                )
                ids.append(order.id)
                customer_id = order.customer_id
            models.append(Model(which, value))
        elif ids:
            index = which % len(ids)
            want = expected_after(models[index], kind, value)
            changes: dict[str, object] = {
                "pay": {"status": OrderStatus.PAID},
                "cancel": {"status": OrderStatus.CANCELLED},
                "refund_all": {"status": OrderStatus.REFUNDED},
                "refund": {"refunded_amount": value},
            }[kind]
            try:
                with db.transaction() as session:
                    service.update_order(
                        session=session,
                        caller=None,
                        order_id=ids[index],
                        **changes,  # type: ignore[arg-type]
                    )
            except DomainError:
                assert want is None, (kind, models[index], value)
            else:
                assert want is not None, (kind, models[index], value)
                models[index] = want
        if customer_id is None:
            continue
        with db.transaction(write=False) as session:
            customer = session.get_one(Customer, customer_id)
            rows = list(session.scalars(select(Order).where(Order.customer_id == customer_id)))
            from_orders = sum(
                service.counts(row.status, row.amount, row.refunded_amount) for row in rows
            )
            assert customer.net_spend == from_orders == sum(m.counts() for m in models)
            assert customer.net_spend >= 0
            assert customer.orders_count == len(rows) == len(models)
            assert [(r.status, r.refunded_amount) for r in sorted(rows, key=lambda r: r.id)] == [
                (m.status.value, m.refunded) for m in models
            ]
