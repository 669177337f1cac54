"""Stores, their staff and devices, and the sessions staff open on a device."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omo_backend.models.base import Base, utcnow


class Store(Base):
    __tablename__ = "store"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(16), default="zh_TW")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Taipei")
    idle_timeout_seconds: Mapped[int | None] = mapped_column(default=None)
    brand_color: Mapped[str] = mapped_column(String(16), default="#0b6e4f")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the customers' pages show of the store (``schemas.StorePageSettings`` holds the
    # ranges): its online shop and LINE Official Account's add-friend link (https), and its
    # own member terms and privacy notice (the pages show a default text without one).
    shop_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    line_add_friend_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    terms_text: Mapped[str | None] = mapped_column(Text, default=None)


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("store_id", "code", name="uq_staff_store_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="staff")
    pin_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship(lazy="joined")


class PinGuard(Base):
    """Wrong PINs and locks of one staff code of a store, whether or not the code exists: an
    unknown code counts and locks exactly like a known one, so no reply names a real code."""

    __tablename__ = "pin_guard"
    __table_args__ = (UniqueConstraint("store_id", "code", name="uq_pin_guard_store_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(String(32))
    # Wrong PINs since the last lock (or the last right PIN): pin_max_failures locks.
    failed_pins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # The day's tally, which no lock running out resets: each lock in it is longer than the
    # last, and pin_max_failures_per_day locks until a manager unlocks.
    day_failures: Mapped[int] = mapped_column(default=0)
    day_started_at: Mapped[datetime | None] = mapped_column(default=None)
    day_locks: Mapped[int] = mapped_column(default=0)
    unlock_required: Mapped[bool] = mapped_column(default=False)


class Device(Base):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # A counter-only device shows the counter alone, whatever the role of who logs in on it
    # (a tablet on the shop floor): ``omo-backend device set ID --counter-only``.
    counter_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    store: Mapped[Store] = relationship(lazy="joined")


class MerchantSetting(Base):
    """One merchant-wide setting by name (``omo_backend/reports/pricing.py`` reads the SMS
    price); the value is text its owner parses."""

    __tablename__ = "merchant_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    idle_timeout_seconds: Mapped[int]
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(32), default=None)

    staff: Mapped[Staff] = relationship(lazy="joined")
