"""The demo's crowd (issue 12): a few hundred members and past buyers for managers to manage.

Members across every demo store, referred by its staff over the last 90 days, with levels,
orders (paid, partly or wholly refunded, unpaid, cancelled), open and checked-out carts, a
points ledger with expiries, LINE links, consents, and the SMS each registration sent (so the
SMS usage report has something to show). Past buyers have orders and no membership.

Everything is drawn from one seeded ``random.Random`` (the same demo every time) by
:func:`draw`, a pure function; :func:`add` writes it in a handful of bulk INSERTs so the
demo still starts quickly. Each customer's running totals (``net_spend``, ``orders_count``,
``open_cart_at``) come from :func:`totals` over the orders and carts written with them, by
the orders service's own rule (``omo_backend.orders.service.counts``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from omo_backend.directory.search_text import search_columns
from omo_backend.members import points as points_rules
from omo_backend.models import (
    Cart,
    Consent,
    Customer,
    Level,
    Message,
    Order,
    PointsEntry,
    Referral,
    Staff,
    Store,
)
from omo_backend.models.base import Base
from omo_backend.orders import service as order_service

SEED = 20261130
MEMBERS = 320
PAST_BUYERS = 90
# What the demo's back-dated SMS record as their provider: the demo phone (GET
# /api/v1/dev/messages) leaves them out, so it still shows only what this demo sent.
HISTORY_PROVIDER = "demo-history"
# Levels as an admin would set them (thresholds in minor units: NT$5,000 and NT$20,000).
LEVELS = [
    ("regular", "Regular", "一般會員", None),
    ("silver", "Silver", "銀卡", 500_000),
    ("gold", "Gold", "金卡", 2_000_000),
]
# (char, romanisation): Taiwan's usual Wade–Giles spellings, as on passports.
_SURNAMES = [
    ("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"),
    ("王", "Wang"), ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"),
    ("許", "Hsu"), ("鄭", "Cheng"), ("謝", "Hsieh"), ("郭", "Kuo"), ("洪", "Hung"),
    ("曾", "Tseng"), ("邱", "Chiu"), ("廖", "Liao"), ("賴", "Lai"), ("周", "Chou"),
]  # fmt: skip
_GIVEN = [
    ("怡君", "Yi-chun"), ("雅婷", "Ya-ting"), ("淑芬", "Shu-fen"), ("美玲", "Mei-ling"),
    ("志明", "Chih-ming"), ("家豪", "Chia-hao"), ("俊傑", "Chun-chieh"), ("宗翰", "Tsung-han"),
    ("冠宇", "Kuan-yu"), ("承恩", "Cheng-en"), ("柏翰", "Po-han"), ("欣怡", "Hsin-yi"),
    ("佳穎", "Chia-ying"), ("詩涵", "Shih-han"), ("靜宜", "Ching-yi"), ("建宏", "Chien-hung"),
    ("子軒", "Tzu-hsuan"), ("品妤", "Pin-yu"), ("郁婷", "Yu-ting"), ("宇軒", "Yu-hsuan"),
]  # fmt: skip
_ENGLISH = [
    "Amy", "Ben", "Cindy", "David", "Emily", "Grace", "Kevin", "Jason", "Vivian", "Eric",
    "Iris", "Jenny", "Tony", "Peggy", "Alice", "Sam", "Winnie", "Leo",
]  # fmt: skip
# Reserved for documentation (RFC 2606): a demo never writes to a real mailbox.
_DOMAINS = ["example.com", "example.net", "example.org"]
# Mobile prefixes in use in Taiwan (the demo's own numbers are kept out, see ``draw``).
_PREFIXES = [
    f"09{n:02d}"
    for n in (10, 12, 16, 18, 19, 21, 22, 28, 30, 32, 33, 35, 37, 52, 55, 58, 60, 63, 66, 70)
]
_TERMS = "會員條款及隱私權聲明（示範）Member terms and privacy notice (demo)"
_MARKETING = "我同意收到最新消息與優惠（示範）I agree to receive news and offers (demo)"
_SMS_BODY = "【OMO 示範】{store}邀請您加入會員，請開啟連結完成註冊：https://demo.invalid/r/{n}"


@dataclass(frozen=True)
class OrderFacts:
    amount: int
    refunded_amount: int
    status: str  # paid, unpaid, refunded, cancelled


@dataclass(frozen=True)
class CartFacts:
    checked_out: bool
    updated_at: datetime


@dataclass(frozen=True)
class Totals:
    net_spend: int
    orders_count: int
    open_cart_at: datetime | None


def totals(orders: Iterable[OrderFacts], carts: Iterable[CartFacts]) -> Totals:
    """A customer's running totals: paid orders − refunds, orders recorded, newest open cart."""
    orders = list(orders)
    spend = sum(order_service.counts(o.status, o.amount, o.refunded_amount) for o in orders)
    open_carts = [c.updated_at for c in carts if not c.checked_out]
    return Totals(spend, len(orders), max(open_carts, default=None))


