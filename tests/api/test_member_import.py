"""The CSV import (API.md "Import:"): an admin downloads the sample file, imports a file with
mistakes, reads every mistake by line and column, corrects it and imports it; a dry run
writes nothing; update mode changes only the non-empty cells and brings points to the file's
value through the ledger. On SQLite and PostgreSQL, over HTTP."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from backend_client.schemas import Role, SmsPrice
from omo_backend.models import AuditEvent, Customer, Level, PointsEntry, RetiredIdentifier
from omo_backend.reports.pricing import set_sms_price
from tests.api.test_cli import omo
from tests.support.backend import Counter, LiveBackend

HEADER = "Name,Mobile,Email,Birthday,Level,Member Points\n"


@pytest.fixture
def admin(backend: LiveBackend) -> Counter:
    backend.add_store(code="TPE01", name="台北總店", locale="zh_TW")
    backend.add_staff()
    backend.add_staff(code="9001", name="Head", role=Role.ADMIN)
    backend.add_staff(code="2001", name="Max", role=Role.MANAGER)
    with backend.db.transaction() as session:
        session.add(Level(code="gold", name_en="Gold", name_zh_TW="金卡", rank=0))
    return backend.counter(staff_code="9001")


def send(
    counter: Counter, body: str | bytes, *, name: str | None = None, **params: Any
) -> requests.Response:
    data = body.encode() if isinstance(body, str) else body
    if name is not None:
        return counter.post(
            "/api/v1/members/import", params=params, files={"file": (name, data, "text/csv")}
        )
    return counter.post(
        "/api/v1/members/import",
        params=params,
        data=data,
        headers={"Content-Type": "text/csv"},
    )


def members(backend: LiveBackend) -> int:
    with backend.db.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).where(Customer.is_member)) or 0)


def customer(backend: LiveBackend, phone: str) -> Customer:
    with backend.db.transaction(write=False) as session:
        found = session.scalars(select(Customer).where(Customer.phone == phone)).one()
        session.expunge(found)
        return found


def ledger(backend: LiveBackend, customer_id: int) -> list[tuple[int, str]]:
    with backend.db.transaction(write=False) as session:
        rows = session.execute(
            select(PointsEntry.delta, PointsEntry.reason)
            .where(PointsEntry.customer_id == customer_id)
            .order_by(PointsEntry.id)
        )
        return [(int(d), str(r)) for d, r in rows]


def test_the_sample_file_unchanged_is_refused_with_that_reason(admin: Counter):
    sample = admin.get("/api/v1/members/import/template.csv")
    assert sample.status_code == 200
    assert sample.headers["content-type"].startswith("text/csv")
    text = sample.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "Mobile", "Email", "Birthday", "Level", "Member Points"]
    assert [r[0].startswith("(example)") for r in rows[1:]] == [True, True]
    chinese = admin.get("/api/v1/members/import/template.csv", params={"lang": "zh_TW"})
    assert chinese.content.decode("utf-8-sig").startswith("姓名,手機,電子郵件,生日,等級,會員點數")

    refused = send(admin, sample.content)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "template_unchanged"
    assert "sample file unchanged" in refused.json()["error"]["message"]


def test_a_file_with_mistakes_lists_each_by_line_and_column_and_writes_nothing(
    backend: LiveBackend, admin: Counter
):
    backend.add_member("+886912000001", name="Old")
    before = members(backend)
    body = (
        HEADER
        + "林小華,0955-666-777,hua@example.com,1990-04-01,gold,100\n"
        + "Bad phone,02-2345-6789,,,,\n"
        + "No contact,,,1990-01-01,,\n"
        + "Dup,0955666777,,,,\n"
        + "Existing,0912000001,,,,\n"
        + "Wrong,,not-an-email,1990-02-30,platinum,-5\n"
        + "(example) left in,0933111222,,,,\n"
    )
    reply = send(admin, body)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "import_rejected"
    found = [(e["row"], e["column"], e["code"]) for e in error["details"]["errors"]]
    assert found == [
        (3, "Mobile", "not_mobile"),
        (4, "Mobile", "phone_or_email_required"),
        (5, "Mobile", "duplicate_in_file"),
        (6, "Mobile", "already_member"),
        (7, "Email", "invalid_email"),
        (7, "Birthday", "invalid_birthday"),
        (7, "Level", "unknown_level"),
        (7, "Member Points", "invalid_points"),
        (8, "Name", "example_row"),
    ]
    assert "line 2" in error["details"]["errors"][2]["message"]
    assert members(backend) == before


def test_a_clean_file_dry_run_then_write(backend: LiveBackend, admin: Counter):
    body = (
        HEADER
        + "林小華,0955-666-777,Hua@Example.com,1990-04-01,gold,100\n"
        + "Amy,,amy@example.com,,,\n"
    )
    before = members(backend)
    dry = send(admin, body, mode="create", dry_run=1)
    assert dry.status_code == 200, dry.text
    preview = dry.json()
    assert (preview["created"], preview["updated"], preview["dry_run"]) == (2, 0, True)
    assert preview["errors"] == []
    first = preview["changes"][0]
    assert first["row"] == 2
    assert first["action"] == "create"
    assert first["member_id"] is None
    assert {c["field"]: c["after"] for c in first["changes"]} == {
        "name": "林小華",
        "phone": "+886955666777",
        "email": "hua@example.com",
        "birthday": "1990-04-01",
        "level": "gold",
        "points": "100",
    }
    assert members(backend) == before

    done = send(admin, body, name="spring.csv")
    assert done.status_code == 200, done.text
    assert done.json()["created"] == 2
    assert members(backend) == before + 2
    hua = customer(backend, "+886955666777")
    assert (hua.name, hua.email, hua.level, hua.source) == (
        "林小華",
        "hua@example.com",
        "gold",
        "import",
    )
    assert ledger(backend, hua.id) == [(100, "CSV import: spring.csv")]
    assert backend.messages_to("+886955666777") == []
    with backend.db.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("member.added") == 2
    assert actions[-1] == "members.imported"

    again = send(admin, body)
    assert again.status_code == 422
    codes = {e["code"] for e in again.json()["error"]["details"]["errors"]}
    assert codes == {"already_member"}


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("big5", "Big5"), ("cp950", "Big5"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")],
)
def test_big5_and_utf16_are_refused_naming_the_encoding(admin: Counter, encoding: str, named: str):
    body = ("姓名,手機,電子郵件,生日,等級,會員點數\n王小明,0912345678,,,,\n").encode(encoding)
    reply = send(admin, body)
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "unsupported_encoding"
    assert named in error["message"]
    assert '"CSV UTF-8' in error["message"]


def test_a_utf8_file_with_a_bom_and_chinese_headers_imports(backend: LiveBackend, admin: Counter):
    body = "\ufeff姓名,手機,電子郵件,生日,等級,會員點數\n王小明,0912-345-678,,,,\n"
    reply = send(admin, body.encode("utf-8"))
    assert reply.status_code == 200, reply.text
    assert customer(backend, "+886912345678").name == "王小明"


def test_update_changes_only_the_non_empty_cells_and_points_through_the_ledger(
    backend: LiveBackend, admin: Counter
):
    created = send(admin, HEADER + "Mei,0912000002,mei@example.com,1991-01-01,,50\n")
    assert created.status_code == 200, created.text
    mei = customer(backend, "+886912000002")
    body = HEADER + "Mei Lin,0912000002,,,gold,20\n"
    reply = send(admin, body, mode="update", name="autumn.csv")
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 0)
    assert {c["field"]: (c["before"], c["after"]) for c in result["changes"][0]["changes"]} == {
        "name": ("Mei", "Mei Lin"),
        "level": (None, "gold"),
        "points": ("50", "20"),
    }
    after = customer(backend, "+886912000002")
    assert (after.name, after.email, after.level) == ("Mei Lin", "mei@example.com", "gold")
    assert after.birthday is not None
    assert after.birthday.isoformat() == "1991-01-01"
    assert ledger(backend, mei.id)[-1] == (-30, "CSV import: autumn.csv")

    by_email = send(admin, HEADER + ",,MEI@example.com,,,80\n", mode="update")
    assert by_email.status_code == 200, by_email.text
    assert ledger(backend, mei.id)[-1] == (60, "CSV import: import.csv")

    same = send(admin, HEADER + "Mei Lin,0912000002,,,,80\n", mode="update")
    assert same.json()["unchanged"] == 1
    assert len(ledger(backend, mei.id)) == 3

    unknown = send(admin, HEADER + "Nobody,0912000999,,,,\n", mode="update")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["errors"][0]["code"] == "member_not_found"


def test_retired_identifiers_are_refused(backend: LiveBackend, admin: Counter):
    keeper = backend.add_member("+886912000003")
    with backend.db.transaction() as session:
        session.add(RetiredIdentifier(kind="phone", value="+886912000004", customer_id=keeper))
    reply = send(admin, HEADER + "Gone,0912000004,,,,\n")
    assert reply.status_code == 422
    [error] = reply.json()["error"]["details"]["errors"]
    assert (error["row"], error["column"], error["code"]) == (2, "Mobile", "identifier_retired")


def test_first_login_messages_are_counted_and_priced_in_the_dry_run_then_sent(
    backend: LiveBackend, admin: Counter
):
    with backend.db.transaction() as session:
        set_sms_price(session=session, price=SmsPrice(price_per_segment=150, currency="TWD"))
    body = HEADER + "Hua,0955666777,,,,\nAmy,,amy@example.com,,,\n"
    dry = send(admin, body, dry_run=1, first_login=1)
    assert dry.status_code == 200, dry.text
    plan = dry.json()["first_login"]
    assert (plan["sms"], plan["emails"], plan["currency"]) == (1, 1, "TWD")
    assert plan["segments"] >= 1
    assert plan["cost"] == plan["segments"] * 150
    assert backend.messages_to("+886955666777") == []

    done = send(admin, body, first_login=1)
    assert done.status_code == 200, done.text
    assert done.json()["first_login"] == plan
    [sms] = backend.messages_to("+886955666777")
    assert "/b/reset/" in sms["body"]


def test_limits_files_roles_and_content_types(backend: LiveBackend, admin: Counter):
    too_many = HEADER + "".join(f"M{i},,m{i}@example.com,,,\n" for i in range(501))
    reply = send(admin, too_many)
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "too_many_rows"

    huge = send(admin, HEADER + "x" * (15 * 1024 * 1024 + 70 * 1024))
    assert huge.status_code == 413

    manager = backend.counter(staff_code="2001")
    assert send(manager, HEADER + "A,0912345678,,,,\n").status_code == 403

    wrong = admin.post("/api/v1/members/import", json={"file": "x"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "unsupported_content_type"
    empty = send(admin, "")
    assert empty.json()["error"]["code"] == "empty_file"
    missing = send(admin, "Name,Mobile,Email\nA,0912345678,\n")
    assert [e["column"] for e in missing.json()["error"]["details"]["errors"]] == [
        "Birthday",
        "Level",
        "Member Points",
    ]


def test_the_operator_imports_from_the_command_line_with_a_progress_bar(
    backend: LiveBackend, admin: Counter, tmp_path: Path
):
    good = tmp_path / "shop.csv"
    good.write_text(HEADER + "Hua,0955666777,,,,7\nAmy,,amy@example.com,,,\n", encoding="utf-8")
    url = backend.settings.effective_database_url
    dry = omo(url, "members", "import", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 would be created" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert "Checking [" in dry.stderr
    assert "2/2" in dry.stderr
    assert members(backend) == 0

    done = omo(url, "members", "import", str(good), "--mode", "create")
    assert done.returncode == 0, done.stderr
    assert "2 created" in done.stdout
    assert "Writing  [" in done.stderr
    hua = customer(backend, "+886955666777")
    assert ledger(backend, hua.id) == [(7, "CSV import: shop.csv")]

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Bad,02-2345-6789,,,,\n", encoding="utf-8")
    refused = omo(url, "members", "import", str(bad), "--mode", "update")
    assert refused.returncode == 1
    assert "line 2, Mobile:" in refused.stderr


def test_export_then_update_import_of_the_same_file_changes_nothing(
    backend: LiveBackend, admin: Counter
):
    body = HEADER + "=Hua,0955666777,hua@example.com,1990-04-01,gold,12\n-Amy,,amy@example.com,,,\n"
    assert send(admin, body).status_code == 200
    exported = admin.get("/api/v1/members/export.csv")
    assert exported.status_code == 200
    reply = send(admin, exported.content, mode="update")
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)


def test_two_imports_of_the_same_new_members_at_once_create_them_once(
    backend: LiveBackend, admin: Counter
):
    body = HEADER + "".join(f"P{i},09140000{i:02d},,,,{i}\n" for i in range(40))
    other = backend.counter(staff_code="9001")
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda who: send(who, body), [admin, other]))
    statuses = sorted(r.status_code for r in replies)
    assert statuses in ([200, 409], [200, 422]), [r.text[:300] for r in replies]
    refused = next(r for r in replies if r.status_code != 200).json()["error"]["code"]
    assert refused in ("identifier_taken", "import_rejected")
    assert members(backend) == 40


@pytest.mark.settings(rate_device_per_hour=1)
def test_first_login_messages_over_the_sms_limits_refuse_the_dry_run_and_the_import(
    backend: LiveBackend, admin: Counter
):
    body = HEADER + "Hua,0955666777,,,,\nMing,0955666778,,,,\n"
    for dry_run in (1, 0):
        reply = send(admin, body, first_login=1, dry_run=dry_run)
        assert reply.status_code == 429, reply.text
        assert reply.json()["error"]["code"] == "rate_limited"
        assert int(reply.headers["Retry-After"]) >= 1
    assert members(backend) == 0
    assert backend.messages_to("+886955666777") == []
    without = send(admin, body)
    assert without.status_code == 200, without.text


def test_the_operator_sends_first_login_messages_from_a_store(
    backend: LiveBackend, admin: Counter, tmp_path: Path
):
    good = tmp_path / "shop.csv"
    good.write_text(HEADER + "Hua,0955666777,,,,\n", encoding="utf-8")
    url = backend.settings.effective_database_url
    alone = omo(url, "members", "import", str(good), "--first-login")
    assert alone.returncode == 2
    assert "--store" in alone.stderr
    done = omo(url, "members", "import", str(good), "--first-login", "--store", "TPE01")
    assert done.returncode == 0, done.stderr
    assert "First-login messages: 1 SMS" in done.stdout
    [sms] = backend.messages_to("+886955666777")
    assert "台北總店" in sms["body"]
    assert customer(backend, "+886955666777").source_store_id is not None
