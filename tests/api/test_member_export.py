"""GET /members/export.csv: a UTF-8 CSV with a BOM that reads back through the csv module,
formula cells neutralised, a manager's file limited to their own store's referrals, batches
that neither repeat nor drop rows, audited; over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from omo_backend.directory import export
from omo_backend.models import AuditEvent, Customer, utcnow
from tests.api.test_cli import omo
from tests.support.backend import Counter
from tests.support.directory import Shop, add_customer, shop

__all__ = ["shop"]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def download(counter: Counter, **params: Any) -> tuple[bytes, list[dict[str, str]]]:
    reply = counter.get("/api/v1/members/export.csv", params=params)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert "attachment" in reply.headers["content-disposition"]
    raw = reply.content
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_file_reads_back_with_the_referral_and_personal_data(shop: Shop):
    b = shop.backend
    joined = utcnow() - timedelta(days=3)
    mei = add_customer(
        b,
        name="陳美玲",
        phone="+886912345678",
        email="mei@example.com",
        level="gold",
        net_spend=123400,
        orders_count=3,
        store="TPE01",
        staff="1001",
        points=25,
        line_user_id="U9",
        joined=joined,
    )
    raw, records = download(shop.admin)
    assert raw.startswith("\ufeff".encode())
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == list(export.HEADER)
    (row,) = records
    assert row["Member ID"] == str(mei)
    assert row["Name"] == "陳美玲"
    # "+" starts a formula: the number is kept, behind a quote.
    assert row["Mobile"] == "'+886912345678"
    assert row["Email"] == "mei@example.com"
    assert row["Level"] == "gold"
    assert row["Member Points"] == "25"
    assert row["Net Spend"] == "123400"
    assert row["Orders"] == "3"
    assert row["LINE Bound"] == "Y"
    assert row["Referral Store Code"] == "TPE01"
    assert row["Referral Branch"] == "台北總店"
    assert row["Referral Staff Code"] == "1001"
    assert row["Referral Staff"] == "Amy"
    taipei = joined.astimezone(ZoneInfo("Asia/Taipei")).strftime("%Y-%m-%d %H:%M:%S")
    assert row["Referral Bound At"] == taipei
    assert row["Member Since"] == taipei


@pytest.mark.parametrize("start", DANGEROUS)
def test_formula_cells_are_neutralised(shop: Shop, start: str):
    name = f'{start}HYPERLINK("http://evil","x")'
    add_customer(shop.backend, name=name, email=f"{start}a@example.com".replace("\t", "t"))
    _, (row,) = download(shop.admin)
    assert row["Name"] == "'" + name
    for value in row.values():
        assert not value.startswith(DANGEROUS)


@given(st.text(max_size=40))
def test_a_neutralised_cell_never_starts_a_formula_and_reads_back(text: str):
    cell = export.safe_cell(text)
    assert not cell.startswith(DANGEROUS)
    assert cell == text or cell == "'" + text
    lines = export.csv_lines([[text, "after"]], ZoneInfo("UTC"))
    (read,) = list(csv.reader(io.StringIO(lines, newline="")))
    assert read == [cell, "after"]


ZONES = ("Asia/Taipei", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/Dublin")


@given(
    st.sampled_from(ZONES),
    st.lists(st.integers(min_value=-(2**31), max_value=2**33), min_size=1, max_size=30),
)
def test_local_stamps_are_the_zones_wall_time(zone: str, seconds: list[int]):
    # Whatever the zone's offsets (half hours, 30-minute DST, old ones in seconds) and DST
    # switches, the cached stamp is the one a datetime gives, including for seconds that
    # share an hour with one already seen.
    stamps = export.LocalStamps(ZoneInfo(zone))
    for second in seconds + [s + 1 for s in seconds] + [s - 3599 for s in seconds]:
        assert stamps(second) == stamps.slow(second)
        assert stamps.slow(second) == (
            datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=second)
        ).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe"])
def test_local_stamps_across_each_dst_switch_of_a_year(zone: str):
    tz = ZoneInfo(zone)
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    hours = [start + 3600 * h for h in range(366 * 24)]
    offset = [datetime.fromtimestamp(h, tz).utcoffset() for h in hours]
    switches = [hours[i] for i in range(1, len(hours)) if offset[i] != offset[i - 1]]
    assert len(switches) == 2
    stamps = export.LocalStamps(tz)
    for switch in switches:
        for second in range(switch - 7200, switch + 7200, 7):
            assert stamps(second) == stamps.slow(second)


def test_a_manager_exports_only_their_own_stores_referrals(shop: Shop):
    b = shop.backend
    own = add_customer(b, name="own", store="TPE01")
    other = add_customer(b, name="other", store="KHH01", staff="1002")
    nobody = add_customer(b, name="no referral")
    assert [r["Member ID"] for r in download(shop.manager)[1]] == [str(own)]
    assert download(shop.manager, store="KHH01")[1] == []
    assert [r["Member ID"] for r in download(shop.manager2)[1]] == [str(other)]
    assert {r["Member ID"] for r in download(shop.admin)[1]} == {str(own), str(other), str(nobody)}
    assert [r["Member ID"] for r in download(shop.admin, store="KHH01")[1]] == [str(other)]
    assert shop.staff.get("/api/v1/members/export.csv").status_code == 403


def test_filters_apply_and_batches_neither_repeat_nor_drop(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(export, "BATCH", 2)
    b = shop.backend
    now = utcnow()
    made = [
        add_customer(b, name=f"n{i}", joined=now - timedelta(hours=i), net_spend=i * 10)
        for i in range(7)
    ]
    merged = add_customer(b, name="merged")
    with b.db.transaction() as session:
        session.get_one(Customer, merged).merged_into_id = made[0]
    records = download(shop.admin)[1]
    assert [r["Member ID"] for r in records] == [str(i) for i in made]
    records = download(shop.admin, sort="net_spend", spend_min=20)[1]
    assert [r["Member ID"] for r in records] == [str(i) for i in made[2:]]
    records = download(shop.admin, q="n3")[1]
    assert [r["Name"] for r in records] == ["n3"]


def test_each_export_is_audited_with_its_filters(shop: Shop):
    add_customer(shop.backend, name="a", store="TPE01")
    download(shop.manager, level="gold", spend_min=5)
    with shop.backend.db.transaction(write=False) as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "members.exported")
        )
        assert event.details["filters"] == {"level": "gold", "spend_min": 5, "kind": "member"}
        assert event.details["referral_store_id"] == event.store_id
        assert event.staff_id is not None
        assert event.device_id is not None


def test_the_operator_exports_every_member_from_the_command_line(shop: Shop, tmp_path: Path):
    b = shop.backend
    own = add_customer(b, name="own", store="TPE01", net_spend=50)
    other = add_customer(b, name="=other", store="KHH01", net_spend=10)
    target = tmp_path / "members.csv"
    done = omo(
        b.settings.effective_database_url, "members", "export", str(target), "--sort", "net_spend"
    )
    assert done.returncode == 0, done.stderr
    assert "2 members written" in done.stderr
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [(r["Member ID"], r["Name"]) for r in records] == [
        (str(other), "'=other"),
        (str(own), "own"),
    ]
    done = omo(
        b.settings.effective_database_url, "members", "export", str(target), "--store", "TPE01"
    )
    assert done.returncode == 0, done.stderr
    assert "1 members written" in done.stderr
    with b.db.transaction(write=False) as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "members.exported"))
        )
        assert [e.details["by"] for e in events] == ["operator", "operator"]
        assert events[1].details["filters"] == {"store": "TPE01", "kind": "member"}
