"""Invitations (sign-up by SMS), binding sessions (bind by QR) and the pages' sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omo_backend.models.base import Base, utcnow
from omo_backend.models.customer import Customer
from omo_backend.models.store import Staff, Store


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # Bumped on every change a waiting counter should see.
    version: Mapped[int] = mapped_column(default=1)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), default=None)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    locale: Mapped[str] = mapped_column(String(16), default="zh_TW")
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    registered_at: Mapped[datetime | None] = mapped_column(default=None)

    store: Mapped[Store] = relationship(lazy="joined")
    staff: Mapped[Staff | None] = relationship(lazy="joined")
    # Loaded only when read: once registered (most invitations never are).
    customer: Mapped[Customer | None] = relationship()


class BindingSession(Base):
    __tablename__ = "binding_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "Can't scan? Try SMS invitation" sends a second link to the same binding.
    sms_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    version: Mapped[int] = mapped_column(default=1)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), default=None)
    sms_sent: Mapped[bool] = mapped_column(default=False)
    # Wrong sign-ins on the phone, counted per binding so a second browser cannot start afresh.
    sign_in_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    # How the LINE step on the phone went last (``LineOutcome``), for the counter to show.
    line_outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)

    store: Mapped[Store] = relationship(lazy="joined")
    staff: Mapped[Staff | None] = relationship(lazy="joined")


class PageSession(Base):
    """A phone's session on a customer page: the link's token is exchanged for this once."""

    __tablename__ = "page_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), default=None)
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("binding_session.id"), default=None)
    # Bind pages: which of the binding's links opened this session ("qr" or "sms"), and the
    # member who signed in on it.
    link_via: Mapped[str | None] = mapped_column(String(8), default=None)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), default=None)
    # Reset pages: the "Forgot password" link this session was opened from.
    reset_id: Mapped[int | None] = mapped_column(ForeignKey("password_reset.id"), default=None)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LineLogin(Base):
    """One trip from a customer page to LINE Login, kept until LINE redirects back.

    Found by the hash of its ``state``; the nonce and PKCE verifier must be sent to LINE as
    they are, so they are kept in clear, for minutes, and the row is spent on first use.
    """

    __tablename__ = "line_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    page_session_id: Mapped[int] = mapped_column(ForeignKey("page_session.id"))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
