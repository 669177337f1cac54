"""The wire: one pydantic model per JSON object in API.md.

The server declares these as its request and response models and the client parses replies
into them, so the two can never drift apart. No Qt and no server code may be imported here.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel


class WireModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


# --- ranges: what every number and text on the wire may hold ---------------------------------
# Declared here once and used by every request model and route parameter, so a value outside
# them is a 422 naming the field (never a database error), and /openapi.json shows the range.

# Ids are positive 64-bit integers (1 <= id < 2**63) whatever a database's key column holds;
# an id the column cannot hold names no row (404, see omo_backend/models/base.py). The bound is
# exclusive because OpenAPI tools read bounds as floats: 2**63 is one exactly, 2**63 - 1 is not.
ID_BOUND = 2**63
# An ``Integer`` column on PostgreSQL (int4): what an amount column holds.
INT4_MAX = 2**31 - 1

Id = Annotated[int, Field(ge=1, lt=ID_BOUND)]
Amount = Annotated[int, Field(ge=0, le=INT4_MAX)]

# Text fields hold one line: no control characters (NUL, which PostgreSQL cannot store; tabs,
# line breaks, DEL, C1) and no Unicode line or paragraph separators. Lone surrogates, which no
# database can store as UTF-8, never pass pydantic's own string check.
_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
ONE_LINE_PATTERN = f"^[^{_CONTROL}]*$"
_NOT_ONE_LINE = re.compile(rf"[{_CONTROL}\ud800-\udfff]")

SingleLine = Annotated[str, Field(pattern=ONE_LINE_PATTERN)]


def is_single_line(text: str) -> bool:
    """Whether ``text`` may go in a ``SingleLine`` field (the customer pages' forms ask too)."""
    return _NOT_ONE_LINE.search(text) is None


class Role(enum.StrEnum):
    """Who a staff account is, lowest first: each role may do all that the ones before it may."""

    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, minimum: Role) -> bool:
        return self.rank >= minimum.rank


class InvitationStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    OPENED = "opened"
    REGISTERED = "registered"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_INVITATION


_FINAL_INVITATION = {
    InvitationStatus.REGISTERED,
    InvitationStatus.FAILED,
    InvitationStatus.EXPIRED,
    InvitationStatus.CANCELLED,
}


class BindingStatus(enum.StrEnum):
    PENDING = "pending"
    SCANNED = "scanned"
    SIGNED_IN = "signed_in"
    LINE_LINKED = "line_linked"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_BINDING


_FINAL_BINDING = {BindingStatus.COMPLETED, BindingStatus.EXPIRED, BindingStatus.CANCELLED}


class LineOutcome(enum.StrEnum):
    """How the LINE step on the customer's phone ended, for the counter to show."""

    LINKED = "linked"  # LINE Login done: ``line_friend`` says whether they added the store
    CANCELLED = "cancelled"  # the customer tapped "Cancel" on LINE's consent page
    TAKEN = "taken"  # that LINE account already belongs to another member
    FAILED = "failed"  # LINE could not be reached or answered something we could not trust
    SKIPPED = "skipped"  # the customer went on without LINE after one of the above


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MessageDelivery(enum.StrEnum):
    """What the provider's delivery receipt said about a sent message (Twilio status callbacks).

    Its own field beside ``MessageStatus`` rather than new values of it: a client built before
    receipts existed refuses a status it does not know, and still reads the invitation right
    from the old field alone (an undelivered message is ``failed`` there, with its code).
    """

    DELIVERED = "delivered"  # on the customer's phone
    UNDELIVERED = "undelivered"  # the carrier gave up (or Twilio could not send it)


class MessageChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


# --- errors -------------------------------------------------------------------------------


