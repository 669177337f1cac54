"""Properties of the CSV import, on SQLite and PostgreSQL over HTTP:

- all or nothing: a generated file with one bad row anywhere is refused with that row's line
  (and only that line) in its errors, and nothing in the database changes; without the bad
  row, the same file is accepted;
- an exported file imported back in update mode changes nothing;
- any bytes at all get an answer in words (200 or 422), never a server error.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from omo_backend.models import (
    AuditEvent,
    Customer,
    Message,
    PointsEntry,
    RetiredIdentifier,
    utcnow,
)
from tests.api.test_member_import import admin, send
from tests.support.backend import Counter, LiveBackend

__all__ = ["admin"]  # the fixture, used by name

HEADER = ["Name", "Mobile", "Email", "Birthday", "Level", "Member Points"]
EXISTING = [f"09120100{i:02d}" for i in range(12)]
RETIRED = "0912999999"
_serial = itertools.count(1)
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Names as every entry point stores them: one line, spaces collapsed, never the sample
# file's example mark. Commas, quotes and formula starts test the CSV's quoting and the
# export's neutralising.
names = (
    st.tuples(
        st.sampled_from(["", "'", "=", "'=", "'+", "-", "@", "''"]),
        st.text(alphabet=st.sampled_from("abcXYZ 王小明林,\"'=+-@é"), min_size=1, max_size=30),
    )
    .map(lambda parts: " ".join("".join(parts).split()))
    .filter(lambda s: bool(s) and not s.startswith("(example)"))
)
birthdays = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
points = st.integers(min_value=0, max_value=10**6)


@pytest.fixture
def shop(backend: LiveBackend, admin: Counter) -> Iterator[tuple[LiveBackend, Counter]]:
    for phone in EXISTING:
        backend.add_member("+886" + phone[1:], name="Existing")
    keeper = backend.add_member("+886912999000")
    with backend.db.transaction() as session:
        session.add(RetiredIdentifier(kind="phone", value="+886" + RETIRED[1:], customer_id=keeper))
    return backend, admin


@st.composite
def new_row(draw: Any) -> list[str]:
    n = next(_serial)
    return [
        draw(names),
        f"0913{n:06d}",
        draw(st.sampled_from(["", f"u{n}@example.com"])),
        draw(st.none() | birthdays.map(date.isoformat)) or "",
        draw(st.sampled_from(["", "gold"])),
        str(draw(st.none() | points) or ""),
    ]


@st.composite
def update_rows(draw: Any, count: int, pool: list[str]) -> list[list[str]]:
    phones = draw(st.permutations(pool))[:count]
    return [
        [
            draw(st.none() | names) or "",
            phone,
            "",
            draw(st.none() | birthdays.map(date.isoformat)) or "",
            draw(st.sampled_from(["", "gold"])),
            str(draw(st.none() | points) or ""),
        ]
        for phone in phones
    ]


BAD_IN_ANY_MODE = [
    "landline",
    "email",
    "birthday",
    "future",
    "level",
    "points",
    "example",
    "no_contact",
    "retired",
    "extra_cell",
    "duplicate",
]


def spoil(row: list[str], kind: str, earlier: list[list[str]]) -> list[str]:
    bad = list(row)
    if kind == "landline":
        bad[1] = "02-2345-6789"
    elif kind == "email":
        bad[2] = "not-an-email"
    elif kind == "birthday":
        bad[3] = "1990-02-30"
    elif kind == "future":
        bad[3] = "2999-01-01"
    elif kind == "level":
        bad[4] = "platinum"
    elif kind == "points":
        bad[5] = "-5"
    elif kind == "example":
        bad[0] = "(example) " + (bad[0] or "x")
    elif kind == "no_contact":
        bad[1] = bad[2] = ""
    elif kind == "retired":
        bad[1] = RETIRED
    elif kind == "extra_cell":
        bad.append("stray")
    elif kind == "duplicate":
        bad[1] = earlier[0][1]
    elif kind == "member_exists":
        bad[1] = EXISTING[-1]
    return bad


def file_of(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def state(backend: LiveBackend) -> tuple[Any, ...]:
    """Everything an import could write."""
    with backend.db.transaction(write=False) as session:
        customers = session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.phone,
                Customer.email,
                Customer.birthday,
                Customer.level,
                Customer.is_member,
            ).order_by(Customer.id)
        ).all()
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (PointsEntry, AuditEvent, Message)
        )
        return tuple(customers), counts


@given(data=st.data())
@PROPERTY
def test_one_bad_row_anywhere_refuses_the_whole_file_and_writes_nothing(
    shop: tuple[LiveBackend, Counter], data: st.DataObject
):
    backend, admin = shop
    mode = data.draw(st.sampled_from(["create", "update"]), label="mode")
    count = data.draw(st.integers(min_value=1, max_value=8), label="rows")
    if mode == "create":
        good = [data.draw(new_row()) for _ in range(count)]
        kinds = [*BAD_IN_ANY_MODE, "member_exists"]
    else:
        good = data.draw(update_rows(count, EXISTING[:-1]))
        kinds = [k for k in BAD_IN_ANY_MODE if k != "no_contact"]
    at = data.draw(st.integers(min_value=0, max_value=count), label="bad row at")
    kind = data.draw(st.sampled_from(kinds if at > 0 else [k for k in kinds if k != "duplicate"]))
    # The bad row is a member of its own: only its spoiled cell is wrong.
    spare = (
        data.draw(new_row()) if mode == "create" else data.draw(update_rows(1, EXISTING[-1:]))[0]
    )
    bad = spoil(spare, kind, good)
    rows = [*good[:at], bad, *good[at:]]

    before = state(backend)
    reply = send(admin, file_of(rows), mode=mode)
    assert reply.status_code == 422, (kind, reply.text)
    error = reply.json()["error"]
    assert error["code"] == "import_rejected"
    assert {e["row"] for e in error["details"]["errors"]} == {at + 2}, (kind, error)
    assert state(backend) == before

    clean = send(admin, file_of(good), mode=mode, dry_run=1)
    assert clean.status_code == 200, clean.text
    assert state(backend) == before


@given(
    rows=st.lists(
        st.tuples(
            names,
            st.booleans(),
            st.none() | birthdays,
            st.sampled_from([None, "gold"]),
            points,
        ),
        min_size=1,
        max_size=8,
    )
)
@PROPERTY
def test_an_export_imported_back_in_update_mode_changes_nothing(
    shop: tuple[LiveBackend, Counter], rows: list[tuple[str, bool, date | None, str | None, int]]
):
    backend, admin = shop
    # Stored as the other entry points store members (sign-up, POST /members, PATCH), not
    # through an import, so the file's reading is tested against data it did not write.
    phones = []
    with backend.db.transaction() as session:
        for name, with_email, birthday, level, balance in rows:
            n = next(_serial)
            phones.append(f"'+886913{n:06d}")
            member = Customer(
                name=name,
                name_search=name.lower(),
                phone=f"+886913{n:06d}",
                email=f"u{n}@example.com" if with_email else None,
                birthday=birthday,
                level=level,
                is_member=True,
                member_since=utcnow(),
            )
            session.add(member)
            session.flush()
            if balance:
                session.add(
                    PointsEntry(customer_id=member.id, delta=balance, remaining=balance, reason="x")
                )
    exported = admin.get("/api/v1/members/export.csv")
    assert exported.status_code == 200
    # This example's members, as the export wrote their lines (earlier examples' members are
    # there too, and a file holds at most 500).
    header, *lines = exported.content.decode("utf-8-sig").split("\r\n")
    ours = [line for line in lines if any(phone in line for phone in phones)]
    assert len(ours) == len(rows)
    body = "\r\n".join([header, *ours, ""]).encode("utf-8-sig")

    before = state(backend)
    reply = send(admin, body, mode="update")
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert (result["created"], result["updated"]) == (0, 0), result["changes"]
    assert result["unchanged"] == len(rows)
    customers, counts = state(backend)
    assert customers == before[0]
    # Only the import's own audit line: no ledger entry, no message.
    assert counts[0] == before[1][0]
    assert counts[2] == before[1][2]


cells = st.text(max_size=20) | st.sampled_from(["0912345678", "a@b.co", "1990-01-01", "gold"])
headers = st.permutations(HEADER) | st.lists(
    st.sampled_from([*HEADER, "手機", "Net Spend", "Other", ""]), max_size=8
)


@st.composite
def any_file(draw: Any) -> bytes:
    """Bytes no spreadsheet would write, or a CSV of arbitrary cells under a plausible header."""
    if draw(st.booleans()):
        return bytes(draw(st.binary(max_size=600)))
    rows = draw(st.lists(st.lists(cells, max_size=8), max_size=6))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return (
        file_of([*([draw(headers)] if draw(st.booleans()) else []), *rows])
        .decode()
        .encode(encoding, errors="replace")
    )


@given(body=any_file(), mode=st.sampled_from(["create", "update"]))
@PROPERTY
def test_any_file_gets_a_reply_in_words_never_a_server_error(
    shop: tuple[LiveBackend, Counter], body: bytes, mode: str
):
    backend, admin = shop
    before = state(backend)
    reply = send(admin, body, mode=mode, dry_run=1)
    assert reply.status_code in (200, 422), reply.text
    if reply.status_code == 422:
        error = reply.json()["error"]
        assert error["message"]
        for mistake in error["details"].get("errors", []):
            assert mistake["row"] >= 1
            assert mistake["message"]
    assert state(backend) == before
