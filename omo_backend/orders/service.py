"""Orders and carts from a POS, a storefront or the counter, and the customer totals they feed.

Net spending (``customer.net_spend``) is the sum over a customer's orders of what each one
``counts``: a paid order its amount less its refunds, any other order nothing. Every change to
an order moves the total by the difference, in the same transaction, with an ``UPDATE … SET
net_spend = net_spend + :delta`` that two writers cannot lose; ``orders_count`` likewise. The
order row itself is locked while it changes, so the difference is taken from what is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend_client.schemas import MAX_ORDER_RESENDS, OrderStatus, Role
from omo_backend.actor import Actor
from omo_backend.callers import Caller, audit_by
from omo_backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from omo_backend.integrations.service import Integration
from omo_backend.members import levels
from omo_backend.messaging import outbox
from omo_backend.messaging.providers import email_provider_name
from omo_backend.models import Cart, Customer, Message, Order, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.phones import normalise_email, normalise_phone
from omo_backend.settings import Settings
from omo_backend.stores import service as stores

# What each status may become (API.md: PATCH status paid | refunded | cancelled).
_NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.UNPAID: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.REFUNDED, OrderStatus.CANCELLED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def counts(status: OrderStatus | str, amount: int, refunded_amount: int) -> int:
    """What one order adds to its customer's net spending."""
    return amount - refunded_amount if status == OrderStatus.PAID else 0


def idempotency_scope(caller: Actor | Integration) -> str:
    """Whose ``Idempotency-Key`` namespace a request is in: its device's, or its key's."""
    if isinstance(caller, Actor):
        return f"device:{caller.device_id}"
    return f"api_key:{caller.api_key_id}"


def store_for_or_raise(*, session: Session, caller: Caller, store_code: str | None) -> int:
    """The store a sale or cart belongs to: the one named, else the staff session's own.

    Counter staff record sales at their own store only; a manager, an admin or an
    integration's key names any store.
    """
    if store_code is None:
        if isinstance(caller, Actor):
            return caller.store_id
        raise ValidationFailed(
            "An order sent with an API key names its store.", code="store_code_required"
        )
    store_id = stores.get_by_code_or_raise(session=session, code=store_code).id
    if (
        isinstance(caller, Actor)
        and not caller.role.at_least(Role.MANAGER)
        and (store_id != caller.store_id)
    ):
        raise Forbidden("Counter staff record sales at their own store.", code="forbidden")
    return store_id


def may_add_members_or_raise(caller: Caller) -> None:
    """``add_as_member`` is a manager's or an integration's to ask: counter staff sign people
    up through the counter flow, which binds the referral."""
    if isinstance(caller, Actor) and not caller.role.at_least(Role.MANAGER):
        raise Forbidden("Counter staff sign members up at the counter.", code="forbidden")


def _identifiers(
    phone: str | None, email: str | None, default_region: str
) -> tuple[str | None, str | None]:
    e164 = normalise_phone(phone, default_region) if phone else None
    address = normalise_email(email) if email else None
    return e164, address


def find_customer(*, session: Session, e164: str | None, address: str | None) -> Customer | None:
    """By phone, then by e-mail; a merged account's orders go to the account it was merged into."""
    customer = None
    if e164:
        customer = session.scalar(select(Customer).where(Customer.phone == e164))
    if customer is None and address:
        customer = session.scalar(select(Customer).where(Customer.email == address))
    return primary_of(session, customer) if customer is not None else None


def primary_of(session: Session, customer: Customer) -> Customer:
    seen = {customer.id}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = session.get_one(Customer, customer.merged_into_id)
    return customer


def find_or_create_buyer(
    *,
    session: Session,
    store_id: int,
    name: str | None,
    e164: str | None,
    address: str | None,
) -> Customer:
    """The customer with this phone or e-mail, or a new past buyer (not a member)."""
    found = find_customer(session=session, e164=e164, address=address)
    if found is not None:
        return found
    clean = name.strip() if name and name.strip() else None
    customer = Customer(
        name=clean,
        name_search=clean.lower() if clean else None,
        phone=e164,
        email=address,
        source="pos",
        source_store_id=store_id,
    )
    try:
        # A twin request may create the same buyer at the same moment (PostgreSQL): theirs wins.
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError:
        found = find_customer(session=session, e164=e164, address=address)
        if found is None:
            raise
        return found
    return customer