class ErrorBody(WireModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(WireModel):
    error: ErrorBody


# --- devices and staff --------------------------------------------------------------------


class StoreOut(WireModel):
    id: int
    code: str
    name: str
    locale: str
    timezone: str
    line_enabled: bool = False


# A store's own text for its customers (terms and privacy notice): line breaks and tabs are
# kept, every other control character is refused (as in ``SingleLine``).
_CONTROL_BUT_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_NOT_TEXT = re.compile(rf"[{_CONTROL_BUT_LINES}\ud800-\udfff]")
# Hosts a LINE Official Account's add-friend link is on (line.me/R/ti/p/@id, lin.ee/xxxx).
LINE_FRIEND_HOSTS = ("line.me", "lin.ee")


def _https_url(value: str) -> str:
    """An absolute https address with a host, on one line and without spaces."""
    if not is_single_line(value) or any(c.isspace() for c in value):
        raise ValueError("an address is one line without spaces")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValueError("an https:// address with a host (and no user name) is expected")
    return value


def _line_friend_url(value: str) -> str:
    host = urlsplit(_https_url(value)).hostname or ""
    if not any(host == h or host.endswith("." + h) for h in LINE_FRIEND_HOSTS):
        raise ValueError("a LINE add-friend address is on line.me or lin.ee")
    return value


def _text(value: str) -> str:
    if _NOT_TEXT.search(value):
        raise ValueError("no control characters other than line breaks and tabs")
    return value.replace("\r\n", "\n").replace("\r", "\n")


HttpsUrl = Annotated[str, Field(min_length=12, max_length=2048), AfterValidator(_https_url)]
LineFriendUrl = Annotated[
    str, Field(min_length=12, max_length=2048), AfterValidator(_line_friend_url)
]
StoreText = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_text)]


class StorePageSettings(WireModel):
    """What the customers' pages show of a store; ``None`` removes a setting (the pages then
    say the page can be closed, offer no add-friend link, or show the default terms).

    Only the fields given are changed.
    """

    shop_url: HttpsUrl | None = Field(
        default=None, description="The store's online shop (https), linked from the last pages."
    )
    line_add_friend_url: LineFriendUrl | None = Field(
        default=None,
        description="The LINE Official Account's add-friend link, e.g. https://line.me/R/ti/p/@shop.",
    )
    terms_text: StoreText | None = Field(
        default=None,
        description="The store's member terms and privacy notice; paragraphs split by blank lines.",
    )


class StaffOut(WireModel):
    id: int
    code: str
    name: str
    role: Role


class EnrollRequest(WireModel):
    enrollment_code: SingleLine = Field(min_length=4, max_length=64)
    device_name: SingleLine = Field(min_length=1, max_length=100)


class EnrollResponse(WireModel):
    device_id: int
    device_token: str
    store: StoreOut


class StaffLoginRequest(WireModel):
    staff_code: SingleLine = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=4, max_length=12)


class StaffLoginResponse(WireModel):
    session_token: str
    expires_at: datetime
    idle_timeout_seconds: int
    staff: StaffOut
    store: StoreOut
    # The device's own setting (``omo-backend device set ID --counter-only``): the app shows
    # the counter alone, whatever the staff member's role.
    counter_only: bool = False


# --- managing devices and staff (a manager of the store) ---------------------------------


class DeviceOut(WireModel):
    id: int
    name: str
    store_code: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    counter_only: bool = False


class DeviceList(WireModel):
    items: list[DeviceOut]


class StaffAccount(WireModel):
    id: int
    code: str
    name: str
    role: Role
    active: bool
    # Set while a timed lock holds; ``unlock_required`` is the lock only a manager lifts.
    locked_until: datetime | None
    unlock_required: bool


class StaffList(WireModel):
    items: list[StaffAccount]


# --- customers ----------------------------------------------------------------------------


class ReferralOut(WireModel):
    store: StoreOut
    staff: StaffOut | None
    bound_at: datetime
    via: str


class CustomerSummary(WireModel):
    id: int
    name: str | None
    phone_masked: str | None
    email_masked: str | None
    is_member: bool
    line_bound: bool
    level: str | None
    points: int
    source: str | None
    referral: ReferralOut | None
    created_at: datetime
    orders_count: int = 0
    # Read from LINE's friendship-status API when the member last linked LINE; None: unknown.
    line_friend: bool | None = None


class CustomerSearchResult(WireModel):
    items: list[CustomerSummary]
    total: int
    # Extension (issue 13): the phone or e-mail searched for was merged away; this is the
    # member it now belongs to (None otherwise).
    merged_into: MergedInto | None = None


