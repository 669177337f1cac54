"""Hand-built counter states for the screen tests and the gallery: one customer, one store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend_client import schemas
from backend_client.errors import ApiError, OfflineError, RateLimitedError
from omo_desktop.flows import counter as f

# Times shown on screen are fixed; times the countdown runs against are real.
THEN = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TYPED_PHONE = "0912 345 678"
RAW_DIGITS = "0912345678"
MASKED = "+886 9•••••678"
QR_URL = "https://omo.example.com.tw/b/Zx8ab_cdEF-1234567890a"
STORE = schemas.StoreOut(
    id=1, code="TPE01", name="台北總店", locale="zh_TW", timezone="Asia/Taipei"
)
OTHER_STORE = schemas.StoreOut(
    id=2, code="TPE02", name="信義門市", locale="zh_TW", timezone="Asia/Taipei"
)
AMY = schemas.StaffOut(id=1, code="1001", name="Amy", role=schemas.Role.STAFF)
BEN = schemas.StaffOut(id=2, code="1002", name="Ben", role=schemas.Role.STAFF)


def referral(
    at: datetime = THEN, store: schemas.StoreOut = STORE, staff: schemas.StaffOut | None = AMY
) -> schemas.ReferralOut:
    return schemas.ReferralOut(store=store, staff=staff, bound_at=at, via="binding")


def customer(
    *,
    member: bool,
    cid: int = 7,
    name: str | None = "陳美玲",
    phone: str | None = MASKED,
    email: str | None = "c•••@g••••.com",
    orders: int = 3,
    with_referral: bool = True,
    line_bound: bool = False,
    line_friend: bool | None = None,
) -> schemas.CustomerSummary:
    return schemas.CustomerSummary(
        id=cid,
        name=name,
        phone_masked=phone,
        email_masked=email,
        is_member=member,
        line_bound=line_bound,
        level="gold" if member else None,
        points=1280 if member else 0,
        source="pos",
        referral=referral(THEN - timedelta(days=200), OTHER_STORE, BEN)
        if member and with_referral
        else None,
        created_at=THEN,
        orders_count=orders,
        line_friend=line_friend,
    )


def invitation(
    status: str = "sent",
    *,
    message: str | None = "sent",
    failure: str | None = None,
    name: str | None = None,
    delivery: str | None = None,
) -> schemas.Invitation:
    """``name``: the name the customer registered with (the backend sends it once registered);
    ``delivery``: the provider's delivery receipt (a ``MessageDelivery`` value)."""
    return schemas.Invitation(
        id=3,
        status=schemas.InvitationStatus(status),
        phone_masked=MASKED,
        customer_name=name,
        expires_at=THEN + timedelta(hours=2),
        created_at=THEN,
        store=STORE,
        staff=AMY,
        message_status=schemas.MessageStatus(message) if message else None,
        failure_code=failure,
        message_delivery=schemas.MessageDelivery(delivery) if delivery else None,
    )


def sms_sent(
    status: str = "sent",
    *,
    message: str | None = "sent",
    failure: str | None = None,
    delivery: str | None = None,
) -> f.SmsSent:
    """The SMS prompt after staff typed ``TYPED_PHONE`` and tapped "Sign up"."""
    made = invitation(status, message=message, failure=failure, delivery=delivery)
    return f.SmsSent(made, TYPED_PHONE)


def binding(
    status: str = "pending",
    *,
    expires_in: timedelta = timedelta(minutes=10),
    sms_sent: bool = False,
    bound: schemas.ReferralOut | None = None,
    line: str | None = None,
    friend: bool | None = None,
) -> schemas.Binding:
    now = datetime.now(UTC)
    return schemas.Binding(
        id=5,
        status=schemas.BindingStatus(status),
        customer_id=7,
        qr_url=QR_URL,
        expires_at=now + expires_in,
        created_at=now - timedelta(minutes=1),
        phone_masked=MASKED,
        sms_sent=sms_sent,
        referral=bound,
        line_outcome=schemas.LineOutcome(line) if line else None,
        line_friend=friend,
    )


def binding_state(
    status: str = "pending",
    *,
    expires_in: timedelta = timedelta(minutes=10),
    sms_sent: bool = False,
    sms_key: str | None = None,
    error: ApiError | None = None,
    line: str | None = None,
    friend: bool | None = None,
) -> f.Binding:
    """``line``: how LINE went on the phone (a ``LineOutcome`` value); ``friend``: added us."""
    made = binding(status, expires_in=expires_in, sms_sent=sms_sent, line=line, friend=friend)
    return f.Binding(customer(member=True), made, QR_URL, sms_key=sms_key, error=error)


def bound(*, earlier: bool, line: str | None = None, friend: bool | None = None) -> f.Bound:
    done = binding("completed", line=line, friend=friend)
    at = done.created_at - timedelta(days=90) if earlier else done.created_at + timedelta(minutes=1)
    store, staff = (OTHER_STORE, BEN) if earlier else (STORE, AMY)
    return f.Bound(
        customer(member=True), done.model_copy(update={"referral": referral(at, store, staff)})
    )


OFFLINE = OfflineError("offline", "unreachable")
RATE_LIMITED = RateLimitedError(
    "rate_limited",
    "too many",
    retry_after=420,
    status=429,
    details={"scope": "phone", "sent": 3, "window_seconds": 3600},
)
