"""Demo data: four stores, their staff, members with referrals and past buyers (idempotent).

Beside the few customers the counter's paths use, a crowd of a few hundred members and past
buyers with orders, carts, points and SMS history for managers (omo_backend/demo_crowd.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend_client.schemas import OrderStatus, Role, StorePageSettings
from omo_backend import audit, demo_crowd, demo_hashes
from omo_backend.customers import service as customer_service
from omo_backend.models import AuditEvent, Customer, PointsEntry, Referral, Staff, Store, utcnow
from omo_backend.orders import service as order_service
from omo_backend.phones import normalise_phone
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as store_service

STORES = [
    ("TPE01", "台北總店 Taipei Main", "zh_TW"),
    ("TPE02", "信義店 Xinyi", "zh_TW"),
    ("TXG01", "台中店 Taichung", "zh_TW"),
    ("KHH01", "高雄店 Kaohsiung", "zh_TW"),
]
STAFF = [
    ("TPE01", "1001", "Amy Lin 林怡君", Role.MANAGER, "123456"),
    ("TPE01", "1002", "Ben Chen 陳柏翰", Role.STAFF, "222222"),
    ("TPE02", "2001", "Cindy Wang 王欣怡", Role.MANAGER, "333333"),
    ("TXG01", "3001", "David Huang 黃大衛", Role.STAFF, "444444"),
    # Issue 12: more staff who refer the demo's crowd of members.
    ("TPE02", "2002", "Eric Hsu 許志明", Role.STAFF, "555555"),
    ("TXG01", "3002", "Grace Tsai 蔡佳穎", Role.MANAGER, "666666"),
    ("KHH01", "4001", "Kevin Lai 賴冠宇", Role.MANAGER, "777777"),
    ("KHH01", "4002", "Iris Chou 周詩涵", Role.STAFF, "888888"),
    # Head office (issue 12): an admin, who may do all a manager may and more.
    ("TPE01", "9001", "Head Office 總部", Role.ADMIN, "999999"),
]
# Members: name, phone, e-mail, level, points, referring store and staff (or None).
MEMBERS = [
    ("陳美玲 Mei-ling Chen", "0912345678", "meiling@example.com", "gold", 820, ("TPE01", "1001")),
    ("王小明 Xiao-ming Wang", "0922333444", "xm.wang@example.com", "silver", 150, None),
    ("Grace Liu", "0933111222", "grace.liu@example.com", "regular", 40, ("TPE02", "2001")),
]
# Past buyers: bought before, not members.
BUYERS = [
    ("張志豪 Chih-hao Chang", "0955666777", None, 128_000),
    ("Emily Tsai", "0966123123", "emily.tsai@example.com", 56_000),
]
NEW_CUSTOMER_PHONE = "0977888999"
# Issue 13: one person's three accounts for an admin to find ("林雅婷" or "lin"), preview and
# merge: name, phone, e-mail, level (None: a past buyer), points, referral, orders.
DUPLICATES = [
    (
        "林雅婷 Ya-ting Lin",
        "0911222333",
        "yating.lin@example.com",
        "silver",
        120,
        ("TPE02", "2002"),
        [(3_200, OrderStatus.PAID)],
    ),
    (
        "Ya-ting Lin",
        "0911222334",
        "yt.lin@example.com",
        "regular",
        60,
        ("TPE01", "1002"),
        [(1_800, OrderStatus.PAID), (900, OrderStatus.UNPAID)],
    ),
    ("林雅婷", "0911222335", None, None, 0, None, [(450, OrderStatus.PAID)]),
]
# What the phone pages show of the stores (issue 11): the Taipei store has an online shop, a
# LINE Official Account and terms of its own; the others show the default terms, and their
# last pages say that the page can be closed.
STORE_PAGES = {
    "TPE01": StorePageSettings(
        shop_url="https://shop.example.com/",
        line_add_friend_url="https://line.me/R/ti/p/@omo-demo",
        terms_text=(
            "台北總店會員條款及隱私權聲明（示範）\n\n"
            "我們蒐集您的姓名、手機號碼、電子郵件及生日，用於會員身分確認、點數及會員優惠。"
            "您同意接收行銷訊息時，我們才會寄送最新消息與優惠。\n\n"
            "您可隨時向門市人員要求查閱、更正或刪除您的個人資料。\n\n"
            "Taipei Main member terms and privacy notice (demo): we keep your name, mobile "
            "number, e-mail and birthday for your membership, points and member offers, and "
            "send news only if you agreed to it. Ask the staff to see, correct or delete them."
        ),
    ),
}


@dataclass(frozen=True)
class DemoInfo:
    stores: list[tuple[str, str]]
    staff: list[tuple[str, str, str, str, str]]
    members: list[str]
    buyers: list[str]
    new_customer: str
    # Issue 13: the phones of one person's three accounts, for the merge demo.
    duplicates: list[str] = field(default_factory=list)


# Recorded when the demo data is in: it all goes in one transaction, so with the marker there
# a start skips the lookups (and the phone parsing, the slowest part). New demo data in a
# later version needs a new marker name.
SEEDED = "demo.seeded"
PAGES_SEEDED = "demo.seeded.store-pages"
CROWD_SEEDED = "demo.seeded.crowd"
DUPLICATES_SEEDED = "demo.seeded.duplicates"
# Demo members sign in on the phone's bind page with this.
MEMBER_PASSWORD = "demo-password"  # noqa: S105 (demo data, printed for people to use)


def seed(*, session: Session) -> DemoInfo:
    """Adds whatever demo data is missing (once: then it finds its marker and returns)."""
    seeded = select(AuditEvent.id).where(AuditEvent.action == SEEDED).limit(1)
    if session.scalar(seeded) is None:
        _add_missing(session)
        audit.record(session=session, action=SEEDED, store_id=None)
    pages_seeded = select(AuditEvent.id).where(AuditEvent.action == PAGES_SEEDED).limit(1)
    if session.scalar(pages_seeded) is None:
        for code, settings in STORE_PAGES.items():
            store = store_service.get_by_code_or_raise(session=session, code=code)
            store_service.update_page_settings(session=session, store=store, settings=settings)
        audit.record(session=session, action=PAGES_SEEDED, store_id=None)
    duplicates_seeded = select(AuditEvent.id).where(AuditEvent.action == DUPLICATES_SEEDED)
    if session.scalar(duplicates_seeded.limit(1)) is None:
        # Before the crowd, which then never takes their numbers.
        _add_duplicates(session)
        audit.record(session=session, action=DUPLICATES_SEEDED, store_id=None)
    crowd_seeded = select(AuditEvent.id).where(AuditEvent.action == CROWD_SEEDED).limit(1)
    if session.scalar(crowd_seeded) is None:
        # A demo folder from before the crowd gets its stores and staff here too.
        _stores_and_staff(session)
        demo_crowd.ensure_levels(session)
        demo_crowd.add(
            session=session, now=utcnow(), password_hash=demo_hashes.hashed(MEMBER_PASSWORD)
        )
        audit.record(session=session, action=CROWD_SEEDED, store_id=None)
    return DemoInfo(
        stores=[(code, name) for code, name, _ in STORES],
        staff=[(s, c, n, r.value, p) for s, c, n, r, p in STAFF],
        members=[phone for _, phone, *_ in MEMBERS],
        buyers=[phone for _, phone, *_ in BUYERS],
        new_customer=NEW_CUSTOMER_PHONE,
        duplicates=[phone for _, phone, *_ in DUPLICATES],
    )


def _stores_and_staff(session: Session) -> tuple[dict[str, Store], dict[tuple[str, str], Staff]]:
    stores: dict[str, Store] = {}
    for code, name, locale in STORES:
        store = session.scalar(select(Store).where(Store.code == code))
        stores[code] = store or store_service.create(
            session=session, code=code, name=name, locale=locale
        )
    staff_by_code: dict[tuple[str, str], Staff] = {}
    for store_code, code, name, role, pin in STAFF:
        store = stores[store_code]
        found = session.scalar(select(Staff).where(Staff.store_id == store.id, Staff.code == code))
        staff_by_code[(store_code, code)] = found or staff_service.create(
            session=session,
            store=store,
            code=code,
            name=name,
            role=role,
            pin=pin,
            pin_hash=demo_hashes.hashed(pin),
        )
    return stores, staff_by_code


def _add_missing(session: Session) -> None:
    stores, staff_by_code = _stores_and_staff(session)
    now = utcnow()
    password_hash = None
    for index, (name, phone, email, level, points, referral) in enumerate(MEMBERS):
        e164 = normalise_phone(phone, "TW")
        if customer_service.find_by_phone(session=session, e164=e164) is not None:
            continue
        # Demo data only: one hash for all, at the lighter PIN cost, made ahead, keeps the
        # first start short (a real member's password gets its own: security.hash_secret).
        password_hash = password_hash or demo_hashes.hashed(MEMBER_PASSWORD)
        member = Customer(
            name=name,
            name_search=name.lower(),
            phone=e164,
            email=email,
            level=level,
            is_member=True,
            member_since=now - timedelta(days=30 * (index + 1)),
            password_hash=password_hash,
            source="online",
            created_at=now - timedelta(days=30 * (index + 1)),
        )
        session.add(member)
        session.flush()
        _points_and_referral(
            session,
            member.id,
            points,
            (referral, now - timedelta(days=20), "registration"),
            staff_by_code,
        )
    for name, phone, buyer_email, amount in BUYERS:
        e164 = normalise_phone(phone, "TW")
        if customer_service.find_by_phone(session=session, e164=e164) is not None:
            continue
        _sale(session, stores["TPE01"].id, name, phone, buyer_email, amount, OrderStatus.PAID)


def _points_and_referral(
    session: Session,
    customer_id: int,
    points: int,
    referral: tuple[tuple[str, str] | None, datetime, str],
    staff_by_code: dict[tuple[str, str], Staff],
) -> None:
    """A demo customer's opening points (if any) and referral ((store, staff) codes, when, how)."""
    if points:
        session.add(
            PointsEntry(
                customer_id=customer_id,
                delta=points,
                remaining=points,
                reason="demo opening balance",
            )
        )
    codes, bound_at, via = referral
    if codes:
        staff = staff_by_code[codes]
        session.add(
            Referral(
                customer_id=customer_id,
                store_id=staff.store_id,
                staff_id=staff.id,
                bound_at=bound_at,
                via=via,
            )
        )


