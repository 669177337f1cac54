"""Customers (members and past buyers) and what hangs off them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omo_backend.directory.search_text import search_columns
from omo_backend.models.base import Base, utcnow
from omo_backend.models.store import Staff, Store


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100), default=None)
    # Lower-cased name, so name search needs no function index.
    name_search: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    birthday: Mapped[date | None] = mapped_column(default=None)
    is_member: Mapped[bool] = mapped_column(default=False)
    member_since: Mapped[datetime | None] = mapped_column(default=None)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    level: Mapped[str | None] = mapped_column(String(32), default=None)
    source: Mapped[str | None] = mapped_column(String(32), default=None)
    source_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), default=None)
    # LINE Login's user id: one LINE account belongs to one member at most.
    line_user_id: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # The store's Official Account as the member's friend, read from LINE when they linked.
    line_friend: Mapped[bool | None] = mapped_column(default=None)
    line_linked_at: Mapped[datetime | None] = mapped_column(default=None)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), default=None)
    # Running totals the member list filters and sorts on (kept by the orders and carts
    # code, never summed per page): paid orders − refunds in minor units, orders recorded,
    # and when the newest open cart was last updated (None: no open cart).
    net_spend: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    orders_count: Mapped[int] = mapped_column(default=0)
    open_cart_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # What the member list's ``q`` matches (omo_backend/directory/search_text.py): kept by the
    # listener below on every insert and update, indexed by trigrams (migration 0010).
    search_text: Mapped[str | None] = mapped_column(String(500), default=None)
    # The name's one- and two-character pieces, for a ``q`` too short for trigrams.
    search_grams: Mapped[str | None] = mapped_column(String(1000), default=None)
    # A copy of the referral's store and staff for the list's filters and indexes, kept by
    # database triggers on ``referral`` (migration 0010): never written from here.
    referral_store_id: Mapped[int | None] = mapped_column(default=None)
    referral_staff_id: Mapped[int | None] = mapped_column(default=None)

    referral: Mapped[Referral | None] = relationship(uselist=False, viewonly=True)

    # The member list's first pages, newest members first (omo_backend/directory/query.py):
    # by kind, and by level (the overview counts by level from it alone); each ends in the
    # id that breaks ties.
    __table_args__ = (
        Index("ix_customer_member_list", "is_member", "member_since", "id"),
        Index("ix_customer_level_list", "is_member", "level", "member_since", "id"),
        # Merged and erased accounts are few: these find them (a merge, an erasure).
        # Partial, so no plan reads "merged_into_id IS NULL" (nearly every row) through them.
        Index(
            "ix_customer_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        Index(
            "ix_customer_erased_at",
            "erased_at",
            sqlite_where=text("erased_at IS NOT NULL"),
            postgresql_where=text("erased_at IS NOT NULL"),
        ),
        Index("ix_customer_store_list", "is_member", "referral_store_id", "member_since", "id"),
        Index("ix_customer_staff_list", "referral_staff_id", "member_since", "id"),
        Index("ix_customer_buyer_list", "is_member", "created_at", "id"),
        Index("ix_customer_orders_count", "orders_count", "id"),
    )


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _keep_search_text(_mapper: Any, _connection: Any, customer: Customer) -> None:
    """Every path that creates or changes a customer (registration, orders, import, merge,
    erasure) goes through a flush: the search line follows the name, e-mail and phone."""
    columns = search_columns(customer.name, customer.email, customer.phone)
    # Set only when changed: an unchanged line is left out of the UPDATE (and SQLite's index
    # triggers, which fire on the column being written, stay quiet).
    if customer.search_text != columns["search_text"]:
        customer.search_text = columns["search_text"]
    if customer.search_grams != columns["search_grams"]:
        customer.search_grams = columns["search_grams"]


class Referral(Base):
    """Which store and staff member signed a member up: written once, never changed."""

    __tablename__ = "referral"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None, index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    # Indexed for the registrations report, which counts the bindings of a date range.
    bound_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    via: Mapped[str] = mapped_column(String(16))

    store: Mapped[Store] = relationship(lazy="joined")
    staff: Mapped[Staff | None] = relationship(lazy="joined")


class PointsEntry(Base):
    """The points ledger: a grant (``delta`` > 0) or a deduction (``delta`` < 0).

    A grant keeps in ``remaining`` what deductions have not spent of it yet (None for a
    deduction); the balance is the sum of ``remaining`` over unexpired grants (see
    omo_backend/members/points.py for the rules).
    """

    __tablename__ = "points_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    remaining: Mapped[int | None] = mapped_column(default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Level(Base):
    """A membership level; ``rank`` 0 is the lowest. Members carry its ``code``."""

    __tablename__ = "level"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    # Lower-case in the database: PostgreSQL would need the mixed-case name quoted everywhere.
    name_zh_TW: Mapped[str] = mapped_column("name_zh_tw", String(100))
    min_net_spend: Mapped[int | None] = mapped_column(default=None)
    rank: Mapped[int] = mapped_column(unique=True)


class MemberCount(Base):
    """How many members (neither merged nor erased) have a level and a referral store: the
    overview's counts, never written from here. Triggers on ``customer`` (migration 0012)
    append each change to ``member_count_change``; ``directory.counts.fold`` adds those into
    these rows. No level is ``''`` and no referral store 0 (one row per pair)."""

    __tablename__ = "member_count"

    level_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    store_key: Mapped[int] = mapped_column(primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger)


class MemberCountChange(Base):
    """One change to a pair's count, appended by the triggers of migration 0012: inserts only,
    so a bulk load in one transaction never updates the same row twice (PostgreSQL would walk
    every version that transaction made of it, each time)."""

    __tablename__ = "member_count_change"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    level_key: Mapped[str] = mapped_column(String(32))
    store_key: Mapped[int] = mapped_column()
    members: Mapped[int] = mapped_column(BigInteger)


class Order(Base):
    """A sale, from the counter or a POS/storefront; ``status`` is paid, unpaid, refunded or
    cancelled, ``refunded_amount`` the running total of refunds (≤ ``amount``)."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    amount: Mapped[int]
    external_ref: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="paid")
    refunded_amount: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="TWD")
    # The order's own contact address: changing it never touches the account's e-mail.
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    placed_at: Mapped[datetime | None] = mapped_column(default=None)
    resend_count: Mapped[int] = mapped_column(default=0)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)


class Cart(Base):
    """A storefront's cart, by its own reference; "open" until checked out."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id"), default=None, index=True
    )
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), default=None)
    amount: Mapped[int]
    items_count: Mapped[int]
    checked_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """What the customer agreed to, when, where and on which words."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool]
    text_shown: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(Base):
    """A "Forgot password" link: one use, short-lived, only its hash kept."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    # The bind link it was asked from: the member goes back there to sign in.
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("binding_session.id"), default=None)
    channel: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class RetiredIdentifier(Base):
    """A phone or e-mail merged away: it can never sign up or sign in again."""

    __tablename__ = "retired_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_retired_identifier_kind_value", "kind", "value", unique=True),)