def level_for(net_spend: int) -> str:
    """The highest level whose threshold the net spending reaches."""
    reached = [code for code, _, _, floor in LEVELS if floor is None or net_spend >= floor]
    return reached[-1]


@dataclass
class DrawnCustomer:
    """One customer and what hangs off them, ids still to come (rows as column dicts)."""

    row: dict[str, object]
    orders: list[dict[str, object]] = field(default_factory=list)
    order_facts: list[OrderFacts] = field(default_factory=list)
    order_times: list[datetime] = field(default_factory=list)
    carts: list[dict[str, object]] = field(default_factory=list)
    cart_facts: list[CartFacts] = field(default_factory=list)
    points: list[dict[str, object]] = field(default_factory=list)
    referral: dict[str, object] | None = None
    consents: list[dict[str, object]] = field(default_factory=list)
    messages: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class StaffRef:
    id: int
    store_id: int
    store_name: str


def draw(
    *,
    now: datetime,
    staff: Sequence[StaffRef],
    taken_phones: set[str],
    taken_emails: set[str],
    password_hash: str | None,
    members: int = MEMBERS,
    past_buyers: int = PAST_BUYERS,
    seed: int = SEED,
) -> list[DrawnCustomer]:
    """The crowd: ``members`` members and ``past_buyers`` past buyers, the same every time.

    ``taken_phones`` (E.164) and ``taken_emails`` are never handed out (the demo's own
    customers, and whoever the demo has registered since).
    """
    rng = random.Random(seed)
    crowd: list[DrawnCustomer] = []
    phones = set(taken_phones)
    emails = set(taken_emails)
    for index in range(members + past_buyers):
        is_member = index < members
        name, handle = _name(rng)
        phone = _phone(rng, phones)
        email = None
        if rng.random() < (0.7 if is_member else 0.35):
            email = _email(rng, handle, emails)
        # First seen up to two years ago; counter members joined in the last 90 days.
        first_seen = now - timedelta(seconds=rng.randrange(2 * 365 * 86400))
        referrer = rng.choice(staff)
        customer = DrawnCustomer(row={})
        referred = is_member and rng.random() < 0.85
        if referred:
            bound_at = now - timedelta(seconds=rng.randrange(90 * 86400))
            first_seen = min(first_seen, bound_at)
            member_since: datetime | None = bound_at
            customer.referral = {
                "store_id": referrer.store_id,
                "staff_id": referrer.id,
                "bound_at": bound_at,
                "via": "registration",
            }
            customer.consents = _consents(rng, referrer, bound_at)
            customer.messages = [_registration_sms(rng, referrer, phone, bound_at, index)]
        else:
            member_since = first_seen if is_member else None
        _add_orders(rng, customer, referrer, first_seen, now, email, is_member)
        _add_carts(rng, customer, referrer, now, index)
        sums = totals(customer.order_facts, customer.cart_facts)
        level = None
        if is_member:
            level = level_for(sums.net_spend)
            codes = [code for code, *_ in LEVELS]
            if level != codes[-1] and rng.random() < 0.05:
                level = codes[codes.index(level) + 1]  # moved up by a manager
            customer.points = _points(
                rng,
                zip(customer.order_facts, customer.order_times, strict=True),
                member_since or first_seen,
                now,
            )
        line = is_member and rng.random() < 0.35
        linked_at = (member_since or now) + timedelta(minutes=rng.randrange(2, 30))
        customer.row = {
            "name": name,
            "name_search": name.lower(),
            # Core INSERTs skip the model's listener that keeps these (the member list's q).
            **search_columns(name, email, phone),
            "phone": phone,
            "email": email,
            "birthday": _birthday(rng) if is_member and rng.random() < 0.8 else None,
            "is_member": is_member,
            "member_since": member_since,
            "password_hash": password_hash if is_member else None,
            "level": level,
            "source": "counter" if referred else ("online" if is_member else "pos"),
            "source_store_id": referrer.store_id,
            "line_user_id": f"U{rng.getrandbits(128):032x}" if line else None,
            "line_friend": (rng.random() < 0.8) if line else None,
            "line_linked_at": min(linked_at, now) if line else None,
            "net_spend": sums.net_spend,
            "orders_count": sums.orders_count,
            "open_cart_at": sums.open_cart_at,
            "created_at": first_seen,
            "updated_at": now,
        }
        crowd.append(customer)
    return crowd