# --- orders and carts (API.md "Orders and carts"; lane i12-orders) -------------------------


class OrderStatus(enum.StrEnum):
    """An order's life: ``unpaid`` → ``paid`` → ``refunded`` (all of it), or ``cancelled``."""

    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


# What a new order may be: a POS records a sale as paid, a storefront an order not yet paid.
NewOrderStatus = Annotated[OrderStatus, Field(description="`paid` or `unpaid`")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
ExternalRef = Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE_PATTERN)]
# Resends of one order's summary e-mail (API.md: "at most 5 per order").
MAX_ORDER_RESENDS = 5


class OrderCreate(WireModel):
    """A purchase recorded by a POS, a storefront or by hand: makes a past buyer real data."""

    name: SingleLine | None = Field(default=None, max_length=100)
    phone: SingleLine | None = Field(default=None, max_length=32)
    email: SingleLine | None = Field(default=None, max_length=254)
    amount: Amount = Field(description="in the currency's minor units")
    external_ref: SingleLine | None = Field(default=None, max_length=64)
    store_code: SingleLine | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="the store of the sale: required with an API key, the session's store"
        " otherwise",
    )
    currency: CurrencyCode | None = Field(
        default=None, description="the merchant's currency (`OMO_CURRENCY`) when left out"
    )
    status: NewOrderStatus = OrderStatus.PAID
    placed_at: datetime | None = Field(default=None, description="when the sale was made")
    add_as_member: bool = Field(
        default=False,
        description="make the customer a member and send the first-login message (a manager"
        " or a key; not counter staff)",
    )


class OrderUpdate(WireModel):
    """``PATCH /orders/{id}``: only the fields sent change."""

    status: OrderStatus | None = Field(
        default=None, description="`paid`, `refunded` or `cancelled`"
    )
    refunded_amount: Amount | None = Field(
        default=None, description="the running total of refunds (≤ amount), never lower"
    )
    email: SingleLine | None = Field(
        default=None, max_length=254, description="this order's address, never the account's"
    )


class OrderOut(WireModel):
    """``Order`` in API.md."""

    id: int
    external_ref: str | None = None
    customer_id: int
    store_id: int
    amount: int
    refunded_amount: int = 0
    currency: str = "TWD"
    status: OrderStatus = OrderStatus.PAID
    email: str | None = None
    placed_at: datetime | None = None
    resend_count: int = 0
    created_at: datetime


class CartPut(WireModel):
    """``PUT /carts/{external_ref}``: the whole cart as the storefront sees it now."""

    phone: SingleLine | None = Field(default=None, max_length=32)
    email: SingleLine | None = Field(default=None, max_length=254)
    customer_id: Id | None = None
    store_code: SingleLine | None = Field(default=None, min_length=1, max_length=32)
    amount: Amount = Field(description="in the currency's minor units")
    items_count: Amount
    checked_out: bool = False


class CartOut(WireModel):
    """``Cart`` in API.md."""

    external_ref: str
    customer_id: int | None
    amount: int
    items_count: int
    checked_out: bool
    updated_at: datetime


# --- levels and points (member management) -------------------------------------------------

# A level code as members carry it (``Customer.level``): lower-case letters, digits, - and _.
LevelCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
MAX_LEVELS = 50
# A points change: any non-zero amount an int4 column holds.
PointsDelta = Annotated[int, Field(ge=-INT4_MAX, le=INT4_MAX)]


class Level(WireModel):
    """One membership level; a list of them goes lowest rank first."""

    code: LevelCode
    name_en: SingleLine = Field(min_length=1, max_length=100)
    name_zh_TW: SingleLine = Field(min_length=1, max_length=100)
    min_net_spend: Amount | None = Field(
        default=None, description="net spending (minor units) that moves a member up to it"
    )


class PointsChange(WireModel):
    """A manager's grant (``delta`` > 0) or deduction (``delta`` < 0)."""

    delta: PointsDelta = Field(description="non-zero")
    reason: SingleLine = Field(min_length=1, max_length=200)
    expires_at: datetime | None = Field(default=None, description="grants only; in the future")


