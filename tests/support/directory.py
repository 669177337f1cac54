"""Customers for the member directory's tests, written as the services would leave them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from backend_client.schemas import Role
from omo_backend.models import Customer, PointsEntry, Referral, Staff, Store, utcnow
from tests.support.backend import Counter, LiveBackend


@dataclass
class Shop:
    """Two stores with a counter, a manager and an admin; the staff who refer members."""

    backend: LiveBackend
    staff: Counter
    manager: Counter
    manager2: Counter
    admin: Counter


@pytest.fixture
def shop(backend: LiveBackend) -> Shop:
    backend.add_store("TPE01", "台北總店")
    backend.add_store("KHH01", "高雄店")
    backend.add_staff("TPE01", code="1001", name="Amy")
    backend.add_staff("KHH01", code="1001", name="Ben")
    backend.add_staff("KHH01", code="1002", name="Cai")
    backend.add_staff("TPE01", code="2001", name="Mgr", role=Role.MANAGER)
    backend.add_staff("KHH01", code="2002", name="Mgr2", role=Role.MANAGER)
    backend.add_staff("TPE01", code="9001", name="Boss", role=Role.ADMIN)
    return Shop(
        backend=backend,
        staff=backend.counter("TPE01", "1001"),
        manager=backend.counter("TPE01", "2001"),
        manager2=backend.counter("KHH01", "2002"),
        admin=backend.counter("TPE01", "9001"),
    )


def add_customer(
    backend: LiveBackend,
    *,
    name: str | None = "Mei",
    phone: str | None = None,
    email: str | None = None,
    is_member: bool = True,
    joined: datetime | None = None,
    level: str | None = None,
    net_spend: int = 0,
    orders_count: int = 0,
    open_cart_at: datetime | None = None,
    line_user_id: str | None = None,
    store: str | None = None,
    staff: str | None = None,
    points: int = 0,
    **extra: Any,
) -> int:
    """One customer; ``store``/``staff`` (codes) make a referral, ``points`` a grant."""
    joined = joined or utcnow()
    with backend.db.transaction() as session:
        customer = Customer(
            name=name,
            name_search=name.lower() if name else None,
            phone=phone,
            email=email,
            is_member=is_member,
            member_since=joined if is_member else None,
            level=level,
            net_spend=net_spend,
            orders_count=orders_count,
            open_cart_at=open_cart_at,
            line_user_id=line_user_id,
            created_at=joined - timedelta(days=1),
            source="counter" if store else None,
            **extra,
        )
        session.add(customer)
        session.flush()
        if store is not None:
            store_row = session.query(Store).filter_by(code=store).one()
            staff_row = (
                session.query(Staff).filter_by(store_id=store_row.id, code=staff).one()
                if staff is not None
                else None
            )
            session.add(
                Referral(
                    customer_id=customer.id,
                    store_id=store_row.id,
                    staff_id=staff_row.id if staff_row else None,
                    bound_at=joined,
                    via="counter",
                )
            )
        if points:
            session.add(
                PointsEntry(customer_id=customer.id, delta=points, reason="seed", remaining=points)
            )
        return customer.id
