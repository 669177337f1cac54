"""Webhook endpoints an admin registers, and the outbox of deliveries to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend_client.schemas import WebhookDeliveryStatus
from omo_backend.models.base import Base, utcnow

# What the sender still has to look at (as ``MESSAGE_WAITING``: literal, for SQLite's partial
# index to be used by the claim that repeats it).
WEBHOOK_WAITING = text(
    f"status IN ('{WebhookDeliveryStatus.QUEUED.value}', '{WebhookDeliveryStatus.SENDING.value}')"
)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(100), default="")
    # Space-separated ``WebhookEvent`` values.
    events: Mapped[str] = mapped_column(String(255))
    # Kept in plain text, on purpose: an HMAC is made with the secret itself, so the sender
    # must be able to read it back, and a hash would not do. Encrypting it with a key kept in
    # the same deployment's settings would only move the secret next door (whoever reads the
    # database of a running backend reads its environment too). What protects it: it is shown
    # once, never listed or logged, the database is the operator's to guard (deploy/), and an
    # admin rotates it in one call if it may have leaked.
    secret: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(Base):
    """One event for one endpoint: written in the transaction of the change that caused it."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index(
            "ix_webhook_delivery_waiting",
            "id",
            sqlite_where=WEBHOOK_WAITING,
            postgresql_where=WEBHOOK_WAITING,
        ),
        Index("ix_webhook_delivery_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    # One event's id, the same in each endpoint's delivery of it (it is in the body too).
    event_id: Mapped[str] = mapped_column(String(32))
    # The JSON sent, byte for byte on every try (the signature covers it).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=WebhookDeliveryStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