class PointsEntryOut(WireModel):
    id: int
    delta: int
    reason: str
    expires_at: datetime | None
    created_at: datetime
    # What is left of a grant to spend (None for a deduction); an expired grant keeps its
    # number here but no longer counts in the balance.
    remaining: int | None = None


class PointsChangeResult(WireModel):
    entry: PointsEntryOut
    balance: int


class PointsLedger(WireModel):
    """Newest first; ``next_cursor`` fetches the next older page (None: no more)."""

    items: list[PointsEntryOut]
    next_cursor: str | None
    balance: int


# --- integration API keys (an admin) -------------------------------------------------------

# What a key may be given (omo_backend/integrations/service.SCOPES holds the same set).
ApiScope = Literal["orders:write"]


class ApiKeyCreate(WireModel):
    name: SingleLine = Field(min_length=1, max_length=100, description="e.g. the POS's name")
    scopes: list[ApiScope] = Field(min_length=1, max_length=10)


class ApiKeyOut(WireModel):
    """A key as listed: never the key itself, which only its hash stands for."""

    id: int
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key itself: in this reply only")


class ApiKeyList(RootModel[list[ApiKeyOut]]):
    """``GET /integrations/keys``: a bare list on the wire."""


# --- member directory (the Members screen; i12-directory) -----------------------------------

