"""Who did what, from which store and device: one row per staff action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from omo_backend.models.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    subject_type: Mapped[str | None] = mapped_column(String(32), default=None)
    subject_id: Mapped[int | None] = mapped_column(default=None)
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    # One member's trail, newest first (GET /members/{id}/audit).
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id", "id"),)
