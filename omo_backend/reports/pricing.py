"""The price of one SMS segment, a merchant-wide setting (``omo-backend settings set
sms-segment-price``), so the SMS usage report shows money and not only segments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend_client.schemas import SmsPrice
from omo_backend import audit
from omo_backend.models import MerchantSetting

SMS_SEGMENT_PRICE = "sms-segment-price"


def sms_price(session: Session) -> SmsPrice | None:
    """The price set last, or None before any was set."""
    row = session.get(MerchantSetting, SMS_SEGMENT_PRICE)
    if row is None:
        return None
    amount, currency = row.value.split(" ", 1)
    return SmsPrice(price_per_segment=int(amount), currency=currency)


def set_sms_price(*, session: Session, price: SmsPrice) -> None:
    """Sets the price (stored as "<minor units> <currency>"); audited as the operator's."""
    before = sms_price(session)
    row = session.get(MerchantSetting, SMS_SEGMENT_PRICE)
    value = f"{price.price_per_segment} {price.currency}"
    if row is None:
        session.add(MerchantSetting(name=SMS_SEGMENT_PRICE, value=value))
    else:
        row.value = value
    audit.record(
        session=session,
        action="settings.sms_segment_price",
        store_id=None,
        details={
            "by": "operator",
            "before": before.model_dump() if before is not None else None,
            "after": price.model_dump(),
        },
    )
    session.flush()
