"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from omo_backend.models.audit import AuditEvent
from omo_backend.models.base import Base, utcnow
from omo_backend.models.customer import (
    Cart,
    Consent,
    Customer,
    Level,
    MemberCount,
    MemberCountChange,
    Order,
    PasswordReset,
    PointsEntry,
    Referral,
    RetiredIdentifier,
)
from omo_backend.models.idempotency import IdempotencyRecord
from omo_backend.models.integration import ApiKey
from omo_backend.models.invitation import BindingSession, Invitation, LineLogin, PageSession
from omo_backend.models.message import Message
from omo_backend.models.store import (
    Device,
    EnrollmentCode,
    MerchantSetting,
    PinGuard,
    Staff,
    StaffSession,
    Store,
)
from omo_backend.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "BindingSession",
    "Cart",
    "Consent",
    "Customer",
    "Device",
    "EnrollmentCode",
    "IdempotencyRecord",
    "Invitation",
    "Level",
    "LineLogin",
    "MemberCount",
    "MemberCountChange",
    "MerchantSetting",
    "Message",
    "Order",
    "PageSession",
    "PasswordReset",
    "PinGuard",
    "PointsEntry",
    "Referral",
    "RetiredIdentifier",
    "Staff",
    "StaffSession",
    "Store",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