def add_to_totals(*, session: Session, customer_id: int, spend: int, orders: int = 0) -> int:
    """Move a customer's running totals by ``spend`` and ``orders``; their net spending now."""
    net_spend = session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(
            net_spend=Customer.net_spend + spend,
            orders_count=Customer.orders_count + orders,
        )
        .returning(Customer.net_spend)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    customer = session.get(Customer, customer_id)
    if customer is not None:
        session.expire(customer, ["net_spend", "orders_count"])
    return int(net_spend)


def _upgrade(*, session: Session, caller: Caller, customer_id: int, store_id: int) -> None:
    member = session.get_one(Customer, customer_id)
    levels.upgrade_by_spend(session=session, caller=caller, store_id=store_id, member=member)


def currency_or_raise(settings: Settings, requested: str | None) -> str:
    """The merchant's currency, which an order may name but not change."""
    if requested is not None and requested != settings.currency:
        raise ValidationFailed(
            f"Orders are kept in {settings.currency}.",
            code="currency_not_supported",
            details={"field": "currency", "currency": settings.currency},
        )
    return settings.currency


def record(
    *,
    session: Session,
    caller: Caller,
    store_id: int,
    name: str | None,
    phone: str | None,
    email: str | None,
    amount: int,
    external_ref: str | None,
    default_region: str,
    currency: str,
    status: OrderStatus = OrderStatus.PAID,
    placed_at: datetime | None = None,
) -> Order:
    """A sale to a known or new customer; a new one is a past buyer, not a member."""
    if status not in (OrderStatus.PAID, OrderStatus.UNPAID):
        raise ValidationFailed(
            "A new order is paid or unpaid.",
            code="invalid_status",
            details={"field": "status"},
        )
    e164, address = _identifiers(phone, email, default_region)
    if e164 is None and address is None:
        raise ValidationFailed(
            "A purchase needs the customer's phone or e-mail.", code="phone_or_email_required"
        )
    customer = find_or_create_buyer(
        session=session, store_id=store_id, name=name, e164=e164, address=address
    )
    # Locked before the order names it: a merge taking this account (which locks it too)
    # either waits for this sale and sees it, or has merged it, and the sale goes on.
    session.refresh(customer, with_for_update={"of": Customer})
    if customer.merged_into_id is not None:
        customer = primary_of(session, customer)
    order = Order(
        customer_id=customer.id,
        store_id=store_id,
        staff_id=caller.staff_id if isinstance(caller, Actor) else None,
        amount=amount,
        external_ref=external_ref,
        status=status.value,
        currency=currency,
        # The order's own contact address: the one it came with, else the account's now.
        email=address or customer.email,
        placed_at=placed_at,
        api_key_id=caller.api_key_id if isinstance(caller, Integration) else None,
    )
    session.add(order)
    session.flush()
    add_to_totals(
        session=session,
        customer_id=customer.id,
        spend=counts(status, amount, 0),
        orders=1,
    )
    audit_by(
        session=session,
        caller=caller,
        action="order.recorded",
        store_id=store_id,
        subject_type="customer",
        subject_id=customer.id,
        details={"order_id": order.id, "status": order.status, "amount": amount},
    )
    _upgrade(session=session, caller=caller, customer_id=customer.id, store_id=store_id)
    return order


def get_or_raise(*, session: Session, order_id: int, lock: bool = False) -> Order:
    order = find_by_id(session, Order, order_id)
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    if lock:
        session.refresh(order, with_for_update={"of": Order})
    return order


