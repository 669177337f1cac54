"""A merge conserves orders, net spending and points, whatever the accounts hold: the primary
ends with every order that was not unpaid and exactly their net spending (recomputed from the
order rows), the unpaid ones stay behind until paid, and the primary's balance is the sum of
the accounts' balances plus the stated change. The services run on a real (SQLite) database,
one transaction a step, as the API runs them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend_client import schemas
from backend_client.schemas import OrderStatus, Role
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.members import points as points_service
from omo_backend.merges import service
from omo_backend.models import Customer, Device, Order, PointsEntry, utcnow
from omo_backend.orders import service as orders
from omo_backend.settings import Settings
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as stores
from tests.support.backend import DatabaseFactory

# The preview reads the settings only for the referral's store.
SETTINGS = Settings(database_url="sqlite://")
rule = settings(derandomize=True, database=None, max_examples=40, deadline=None)

# One order: its amount, and what became of it (refund: how much of it was refunded).
an_order = st.tuples(
    st.integers(1, 5000),
    st.sampled_from(["paid", "unpaid", "refund", "refund_all", "cancel"]),
    st.integers(0, 5000),
)
# One grant: points, and whether it expires (in the past, the future, or never).
a_grant = st.tuples(st.integers(1, 500), st.sampled_from(["never", "past", "future"]))
an_account = st.tuples(
    st.lists(an_order, max_size=6), st.lists(a_grant, max_size=3), st.integers(0, 200)
)


@pytest.fixture(scope="module")
def world(sqlite_factory: DatabaseFactory) -> Iterator[tuple[Database, Actor]]:
    database = Database(sqlite_factory.new_url())
    with database.transaction() as session:
        store = stores.create(session=session, code="TPE01", name="Taipei", locale="en")
        staff = staff_service.create(
            session=session, store=store, code="9001", name="Boss", role=Role.ADMIN, pin="123456"
        )
        device = Device(store_id=store.id, name="Office", token_hash="x" * 64)
        session.add(device)
        session.flush()
        actor = Actor(
            session_id=1,
            staff_id=staff.id,
            staff_name="Boss",
            role=Role.ADMIN,
            store_id=store.id,
            device_id=device.id,
        )
    yield database, actor
    database.dispose()


_phones = itertools.count(3_000_000)


def build(db: Database, actor: Actor, account: tuple[list, list, int]) -> int:
    """One account with its orders (through the orders service) and its points grants."""
    orders_wanted, grants, spend_points = account
    phone = f"+88692{next(_phones):07d}"
    with db.transaction() as session:
        member = Customer(phone=phone, name="M", name_search="m", is_member=True)
        session.add(member)
        session.flush()
        member_id = member.id
        now = utcnow()
        for delta, expiry in grants:
            expires_at = {
                "never": None,
                "past": now - timedelta(days=1),
                "future": now + timedelta(days=30),
            }[expiry]
            session.add(
                PointsEntry(
                    customer_id=member_id,
                    delta=delta,
                    reason="seed",
                    remaining=delta,
                    expires_at=expires_at,
                )
            )
    if spend_points:
        with db.transaction() as session:
            balance = points_service.balance_of(session, member_id)
            if balance:
                points_service.change(
                    session=session,
                    actor=actor,
                    member_id=member_id,
                    delta=-min(spend_points, balance),
                    reason="spent",
                    expires_at=None,
                )
    for amount, fate, refund in orders_wanted:
        with db.transaction() as session:
            status = OrderStatus.UNPAID if fate == "unpaid" else OrderStatus.PAID
            order = orders.record(
                session=session,
                caller=actor,
                store_id=actor.store_id,
                name=None,
                phone=phone,
                email=None,
                amount=amount,
                external_ref=None,
                default_region="TW",
                currency="TWD",
                status=status,
            )
            if fate == "refund":
                orders.update_order(
                    session=session,
                    caller=actor,
                    order_id=order.id,
                    refunded_amount=min(refund, amount),
                )
            elif fate == "refund_all":
                orders.update_order(
                    session=session, caller=actor, order_id=order.id, status=OrderStatus.REFUNDED
                )
            elif fate == "cancel":
                orders.update_order(
                    session=session, caller=actor, order_id=order.id, status=OrderStatus.CANCELLED
                )
    return member_id


def spend_of(session, customer_id: int) -> int:
    """Net spending recomputed from the order rows themselves."""
    total = 0
    for o in session.scalars(select(Order).where(Order.customer_id == customer_id)):
        total += orders.counts(o.status, o.amount, o.refunded_amount)
    return total


@rule
@given(
    accounts=st.lists(an_account, min_size=2, max_size=5),
    primary_at=st.integers(0, 4),
    delta=st.integers(-300, 300),
)
def test_a_merge_conserves_orders_net_spending_and_points(world, accounts, primary_at, delta):
    db, actor = world
    ids = [build(db, actor, account) for account in accounts]
    primary = ids[primary_at % len(ids)]
    others = [i for i in ids if i != primary]
    with db.transaction(write=False) as session:
        now = utcnow()
        balance_before = sum(points_service.balance_of(session, i, now) for i in ids)
        spend_before = sum(session.get_one(Customer, i).net_spend for i in ids)
        orders_before = {
            i: session.scalar(select(func.count()).where(Order.customer_id == i)) for i in ids
        }
        unpaid_before = {
            i: session.scalar(
                select(func.count()).where(Order.customer_id == i, Order.status == "unpaid")
            )
            for i in ids
        }
    request = schemas.MergeRequest(primary_id=primary, member_ids=others, points_delta=delta)
    with db.transaction(write=False) as session:
        if delta < 0 and -delta > balance_before:
            with pytest.raises(points_service.InsufficientPoints):
                service.preview(session=session, settings=SETTINGS, request=request)
            return
        shown = service.preview(session=session, settings=SETTINGS, request=request)
    confirm = schemas.MergeConfirm(**request.model_dump(), preview_id=shown.preview_id)
    with db.transaction() as session:
        service.merge(session=session, settings=SETTINGS, actor=actor, request=confirm)

    with db.transaction(write=False) as session:
        kept = session.get_one(Customer, primary)
        moved_orders = sum(orders_before[i] - unpaid_before[i] for i in others)
        on_primary = session.scalar(select(func.count()).where(Order.customer_id == primary))
        assert on_primary == orders_before[primary] + moved_orders
        assert kept.orders_count == on_primary == shown.orders_count
        assert kept.net_spend == spend_of(session, primary) == spend_before == shown.net_spend
        for other in others:
            left = session.get_one(Customer, other)
            assert left.merged_into_id == primary
            assert left.orders_count == unpaid_before[other]
            assert left.net_spend == spend_of(session, other) == 0
            assert points_service.balance_of(session, other) == 0
        assert points_service.balance_of(session, primary) == balance_before + delta
        assert shown.points_balance == balance_before + delta