def _name(rng: random.Random) -> tuple[str, str]:
    """A display name (Chinese, Chinese with an English name, or English) and an e-mail handle."""
    surname, surname_roman = rng.choice(_SURNAMES)
    given, given_roman = rng.choice(_GIVEN)
    english = rng.choice(_ENGLISH)
    style = rng.random()
    if style < 0.6:
        name = surname + given
        handle = f"{given_roman.replace('-', '').lower()}.{surname_roman.lower()}"
    elif style < 0.85:
        name = f"{surname}{given} {english} {surname_roman}"
        handle = f"{english.lower()}.{surname_roman.lower()}"
    else:
        name = f"{english} {surname_roman}"
        handle = f"{english.lower()}{surname_roman.lower()}"
    return name, handle


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        national = f"{rng.choice(_PREFIXES)}{rng.randrange(10**6):06d}"
        e164 = "+886" + national[1:]
        if e164 not in taken:
            taken.add(e164)
            return e164


def _email(rng: random.Random, handle: str, taken: set[str]) -> str:
    while True:
        suffix = "" if rng.random() < 0.4 else str(rng.randrange(1, 2000))
        address = f"{handle}{suffix}@{rng.choice(_DOMAINS)}"
        if address not in taken:
            taken.add(address)
            return address


def _birthday(rng: random.Random) -> date:
    return date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))


def _consents(rng: random.Random, referrer: StaffRef, at: datetime) -> list[dict[str, object]]:
    return [
        {
            "purpose": purpose,
            "granted": granted,
            "text_shown": text,
            "locale": "zh_TW",
            "channel": "registration_page",
            "store_id": referrer.store_id,
            "staff_id": referrer.id,
            "created_at": at,
        }
        for purpose, granted, text in (
            ("terms", True, _TERMS),
            ("marketing", rng.random() < 0.7, _MARKETING),
        )
    ]