def update_order(
    *,
    session: Session,
    caller: Caller,
    order_id: int,
    status: OrderStatus | None = None,
    refunded_amount: int | None = None,
    email: str | None = None,
) -> Order:
    """A status change, a refund (the running total) or the order's own e-mail."""
    order = get_or_raise(session=session, order_id=order_id, lock=True)
    before = {
        "status": order.status,
        "refunded_amount": order.refunded_amount,
        "email": order.email,
    }
    old_status = OrderStatus(order.status)
    new_status = old_status if status is None else status
    refunded = order.refunded_amount if refunded_amount is None else refunded_amount
    if new_status == OrderStatus.REFUNDED and refunded_amount is None:
        refunded = order.amount  # "refunded" alone refunds the rest
    if new_status != old_status and new_status not in _NEXT[old_status]:
        raise Conflict(
            f"A {old_status.value} order cannot become {new_status.value}.",
            code="invalid_status_change",
            details={"from": old_status.value, "to": new_status.value},
        )
    if refunded != order.refunded_amount:
        _check_refund(order, old_status, new_status, refunded)
        if refunded == order.amount and new_status == OrderStatus.PAID:
            new_status = OrderStatus.REFUNDED
    if new_status == OrderStatus.REFUNDED and refunded != order.amount:
        raise ValidationFailed(
            "A refunded order has all of its amount refunded.",
            code="refund_incomplete",
            details={"field": "refunded_amount", "amount": order.amount},
        )
    if email is not None:
        order.email = normalise_email(email)
    customer = primary_of(session, session.get_one(Customer, order.customer_id))
    old_counts = counts(old_status, order.amount, order.refunded_amount)
    new_counts = counts(new_status, order.amount, refunded)
    if customer.id != order.customer_id:
        # The account it was recorded for has been merged away: the order follows it.
        add_to_totals(session=session, customer_id=order.customer_id, spend=-old_counts, orders=-1)
        add_to_totals(session=session, customer_id=customer.id, spend=new_counts, orders=1)
        order.customer_id = customer.id
    elif new_counts != old_counts:
        add_to_totals(session=session, customer_id=customer.id, spend=new_counts - old_counts)
    order.status = new_status.value
    order.refunded_amount = refunded
    session.flush()
    after = {
        "status": order.status,
        "refunded_amount": order.refunded_amount,
        "email": order.email,
    }
    changed = {key for key in before if before[key] != after[key]}
    if changed:
        audit_by(
            session=session,
            caller=caller,
            action="order.updated",
            store_id=order.store_id,
            subject_type="order",
            subject_id=order.id,
            details={
                "customer_id": customer.id,
                "before": {key: before[key] for key in sorted(changed)},
                "after": {key: after[key] for key in sorted(changed)},
            },
        )
    if new_counts > old_counts:
        _upgrade(session=session, caller=caller, customer_id=customer.id, store_id=order.store_id)
    return order


def _check_refund(
    order: Order, old_status: OrderStatus, new_status: OrderStatus, refunded: int
) -> None:
    if old_status != OrderStatus.PAID or new_status == OrderStatus.CANCELLED:
        raise Conflict(
            "Only a paid order can be refunded.",
            code="order_not_paid",
            details={"status": old_status.value},
        )
    if refunded < order.refunded_amount:
        raise ValidationFailed(
            "Refunds are a running total: it never goes down.",
            code="refund_decreased",
            details={"field": "refunded_amount", "refunded_amount": order.refunded_amount},
        )
    if refunded > order.amount:
        raise ValidationFailed(
            "Refunds cannot exceed the order's amount.",
            code="refund_exceeds_amount",
            details={"field": "refunded_amount", "amount": order.amount},
        )


# The order summary, in the store's language (the address has no locale of its own).
SUMMARY_SUBJECT = {
    "zh_TW": "您在 {store} 的訂單 {ref}",
    "en": "Your order {ref} at {store}",
}
SUMMARY_BODY = {
    "zh_TW": "感謝您在 {store} 購物。\n\n訂單：{ref}\n日期：{date}\n金額：{currency} {amount}\n"
    "已退款：{currency} {refunded}\n狀態：{status}\n",
    "en": "Thank you for shopping at {store}.\n\nOrder: {ref}\nDate: {date}\n"
    "Amount: {currency} {amount}\nRefunded: {currency} {refunded}\nStatus: {status}\n",
}
STATUS_WORDS = {
    "zh_TW": {"unpaid": "未付款", "paid": "已付款", "refunded": "已退款", "cancelled": "已取消"},
    "en": {"unpaid": "unpaid", "paid": "paid", "refunded": "refunded", "cancelled": "cancelled"},
}


def summary_email(order: Order, store: Store) -> tuple[str, str]:
    """The subject and text of an order's summary e-mail."""
    language = store.locale if store.locale in SUMMARY_BODY else "en"
    ref = order.external_ref or f"#{order.id}"
    when = order.placed_at or order.created_at
    subject = SUMMARY_SUBJECT[language].format(store=store.name, ref=ref)
    body = SUMMARY_BODY[language].format(
        store=store.name,
        ref=ref,
        date=when.date().isoformat(),
        currency=order.currency,
        amount=f"{order.amount:,}",
        refunded=f"{order.refunded_amount:,}",
        status=STATUS_WORDS[language].get(order.status, order.status),
    )
    return subject, body