# At most this many rows are counted for a list's ``total`` (see ``MemberList``).
MEMBER_TOTAL_CAP = 1_000
MEMBER_PAGE_MAX = 200
# Net spending filters: what a BigInteger column holds.
Spend = Annotated[int, Field(ge=0, lt=ID_BOUND)]
# A list cursor: opaque, URL-safe.
ListCursor = Annotated[str, Field(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_=-]+$")]
# An id-based cursor of the per-member lists (orders, audit).
IdCursor = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,18}$")]


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` (pydantic alone would read ``0`` as 1970-01-01)."""
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)
    ):
        return value
    raise ValueError("a day is written YYYY-MM-DD")


IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class MemberKind(enum.StrEnum):
    """Which customers the list holds: members, or past buyers (orders, not members) to
    invite."""

    MEMBER = "member"
    PAST_BUYER = "past_buyer"


class MemberStatusFilter(enum.StrEnum):
    NEW_7D = "new_7d"
    OPEN_CART = "open_cart"


class MemberSort(enum.StrEnum):
    """A leading ``-`` sorts descending; ties go by id the same way. ``member_since`` sorts
    past buyers by when they were first recorded. Rows without the value (no name) come last."""

    MEMBER_SINCE_DESC = "-member_since"
    MEMBER_SINCE = "member_since"
    NAME = "name"
    NAME_DESC = "-name"
    NET_SPEND = "net_spend"
    NET_SPEND_DESC = "-net_spend"
    ORDERS_COUNT = "orders_count"
    ORDERS_COUNT_DESC = "-orders_count"


class MemberRow(WireModel):
    id: int
    name: str | None
    phone_masked: str | None
    email_masked: str | None
    level: str | None
    points: int = Field(description="balance: what is left of the unexpired grants")
    net_spend: int = Field(description="paid orders − refunds, minor units")
    orders_count: int
    open_cart: bool = Field(description="a cart not checked out, updated in the last 7 days")
    referral: ReferralOut | None
    line_bound: bool
    member_since: datetime | None = Field(description="None for a past buyer")
    # Extensions: a past buyer's row says so, and when they were first recorded.
    is_member: bool = True
    created_at: datetime | None = None


class MemberList(WireModel):
    """One page of ``GET /members``.

    ``next_cursor`` fetches the next page (None: this is the last). ``total`` counts the rows
    matching the filters, exactly up to ``MEMBER_TOTAL_CAP`` (1,000): beyond that the count
    stops there and ``total_exact`` is false (show "1,000+"), so a broad filter over a million
    members costs no more than finding a thousand rows (an exact count of a filtered million
    rows takes seconds on SQLite). ``GET /members/overview`` has the exact totals.
    """

    items: list[MemberRow]
    next_cursor: str | None
    total: int
    total_exact: bool = True


class LevelCount(WireModel):
    level: str | None = Field(description="a level code; None: members without a level")
    members: int


class StoreCount(WireModel):
    store: str | None = Field(description="the referral store's code; None: no referral")
    members: int
    store_name: str | None = None


class MemberOverview(WireModel):
    """Members now (merged and erased accounts left out), counted by level and referral
    store; ``new_7d`` joined in the last 7 days."""

    total: int
    new_7d: int
    by_level: list[LevelCount]
    by_store: list[StoreCount]


class ConsentOut(WireModel):
    """What the member agreed to (or declined), when and where."""

    purpose: str
    granted: bool
    channel: str
    locale: str
    created_at: datetime


class OrdersSummary(WireModel):
    count: int = Field(description="orders recorded")
    net_spend: int = Field(description="paid orders − refunds, minor units")
    last_order_at: datetime | None
    open_cart: bool


class Member(MemberRow):
    """One customer as a manager sees them: a ``MemberRow`` and the profile. A merged account
    answers with ``merged_into_id`` (its data lives in that member); an erased one with
    ``erased_at`` and its personal data gone."""

    birthday: date | None
    source: str | None
    consents: list[ConsentOut]
    merged_into_id: int | None
    erased_at: datetime | None
    orders: OrdersSummary
    line_friend: bool | None = None


class MemberPatch(WireModel):
    """Only the fields given change. ``level: null`` removes the level, ``birthday: null`` the
    birthday; a name and an e-mail can be changed, not removed. The phone never changes here."""

    level: LevelCode | None = Field(default=None, description="a level's code")
    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    birthday: IsoDay | None = Field(
        default=None, description="YYYY-MM-DD, from 1900-01-01, not in the future"
    )
    email: SingleLine | None = Field(default=None, min_length=3, max_length=254)


class MemberOrders(WireModel):
    """A member's orders, newest first; ``next_cursor`` fetches older ones (None: no more)."""

    items: list[OrderOut]
    next_cursor: str | None


class AuditEntryOut(WireModel):
    """One action on a member: who (staff, store, device), what, and before → after in
    ``details``."""

    id: int
    at: datetime
    action: str
    store: str | None = Field(description="the acting staff's store code")
    staff: StaffOut | None
    device_id: int | None
    device_name: str | None
    details: dict[str, Any]


class MemberAudit(WireModel):
    """Newest first; ``next_cursor`` fetches older entries (None: no more)."""

    items: list[AuditEntryOut]
    next_cursor: str | None


# --- members added by hand, past buyers invited (API.md "Member management"; i12-orders) ---


class MemberCreate(WireModel):
    """``POST /members``: a member added by hand; a phone or an e-mail, the rest optional."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    phone: SingleLine | None = Field(default=None, max_length=32)
    email: SingleLine | None = Field(default=None, max_length=254)
    birthday: date | None = None
    level: LevelCode | None = None


class FirstLoginChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class MemberCreated(Member):
    """The reply to ``POST /members``: the ``Member``, and where the first-login link went."""

    first_login_channel: FirstLoginChannel
    first_login_to: str = Field(description="the phone or e-mail it went to, masked")


class InvitePastBuyers(WireModel):
    """``POST /members/invitations``: past buyers to invite to sign up by e-mail."""

    customer_ids: list[Id] = Field(min_length=1, max_length=200)


class InviteSkipCode(enum.StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_MEMBER = "already_member"
    NO_EMAIL = "no_email"
    # The registration page signs up a phone number: a buyer known by e-mail alone waits.
    NO_PHONE = "no_phone"
    ALREADY_INVITED = "already_invited"
    IDENTIFIER_RETIRED = "identifier_retired"


class InviteSkipped(WireModel):
    id: int
    code: InviteSkipCode


class InviteResult(WireModel):
    sent: list[int]
    skipped: list[InviteSkipped]


# --- invitations and bindings -------------------------------------------------------------


class InvitationCreate(WireModel):
    phone: SingleLine = Field(min_length=3, max_length=32)


class Invitation(WireModel):
    id: int
    status: InvitationStatus
    phone_masked: str
    expires_at: datetime
    created_at: datetime
    customer_id: int | None = None
    # The name the customer registered with, once registered (the counter greets them by it).
    customer_name: str | None = None
    store: StoreOut
    staff: StaffOut | None
    message_status: MessageStatus | None = None
    failure_code: str | None = None
    # The delivery receipt, once the provider sent one (null before, and with no provider
    # that sends receipts).
    message_delivery: MessageDelivery | None = None


class BindingCreate(WireModel):
    customer_id: Id


class Binding(WireModel):
    id: int
    status: BindingStatus
    customer_id: int
    # The link's token is only ever kept hashed, so the link is in the reply that made it.
    qr_url: str | None = None
    expires_at: datetime
    created_at: datetime
    phone_masked: str | None
    # The member's name as it is now (confirming on the phone may have just changed it).
    customer_name: str | None = None
    sms_sent: bool = False
    referral: ReferralOut | None = None
    # The LINE step's latest outcome on the phone (None: not reached, or no LINE channel).
    line_outcome: LineOutcome | None = None
    line_friend: bool | None = None


# --- reports (manager; i12-reports) --------------------------------------------------------
# API.md "Member management": /reports/registrations and /reports/sms-usage. Both replies are
# the contract's bare lists; what this adds are extra fields on each row.

# The calendar days a report may cover: a range outside them names no data we can hold, and
# their ends stay far from the limits of the date types (no overflow in any time zone).
REPORT_FIRST_DAY = "2000-01-01"
REPORT_LAST_DAY = "2999-12-31"
# ISO 4217 alphabetic code.
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
# The price of one SMS segment in the currency's minor units (a few cents in practice; the
# bound keeps price × a lifetime of segments inside a 64-bit integer).
SegmentPrice = Annotated[int, Field(ge=0, le=1_000_000)]


class ReportGrouping(enum.StrEnum):
    STORE = "store"
    STAFF = "staff"


class RegistrationRow(WireModel):
    """Members whose referral was bound in the range, by referral store (and staff)."""

    store: str = Field(description="the referral store's code")
    store_name: str
    staff: str | None = Field(
        default=None,
        description="by=staff: the referring staff member's name; null when none was"
        " recorded, or when hidden (`staff_hidden`)",
    )
    staff_id: int | None = None
    staff_hidden: bool = Field(
        default=False,
        description="by=staff, a manager's report: another store's staff are not named, and"
        " that store's members are one row",
    )
    members: int = Field(ge=0)
    percent: float = Field(
        ge=0,
        le=100,
        description="share of the range's members, to one decimal place; the rows add up to"
        " exactly 100 (largest remainders), or all are 0 when the range has none",
    )


class SmsUsageRow(WireModel):
    """SMS the provider accepted (status `sent`), by the store that sent them, in the range of
    their sending time."""

    store: str | None = Field(
        description="the sending store's code; null for messages no store sent (an"
        " integration's order, the operator)"
    )
    store_name: str | None
    messages: int = Field(ge=0)
    segments: int = Field(ge=0)
    cost_units: int = Field(ge=0)
    price_per_segment: int | None = Field(
        default=None,
        description="`omo-backend settings set sms-segment-price`, in minor units of"
        " `currency`; null until set",
    )
    currency: Currency | None = None
    cost: int | None = Field(
        default=None, description="cost_units × price_per_segment, minor units of `currency`"
    )


class SmsPrice(WireModel):
    price_per_segment: SegmentPrice
    currency: Currency


# The replies as the client parses them (the wire is the bare list).
RegistrationReport = RootModel[list[RegistrationRow]]
SmsUsageReport = RootModel[list[SmsUsageRow]]


# --- Import, merge, erase (issue 13) -------------------------------------------------------

# The CSV import's limits (API.md "Import:"): Boutir's, a file at a time.
IMPORT_MAX_ROWS = 500
IMPORT_MAX_BYTES = 15 * 1024 * 1024
# What the file is called where the caller gives no name: the points ledger's reason says it.
IMPORT_FILE_NAME_MAX = 120


class ImportMode(enum.StrEnum):
    # Boutir's rule: new members only, an existing member is an error and is never touched.
    CREATE = "create"
    # Members found by phone (else e-mail): only the file's non-empty cells change.
    UPDATE = "update"


class ImportAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


class ImportRowError(WireModel):
    """One mistake in the file: where it is and what is wrong, in words."""

    row: int = Field(ge=1, description="the file's line number; the header is line 1")
    column: str | None = Field(
        description="the column's name as the file's header spells it; null for the whole row"
    )
    code: str
    message: str


class ImportFieldChange(WireModel):
    """One cell's effect: ``before`` is null for a member the import creates."""

    field: str = Field(description="name, phone, email, birthday, level or points")
    before: str | None
    after: str | None


class ImportChange(WireModel):
    """What one data row does (a dry run's preview lists each)."""

    row: int = Field(ge=2, description="the file's line number")
    action: ImportAction
    member_id: int | None = Field(
        description="the member changed, or created (null for a creation in a dry run)"
    )
    changes: list[ImportFieldChange]


class FirstLoginPlan(WireModel):
    """The first-login messages of the members an import creates, and what their SMS cost."""

    sms: int = Field(ge=0)
    emails: int = Field(ge=0)
    segments: int = Field(ge=0, description="SMS parts, as the carrier bills them")
    price_per_segment: int | None = Field(
        default=None, description="`sms-segment-price`, in minor units; null until set"
    )
    currency: str | None = None
    cost: int | None = Field(default=None, description="segments × price_per_segment")


class ImportResult(WireModel):
    """``POST /members/import``: a clean file (or its dry run); a file with any mistake is
    422 ``import_rejected`` with ``details.errors: [ImportRowError]`` instead."""

    mode: ImportMode
    dry_run: bool
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
    unchanged: int = Field(ge=0)
    errors: list[ImportRowError] = Field(description="always empty here (all or nothing)")
    changes: list[ImportChange]
    first_login: FirstLoginPlan | None = Field(
        default=None, description="asked for with `first_login=1`; null otherwise"
    )


# --- development only ---------------------------------------------------------------------


class DevMessage(WireModel):
    id: int
    channel: MessageChannel
    to: str
    body: str
    status: MessageStatus
    provider: str
    provider_message_id: str | None
    segments: int
    cost_units: int
    created_at: datetime
    sent_at: datetime | None
    links: list[str]


class DevMessageList(WireModel):
    items: list[DevMessage]


class Health(WireModel):
    status: str
    version: str


class Readiness(WireModel):
    """``GET /api/v1/ready``: the database answers, its schema at this build's head or later."""

    status: Literal["ready"]
    version: str
    schema_revision: str


# --- Import, merge, erase (issue 13): merge and erase (API.md "Member management"; i13-merge) --

# Besides the primary account: 5 accounts in all (Boutir's limit).
MAX_MERGED_ACCOUNTS = 4
PreviewId = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="the preview's fingerprint of the accounts' state; stale once any changes",
    ),
]


class IdentifierKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LINE = "line"


class MergeRequest(WireModel):
    """``POST /members/merge/preview``: ``member_ids`` are merged into ``primary_id`` (not
    counting it); ``points_delta`` is an award (> 0, may expire) or a deduction (< 0)."""

    primary_id: Id
    member_ids: list[Id] = Field(min_length=1, max_length=MAX_MERGED_ACCOUNTS)
    points_delta: PointsDelta | None = Field(default=None, description="0 or None: none")
    points_expires_at: datetime | None = Field(
        default=None, description="an award's expiry; in the future"
    )
    description: SingleLine | None = Field(default=None, min_length=1, max_length=200)


class MergeConfirm(MergeRequest):
    """``POST /members/merge``: the same body as the preview, and the preview's id."""

    preview_id: PreviewId


class MergeIdentifier(WireModel):
    """A phone, e-mail or LINE account of one of the accounts, masked."""

    kind: IdentifierKind
    value_masked: str
    member_id: int


class MergeAccount(WireModel):
    """One account as it is before the merge (the preview's side-by-side column)."""

    id: int
    name: str | None
    phone_masked: str | None
    email_masked: str | None
    line_bound: bool
    is_member: bool
    level: str | None
    orders_count: int
    net_spend: int
    points: int
    unpaid_orders: int = Field(description="stay on this account until paid, then follow")
    referral: ReferralOut | None
    member_since: datetime | None
    created_at: datetime


class MergePreview(WireModel):
    """The merged result: what the primary will hold, and what is retired for ever."""

    preview_id: str
    primary_id: int
    merged_ids: list[int]
    orders_count: int
    net_spend: int
    points_balance: int = Field(description="after the move and the stated points change")
    identifiers_kept: list[MergeIdentifier]
    identifiers_retired: list[MergeIdentifier]
    referral: ReferralOut | None
    # Extensions: the accounts side by side (primary first) and the moves in figures.
    accounts: list[MergeAccount]
    level: str | None
    orders_moved: int
    unpaid_orders_pending: int
    points_moved: int
    points_delta: int


class EraseRequest(WireModel):
    """``POST /members/{id}/erase``: why (kept in the audit record)."""

    reason: SingleLine = Field(min_length=1, max_length=200)


class MergedInto(WireModel):
    """Counter search by a retired phone or e-mail: the member it was merged into."""

    kind: IdentifierKind
    member_id: int
    name: str | None


CustomerSearchResult.model_rebuild()


# --- webhooks (an admin; issue 14, i14-webhooks) ---------------------------------------------


class WebhookEvent(enum.StrEnum):
    """What an endpoint may subscribe to (README "Webhooks" says when each fires)."""

    MEMBER_CREATED = "member.created"
    MEMBER_REGISTERED = "member.registered"
    MEMBER_BOUND = "member.bound"
    MEMBER_MERGED = "member.merged"
    MEMBER_ERASED = "member.erased"


class WebhookDeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _webhook_url(value: str) -> str:
    """https, or plain http to this machine only (a receiver beside the backend, a test's)."""
    if not is_single_line(value) or any(c.isspace() for c in value):
        raise ValueError("an address is one line without spaces")
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ValueError("an https:// address (or http:// to 127.0.0.1) is expected")
    if parts.username or parts.password or parts.fragment:
        raise ValueError("an address without a user name or a #fragment is expected")
    return value


WebhookUrl = Annotated[str, Field(min_length=10, max_length=2048), AfterValidator(_webhook_url)]
WebhookEvents = Annotated[list[WebhookEvent], Field(min_length=1, max_length=len(WebhookEvent))]


class WebhookEndpointCreate(WireModel):
    url: WebhookUrl
    events: WebhookEvents
    description: SingleLine = Field(default="", max_length=100)


class WebhookEndpointUpdate(WireModel):
    """Only the fields given change."""

    url: WebhookUrl | None = None
    events: WebhookEvents | None = None
    description: SingleLine | None = Field(default=None, max_length=100)
    enabled: bool | None = None


class WebhookEndpointOut(WireModel):
    """An endpoint as listed: never its secret, which is shown once when made or rotated."""

    id: int
    url: str
    description: str
    events: list[WebhookEvent]
    enabled: bool
    created_at: datetime
    secret_rotated_at: datetime | None


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(description="the signing secret: in this reply only")


class WebhookEndpointList(RootModel[list[WebhookEndpointOut]]):
    """``GET /webhooks``: a bare list on the wire."""


class WebhookDeliveryOut(WireModel):
    """One event sent (or being sent) to one endpoint: a line of its delivery log."""

    id: int = Field(description="also the `OMO-Delivery-Id` header: the same on every retry")
    event: WebhookEvent
    event_id: str
    status: WebhookDeliveryStatus
    attempts: int = Field(description="tries made so far")
    last_status_code: int | None = Field(description="the receiver's HTTP status, last try")
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="null once delivered or given up")


class WebhookDeliveryPage(WireModel):
    """Newest first; ``next_cursor`` fetches older ones."""

    items: list[WebhookDeliveryOut]
    next_cursor: str | None