def _registration_sms(
    rng: random.Random, referrer: StaffRef, phone: str, bound_at: datetime, index: int
) -> dict[str, object]:
    body = _SMS_BODY.format(store=referrer.store_name.split(" ")[0], n=index)
    # A GSM-7-less (Chinese) SMS holds 70 characters, 67 per part when split.
    segments = 1 if len(body) <= 70 else -(-len(body) // 67)
    sent = bound_at - timedelta(minutes=rng.randrange(3, 15))
    return {
        "channel": "sms",
        "purpose": "registration",
        "to_address": phone,
        "body": body,
        "status": "sent",
        "provider": HISTORY_PROVIDER,
        "segments": segments,
        "cost_units": segments,
        "store_id": referrer.store_id,
        "staff_id": referrer.id,
        "attempts": 1,
        "next_attempt_at": sent,
        "created_at": sent,
        "sent_at": sent + timedelta(seconds=2),
    }


def _add_orders(
    rng: random.Random,
    customer: DrawnCustomer,
    referrer: StaffRef,
    first_seen: datetime,
    now: datetime,
    email: str | None,
    is_member: bool,
) -> None:
    count = rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 7, 10] if is_member else [1, 1, 1, 2, 2, 3, 4])
    span = max(int((now - first_seen).total_seconds()), 1)
    for _ in range(count):
        placed = first_seen + timedelta(seconds=rng.randrange(span))
        amount = rng.randrange(15, 600) * 1000  # NT$150 to NT$5,990, in minor units
        roll = rng.random()
        status, refunded = "paid", 0
        if roll < 0.06:
            refunded = rng.randrange(1, amount // 1000) * 1000  # partly refunded, still paid
        elif roll < 0.11:
            status, refunded = "refunded", amount
        elif roll < 0.17:
            status = "unpaid"
        elif roll < 0.20:
            status = "cancelled"
        changed = (
            placed + timedelta(days=rng.randrange(1, 10)) if status != "paid" or refunded else None
        )
        online = rng.random() < 0.3
        customer.order_facts.append(OrderFacts(amount, refunded, status))
        customer.order_times.append(placed)
        customer.orders.append(
            {
                "store_id": referrer.store_id,
                "staff_id": None if online else referrer.id,
                "amount": amount,
                "external_ref": f"{'SHOP' if online else 'POS'}-{rng.randrange(10**8):08d}",
                "status": status,
                "refunded_amount": refunded,
                "currency": "TWD",
                "email": email if online else None,
                "placed_at": placed,
                "created_at": placed,
                "updated_at": min(changed, now) if changed else None,
            }
        )


def _add_carts(
    rng: random.Random, customer: DrawnCustomer, referrer: StaffRef, now: datetime, index: int
) -> None:
    roll = rng.random()
    if roll > 0.35:
        return
    checked_out = roll < 0.12
    updated = now - timedelta(seconds=rng.randrange(21 * 86400))  # a third older than 7 days
    items = rng.randrange(1, 6)
    customer.cart_facts.append(CartFacts(checked_out, updated))
    customer.carts.append(
        {
            "external_ref": f"cart-demo-{index:05d}",
            "store_id": referrer.store_id,
            "amount": items * rng.randrange(20, 300) * 1000,
            "items_count": items,
            "checked_out": checked_out,
            "created_at": updated - timedelta(hours=rng.randrange(1, 72)),
            "updated_at": updated,
        }
    )


def _points(
    rng: random.Random,
    orders: Iterable[tuple[OrderFacts, datetime]],
    joined: datetime,
    now: datetime,
) -> list[dict[str, object]]:
    """Grants for paid orders (1 point per NT$100, a year to use), a welcome grant, and
    redemptions spending them by the ledger's own rules (earliest-expiring first)."""
    # (when, points granted or 0 for a redemption, reason, expiry)
    events: list[tuple[datetime, int, str, datetime | None]] = []
    if rng.random() < 0.6:
        events.append((joined, 100, "Welcome points", None))
    for order, placed in orders:
        earned = (order.amount - order.refunded_amount) // 10_000
        if order.status == "paid" and earned > 0:
            events.append((placed, earned, "Purchase points", placed + timedelta(days=365)))
            if rng.random() < 0.3:
                spend_at = min(placed + timedelta(days=rng.randrange(1, 90)), now)
                events.append((spend_at, 0, "Redeemed at the counter", None))
    events.sort(key=lambda e: e[0])
    rows: list[dict[str, object]] = []
    grants: list[tuple[points_rules.Grant, dict[str, object]]] = []
    for at, delta, reason, expires in events:
        if delta > 0:
            row: dict[str, object] = {
                "delta": delta, "reason": reason, "expires_at": expires, "created_at": at
            }  # fmt: skip
            grants.append((points_rules.Grant(len(grants), delta, expires), row))
            rows.append(row)
            continue
        ledger = [grant for grant, _ in grants]
        live = points_rules.balance(ledger, at)
        if live < 20:
            continue
        spent = rng.randrange(10, live + 1, 10)
        for grant_id, taken in points_rules.allocate(ledger, spent, at):
            ledger[grant_id].remaining -= taken
        rows.append(
            {"delta": -spent, "reason": reason, "expires_at": None, "remaining": None,
             "created_at": at}
        )  # fmt: skip
    for grant, row in grants:
        row["remaining"] = grant.remaining
    return rows


def staff_refs(session: Session) -> list[StaffRef]:
    """The active staff who refer members (not head office's admin), store by store."""
    rows = session.execute(
        select(Staff.id, Staff.store_id, Store.name)
        .join(Store, Store.id == Staff.store_id)
        .where(Staff.active, Staff.role != "admin")
        .order_by(Staff.store_id, Staff.code)
    )
    return [StaffRef(staff_id, store_id, name) for staff_id, store_id, name in rows]


def ensure_levels(session: Session) -> None:
    """The demo's levels, unless an admin has already set some."""
    if session.scalar(select(Level.id).limit(1)) is not None:
        return
    for rank, (code, name_en, name_zh_tw, floor) in enumerate(LEVELS):
        session.add(
            Level(code=code, name_en=name_en, name_zh_TW=name_zh_tw, min_net_spend=floor,
                  rank=rank)
        )  # fmt: skip
    session.flush()


def add(*, session: Session, now: datetime, password_hash: str | None) -> int:
    """Writes the crowd in bulk (one INSERT per table); returns how many customers it added."""
    taken_phones = {p for p in session.scalars(select(Customer.phone)) if p}
    taken_emails = {e for e in session.scalars(select(Customer.email)) if e}
    crowd = draw(
        now=now,
        staff=staff_refs(session),
        taken_phones=taken_phones,
        taken_emails=taken_emails,
        password_hash=password_hash,
    )
    # Core INSERTs on the tables: the ORM's bulk path would cost more than the rows here.
    customers = Base.metadata.tables[Customer.__tablename__]
    ids = list(
        session.scalars(
            insert(customers).returning(customers.c.id, sort_by_parameter_order=True),
            [c.row for c in crowd],
        )
    )
    children: dict[type[Base], list[dict[str, object]]] = {
        Order: [], Cart: [], PointsEntry: [], Referral: [], Consent: [], Message: []
    }  # fmt: skip
    for customer_id, customer in zip(ids, crowd, strict=True):
        mine = {"customer_id": customer_id}
        children[Order] += [{**o, **mine} for o in customer.orders]
        children[Cart] += [{**c, **mine} for c in customer.carts]
        children[PointsEntry] += [{**p, **mine} for p in customer.points]
        children[Consent] += [{**c, **mine} for c in customer.consents]
        children[Message] += customer.messages
        if customer.referral is not None:
            children[Referral].append({**customer.referral, **mine})
    for model, rows in children.items():
        if rows:
            session.execute(insert(Base.metadata.tables[model.__tablename__]), rows)
    return len(crowd)