def resend_email(*, session: Session, settings: Settings, caller: Caller, order_id: int) -> Message:
    """Queue the order's summary to the order's own address; at most MAX_ORDER_RESENDS times."""
    order = get_or_raise(session=session, order_id=order_id)
    if not order.email:
        raise Conflict("This order has no e-mail address.", code="order_has_no_email")
    # One statement checks and counts: two resends at once cannot both take the last one.
    taken = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.resend_count < MAX_ORDER_RESENDS)
        .values(resend_count=Order.resend_count + 1)
        .returning(Order.resend_count)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        raise Conflict(
            f"This order's e-mail was sent again {MAX_ORDER_RESENDS} times already.",
            code="resend_quota_exhausted",
            details={"limit": MAX_ORDER_RESENDS},
        )
    session.expire(order, ["resend_count"])
    store = session.get_one(Store, order.store_id)
    subject, body = summary_email(order, store)
    message = outbox.enqueue_email(
        session=session,
        to=order.email,
        subject=subject,
        body=body,
        purpose="order_summary",
        provider=email_provider_name(settings),
        store_id=order.store_id,
        device_id=caller.device_id if isinstance(caller, Actor) else None,
        staff_id=caller.staff_id if isinstance(caller, Actor) else None,
    )
    audit_by(
        session=session,
        caller=caller,
        action="order.email_resent",
        store_id=order.store_id,
        subject_type="order",
        subject_id=order.id,
        details={"message_id": message.id, "resends": int(taken)},
    )
    return message


# --- carts --------------------------------------------------------------------------------


def refresh_open_cart(*, session: Session, customer_id: int) -> None:
    """``customer.open_cart_at``: when their newest open cart was last updated (None: none)."""
    newest = (
        select(func.max(Cart.updated_at))
        .where(Cart.customer_id == customer_id, Cart.checked_out.is_(False))
        .scalar_subquery()
    )
    session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(open_cart_at=newest)
        .execution_options(synchronize_session=False)
    )
    customer = session.get(Customer, customer_id)
    if customer is not None:
        session.expire(customer, ["open_cart_at"])


def _cart_customer(
    *,
    session: Session,
    settings: Settings,
    customer_id: int | None,
    phone: str | None,
    email: str | None,
) -> int | None:
    """Whose cart: the customer named, else found by phone then e-mail; carts of someone the
    merchant does not know yet stay anonymous (a cart makes no past buyer)."""
    if customer_id is not None:
        named = find_by_id(session, Customer, customer_id)
        if named is None:
            raise NotFound("No such customer.", code="customer_not_found")
        return primary_of(session, named).id
    e164, address = _identifiers(phone, email, settings.default_country)
    found = find_customer(session=session, e164=e164, address=address)
    return found.id if found is not None else None


def put_cart(
    *,
    session: Session,
    settings: Settings,
    caller: Caller,
    external_ref: str,
    store_code: str | None,
    customer_id: int | None,
    phone: str | None,
    email: str | None,
    amount: int,
    items_count: int,
    checked_out: bool,
) -> Cart:
    """Create or replace the cart ``external_ref``; its customer's open-cart time follows."""
    owner = _cart_customer(
        session=session, settings=settings, customer_id=customer_id, phone=phone, email=email
    )
    store_id = (
        stores.get_by_code_or_raise(session=session, code=store_code).id
        if store_code is not None
        else (caller.store_id if isinstance(caller, Actor) else None)
    )
    cart = session.scalar(
        select(Cart).where(Cart.external_ref == external_ref).with_for_update(of=Cart)
    )
    now = utcnow()
    before_owner = cart.customer_id if cart is not None else None
    if cart is None:
        cart = Cart(external_ref=external_ref, amount=amount, items_count=items_count)
        try:
            with session.begin_nested():
                session.add(cart)
                session.flush()
        except IntegrityError:
            # Made at the same moment by a twin request: change that one.
            cart = session.scalars(
                select(Cart).where(Cart.external_ref == external_ref).with_for_update(of=Cart)
            ).one()
            before_owner = cart.customer_id
    cart.customer_id = owner if owner is not None else cart.customer_id
    cart.store_id = store_id if store_id is not None else cart.store_id
    cart.amount = amount
    cart.items_count = items_count
    cart.checked_out = checked_out
    cart.updated_at = now
    session.flush()
    for affected in {before_owner, cart.customer_id} - {None}:
        assert affected is not None
        refresh_open_cart(session=session, customer_id=affected)
    audit_by(
        session=session,
        caller=caller,
        action="cart.put",
        store_id=cart.store_id,
        subject_type="cart",
        subject_id=cart.id,
        details={
            "customer_id": cart.customer_id,
            "amount": amount,
            "items_count": items_count,
            "checked_out": checked_out,
        },
    )
    return cart
