"""The demo's data gives a manager something to manage (issue 12), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from omo_backend import demo_crowd, demo_seed
from omo_backend.db import Database
from omo_backend.directory.search_text import search_columns
from omo_backend.models import (
    Cart,
    Consent,
    Customer,
    Level,
    Message,
    Order,
    PointsEntry,
    Referral,
    Staff,
    Store,
    utcnow,
)
from tests.support.backend import DatabaseFactory


@pytest.fixture
def demo(db_factory: DatabaseFactory) -> Iterator[Session]:
    db = Database(db_factory.new_url())
    with db.transaction() as session:
        demo_seed.seed(session=session)
    with db.transaction(write=False) as session:
        yield session
    db.dispose()


def test_every_store_has_members_referred_by_its_staff_over_the_last_90_days(demo: Session):
    stores = demo.scalars(select(Store.id)).all()
    per_store = dict(
        demo.execute(select(Referral.store_id, func.count()).group_by(Referral.store_id)).all()
    )
    assert set(per_store) == set(stores)
    assert min(per_store.values()) >= 30
    # Every referral's staff member works at the referral's store.
    mismatched = demo.scalar(
        select(func.count())
        .select_from(Referral)
        .join(Staff, Staff.id == Referral.staff_id)
        .where(Staff.store_id != Referral.store_id)
    )
    assert mismatched == 0
    bound = demo.scalars(select(Referral.bound_at)).all()
    now = utcnow()
    assert min(bound) >= now - timedelta(days=91)
    assert sum(b >= now - timedelta(days=7) for b in bound) >= 5, "some joined this week"


def test_past_buyers_have_orders_and_some_an_e_mail_to_invite(demo: Session):
    buyers = demo.scalars(select(Customer).where(~Customer.is_member)).all()
    assert len(buyers) >= 50
    assert all(b.orders_count > 0 for b in buyers)
    assert sum(b.email is not None for b in buyers) >= 10


def test_levels_are_set_and_every_member_holds_one(demo: Session):
    codes = demo.scalars(select(Level.code).order_by(Level.rank)).all()
    assert codes == ["regular", "silver", "gold"]
    held = dict(
        demo.execute(
            select(Customer.level, func.count()).where(Customer.is_member).group_by(Customer.level)
        ).all()
    )
    assert set(held) == set(codes)
    assert min(held.values()) >= 10


def test_orders_carts_line_consents_and_sms_of_every_kind(demo: Session):
    statuses = set(demo.scalars(select(Order.status).distinct()))
    assert statuses == {"paid", "unpaid", "refunded", "cancelled"}
    partly = select(func.count()).where(Order.status == "paid", Order.refunded_amount > 0)
    assert demo.scalar(partly)
    week_ago = utcnow() - timedelta(days=7)
    open_recent = select(func.count()).where(~Cart.checked_out, Cart.updated_at >= week_ago)
    assert demo.scalar(open_recent)
    assert demo.scalar(select(func.count()).where(~Cart.checked_out, Cart.updated_at < week_ago))
    assert demo.scalar(select(func.count()).where(Cart.checked_out))
    assert demo.scalar(select(func.count()).where(Customer.line_user_id.is_not(None))) >= 50
    purposes = set(demo.scalars(select(Consent.purpose).distinct()))
    assert purposes == {"terms", "marketing"}
    sms = dict(
        demo.execute(
            select(Message.store_id, func.sum(Message.segments))
            .where(Message.channel == "sms", Message.status == "sent")
            .group_by(Message.store_id)
        ).all()
    )
    assert set(sms) == set(demo.scalars(select(Store.id)))


def test_points_follow_the_ledger_rules(demo: Session):
    grants = demo.execute(
        select(PointsEntry.customer_id, PointsEntry.delta, PointsEntry.remaining).where(
            PointsEntry.delta > 0
        )
    ).all()
    assert all(0 <= remaining <= delta for _, delta, remaining in grants)
    spent: dict[int, int] = {}
    for customer_id, delta, remaining in grants:
        spent[customer_id] = spent.get(customer_id, 0) + delta - remaining
    deducted = dict(
        demo.execute(
            select(PointsEntry.customer_id, -func.sum(PointsEntry.delta))
            .where(PointsEntry.delta < 0)
            .group_by(PointsEntry.customer_id)
        ).all()
    )
    assert deducted, "some members redeemed points"
    assert {k: v for k, v in spent.items() if v} == deducted
    now = utcnow()
    expiring = select(func.count()).where(PointsEntry.expires_at.is_not(None))
    assert demo.scalar(expiring.where(PointsEntry.expires_at < now)), "some expired"
    assert demo.scalar(expiring.where(PointsEntry.expires_at > now)), "some still to use"


def test_customer_totals_agree_with_their_orders_and_carts(demo: Session):
    spend = func.coalesce(
        func.sum(
            case(
                (Order.status.in_(["paid", "refunded"]), Order.amount - Order.refunded_amount),
                else_=0,
            )
        ),
        0,
    )
    orders = (
        select(Order.customer_id, spend.label("spend"), func.count().label("n"))
        .group_by(Order.customer_id)
        .subquery()
    )
    carts = (
        select(Cart.customer_id, func.max(Cart.updated_at).label("at"))
        .where(~Cart.checked_out)
        .group_by(Cart.customer_id)
        .subquery()
    )
    rows = demo.execute(
        select(
            Customer.id,
            Customer.net_spend,
            Customer.orders_count,
            Customer.open_cart_at,
            func.coalesce(orders.c.spend, 0),
            func.coalesce(orders.c.n, 0),
            carts.c.at,
        )
        .outerjoin(orders, orders.c.customer_id == Customer.id)
        .outerjoin(carts, carts.c.customer_id == Customer.id)
    ).all()
    assert len(rows) > demo_crowd.MEMBERS
    wrong = [r for r in rows if (r[1], r[2]) != (r[4], r[5]) or r[3] != r[6]]
    assert wrong == []
    assert sum(r[1] > 0 for r in rows) > demo_crowd.MEMBERS // 2


def test_levels_follow_net_spending_unless_a_manager_moved_a_member_up(demo: Session):
    codes = [code for code, *_ in demo_crowd.LEVELS]
    members = demo.execute(
        select(Customer.net_spend, Customer.level).where(
            Customer.is_member, Customer.orders_count > 0
        )
    ).all()
    assert all(
        codes.index(level) >= codes.index(demo_crowd.level_for(net)) for net, level in members
    )


def test_the_crowd_is_the_same_every_time():
    staff = [demo_crowd.StaffRef(1, 1, "台北總店 Taipei Main"), demo_crowd.StaffRef(2, 2, "X")]
    now = utcnow()

    def crowd() -> list[dict[str, object]]:
        drawn = demo_crowd.draw(
            now=now, staff=staff, taken_phones=set(), taken_emails=set(), password_hash=None
        )
        return [c.row for c in drawn]

    first = crowd()
    assert first == crowd()
    assert len({r["phone"] for r in first}) == len(first)
    emails = [r["email"] for r in first if r["email"]]
    assert len(set(emails)) == len(emails)
    names = [str(r["name"]) for r in first]
    assert any(n.isascii() for n in names), "English names"
    assert any(not n.isascii() for n in names), "Chinese names"
    assert all(str(r["phone"]).startswith("+8869") for r in first)


def test_the_crowd_never_takes_a_number_or_address_already_used():
    staff = [demo_crowd.StaffRef(1, 1, "S")]
    everything = demo_crowd.draw(
        now=utcnow(), staff=staff, taken_phones=set(), taken_emails=set(), password_hash=None
    )
    phones = {str(c.row["phone"]) for c in everything[:50]}
    emails = {str(c.row["email"]) for c in everything[:50] if c.row["email"]}
    again = demo_crowd.draw(
        now=utcnow(), staff=staff, taken_phones=phones, taken_emails=emails, password_hash=None
    )
    assert not phones & {str(c.row["phone"]) for c in again}
    assert not emails & {str(c.row["email"]) for c in again}


def test_every_customer_can_be_found_by_the_member_lists_q(demo: Session):
    rows = demo.execute(
        select(
            Customer.name,
            Customer.email,
            Customer.phone,
            Customer.search_text,
            Customer.search_grams,
        )
    ).all()
    assert all(
        search_columns(name, email, phone) == {"search_text": text, "search_grams": grams}
        for name, email, phone, text, grams in rows
    )
    # The referral's store and staff, copied onto the customer for the list's filters.
    copied = demo.execute(
        select(Customer.referral_store_id, Referral.store_id).join(
            Referral, Referral.customer_id == Customer.id
        )
    ).all()
    assert all(mine == theirs for mine, theirs in copied)


def test_one_person_has_three_accounts_for_head_office_to_merge(demo: Session):
    """Issue 13's demo: found by name, two members and a past buyer, one unpaid order."""
    phones = [demo_seed.normalise_phone(p, "TW") for _, p, *_ in demo_seed.DUPLICATES]
    accounts = demo.scalars(
        select(Customer).where(Customer.phone.in_(phones)).order_by(Customer.id)
    ).all()
    assert [a.is_member for a in accounts] == [True, True, False]
    assert all("雅婷" in (a.name or "") or "lin" in (a.name_search or "") for a in accounts)
    assert [a.net_spend for a in accounts] == [3_200, 1_800, 450]
    assert [a.orders_count for a in accounts] == [1, 2, 1]
    referred = demo.scalars(
        select(Referral.customer_id).where(Referral.customer_id.in_([a.id for a in accounts]))
    ).all()
    assert len(referred) == 2
