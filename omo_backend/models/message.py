"""The outbox: every SMS or e-mail is a row first, sent by the dispatcher afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend_client.schemas import MessageStatus
from omo_backend.models.base import Base, utcnow

# What the dispatcher still has to look at: queued, or claimed and not yet recorded. The claim
# reads only these rows, through a partial index that holds nothing else, so its cost follows
# the backlog and not the history of sent messages. Literal SQL on purpose: SQLite uses a
# partial index only when the query repeats the index's WHERE term word for word (a bound
# parameter is not the same word), so the index and the claim share this one clause.
MESSAGE_WAITING = text(
    f"status IN ('{MessageStatus.QUEUED.value}', '{MessageStatus.SENDING.value}')"
)

# PostgreSQL keeps a sent row's old queued and sending versions in that index until a vacuum
# removes them, and the claim walks past them. By default autovacuum waits for a fifth of the
# table to be dead and may then skip the indexes, so the walk would grow with the history:
# vacuum this table after a fixed number of dead rows instead, indexes always included.
MESSAGE_STORAGE = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "10000",
    "vacuum_index_cleanup": "on",
}


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        Index(
            "ix_message_waiting",
            "id",
            sqlite_where=MESSAGE_WAITING,
            postgresql_where=MESSAGE_WAITING,
        ),
        Index("ix_message_to_created", "to_address", "created_at"),
        Index("ix_message_store_created", "store_id", "created_at"),
        Index("ix_message_device_created", "device_id", "created_at"),
        # A delivery receipt names the message by the provider's id.
        Index("ix_message_provider_message_id", "provider_message_id"),
        {"postgresql_with": MESSAGE_STORAGE},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), default="sms")
    purpose: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    provider: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    provider_status: Mapped[str | None] = mapped_column(String(32), default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    # When the first attempt not yet settled was claimed (migration 0016): a claim that finds
    # it set asks the provider whether that message already went out before sending it again.
    sending_since: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    segments: Mapped[int] = mapped_column(default=1)
    cost_units: Mapped[int] = mapped_column(default=1)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), default=None)
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("binding_session.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # The provider's delivery receipt (``MessageDelivery``): null until a final one came. The
    # status stays ``sent``: the provider took the message and bills it either way.
    delivery: Mapped[str | None] = mapped_column(String(16), default=None)
    delivery_at: Mapped[datetime | None] = mapped_column(default=None)
