"""Integration API keys: a POS or a storefront calls the API with one instead of a staff session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from omo_backend.models.base import Base, utcnow


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The key's first part ("omo_" and 8 hex digits): not secret, shown in lists and logs so
    # an operator can tell keys apart and revoke one.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # SHA-256 of the whole key, like a device token's: the key itself is printed once, never kept.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated, from integrations.service.SCOPES.
    scopes: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