def _sale(
    session: Session,
    store_id: int,
    name: str,
    phone: str,
    email: str | None,
    amount: int,
    status: OrderStatus,
) -> None:
    order_service.record(
        session=session,
        caller=None,
        store_id=store_id,
        name=name,
        phone=phone,
        email=email,
        amount=amount,
        external_ref=None,
        default_region="TW",
        currency="TWD",
        status=status,
    )


def _add_duplicates(session: Session) -> None:
    """One person's three accounts (two members, one past buyer) for the merge demo; any
    whose number or address a demo folder already uses is left out."""
    stores, staff = _stores_and_staff(session)
    now = utcnow()
    for index, (name, phone, email, level, points, referral, orders) in enumerate(DUPLICATES):
        e164 = normalise_phone(phone, "TW")
        held = [Customer.phone == e164] + ([Customer.email == email] if email else [])
        if session.scalar(select(Customer.id).where(or_(*held)).limit(1)) is not None:
            continue
        customer = Customer(
            name=name,
            name_search=name.lower(),
            phone=e164,
            email=email,
            level=level,
            is_member=level is not None,
            member_since=now - timedelta(days=60 - 20 * index) if level else None,
            password_hash=demo_hashes.hashed(MEMBER_PASSWORD) if level else None,
            source="online" if level else "pos",
            created_at=now - timedelta(days=90 - 20 * index),
        )
        session.add(customer)
        session.flush()
        bound_at = now - timedelta(days=60 - 20 * index)
        _points_and_referral(session, customer.id, points, (referral, bound_at, "counter"), staff)
        for amount, status in orders:
            _sale(session, stores["TPE01"].id, name, phone, email, amount, status)
