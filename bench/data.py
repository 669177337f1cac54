"""Made-up but realistic customers: Taiwan mobile numbers, Chinese and English names, e-mails.

Everything comes from seeded ``random.Random`` instances, so two runs (and both databases in
one run) hold the same customers, and the numbers a bench invites are never in the table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from omo_backend.security import hash_secret

# 090… to 098… are mobile ranges in libphonenumber's metadata; 099… is not (POST /invitations
# would refuse it as not_mobile), so it is left out.
_MOBILE_SPACE = 9 * 10**7

_SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
_GIVEN = "怡君雅婷淑芬美玲志明家豪俊傑宗翰冠宇承恩柏翰欣怡佳穎詩涵靜宜建宏信宏子軒品妤"
_ROMAN_SURNAMES = ["Chen", "Lin", "Huang", "Chang", "Li", "Wang", "Wu", "Liu", "Tsai", "Yang"]
_ROMAN_GIVEN = ["Amy", "Ben", "Cindy", "David", "Emily", "Grace", "Kevin", "Mei-ling", "Jason"]
_DOMAINS = ["gmail.com", "yahoo.com.tw", "hotmail.com", "example.com"]
_LEVELS = ["regular", "regular", "regular", "silver", "gold"]
# Every seeded member's password (hashed once): the bench's phone signs in with it to bind.
MEMBER_PASSWORD = "password1"
_PASSWORD_HASH = hash_secret(MEMBER_PASSWORD)

COLUMNS = (
    "name",
    "name_search",
    "phone",
    "email",
    "birthday",
    "is_member",
    "member_since",
    "password_hash",
    "level",
    "source",
    "source_store_id",
    "created_at",
    "updated_at",
)


def e164(national: int) -> str:
    return f"+8869{national:08d}"


def local_form(phone_e164: str) -> str:
    """``+886912345678`` → ``0912345678``, as staff type it at the counter."""
    return "0" + phone_e164[4:]


@dataclass(frozen=True)
class Population:
    """Which phone numbers are customers and which are kept free for invitations."""

    customer_numbers: list[int]
    spare_numbers: list[int]

    @classmethod
    def draw(cls, customers: int, spare: int, seed: int = 20261123) -> Population:
        numbers = random.Random(seed).sample(range(_MOBILE_SPACE), customers + spare)
        return cls(numbers[:customers], numbers[customers:])

    def existing_phones(self, count: int, seed: int) -> list[str]:
        rng = random.Random(seed)
        return [e164(rng.choice(self.customer_numbers)) for _ in range(count)]

    def spare_phones(self, start: int, count: int) -> list[str]:
        if start + count > len(self.spare_numbers):
            raise ValueError("not enough spare numbers drawn for this many invitations")
        return [e164(n) for n in self.spare_numbers[start : start + count]]


def customer_rows(
    population: Population, store_id: int, *, batch: int, utc_suffix: str, seed: int = 7
) -> Iterator[list[tuple[object, ...]]]:
    """Rows in ``COLUMNS`` order, ``batch`` at a time: 60 % members, 40 % past buyers.

    Timestamps are text, UTC: SQLAlchemy's SQLite format (``utc_suffix=""``, compared as text
    by the server's queries, so it must match exactly) or PostgreSQL's input (``"+00"``).
    Formatting here rather than through the column types is most of the seed's speed.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    rows: list[tuple[object, ...]] = []
    for index, national in enumerate(population.customer_numbers):
        if rng.random() < 0.85:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        else:
            name = f"{rng.choice(_ROMAN_GIVEN)} {rng.choice(_ROMAN_SURNAMES)}"
        created = f"{now - timedelta(seconds=rng.randrange(5 * 365 * 86400))}.000000{utc_suffix}"
        member = rng.random() < 0.6
        email = None
        if rng.random() < (0.45 if member else 0.1):
            email = f"c{index:07d}@{rng.choice(_DOMAINS)}"
        birthday = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365)) if member else None
        rows.append(
            (
                name,
                name.lower(),
                e164(national),
                email,
                birthday.isoformat() if birthday else None,
                member,
                created if member else None,
                _PASSWORD_HASH if member else None,
                rng.choice(_LEVELS) if member else None,
                "counter" if member else "pos",
                store_id,
                created,
                created,
            )
        )
        if len(rows) == batch:
            yield rows
            rows = []
    if rows:
        yield rows
