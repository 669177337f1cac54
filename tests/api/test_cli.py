"""The operator's commands, run as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import delete, func, select, update

from omo_backend import demo_crowd, demo_seed, migrate
from omo_backend.db import Database
from omo_backend.models import AuditEvent, Customer, PinGuard, Staff, Store
from tests.support.backend import DatabaseFactory
from tests.support.processes import log_in, serve_process


def omo(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMO_DATABASE_URL": db_url, "OMO_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "omo_backend.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_operator_sets_up_a_store_and_a_counter_logs_in(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    assert omo(url, "store", "add", "--code", "TPE01", "--name", "Taipei Main").returncode == 0
    staff = omo(
        url,
        "staff",
        "add",
        "--store",
        "TPE01",
        "--code",
        "1001",
        "--name",
        "Amy",
        "--role",
        "manager",
        "--pin",
        "123456",
    )
    assert staff.returncode == 0, staff.stderr
    duplicate = omo(url, "store", "add", "--code", "TPE01", "--name", "Again")
    assert duplicate.returncode == 2
    assert "exists" in duplicate.stderr
    code = omo(url, "device", "enroll-code", "--store", "TPE01").stdout.strip()
    assert len(code) == 11
    bought = omo(
        url,
        "order",
        "add",
        "--store",
        "TPE01",
        "--name",
        "Chang",
        "--phone",
        "0955666777",
        "--amount",
        "1280",
    )
    assert bought.returncode == 0, bought.stderr

    with serve_process(url, log_path=tmp_path / "serve.log") as (base, _):
        counter, login = log_in(base, code)
        assert login["staff"]["role"] == "manager"  # type: ignore[index]
        found = counter.get(
            base + "/api/v1/customers/search", params={"phone": "0955-666-777"}, timeout=10
        ).json()
        assert found["items"][0]["is_member"] is False
        assert found["items"][0]["orders_count"] == 1
        spec = requests.get(base + "/openapi.json", timeout=10).json()
        assert "/api/v1/invitations" in spec["paths"]


def test_demo_seed_can_run_twice(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.upgrade(db.engine)
    for _ in range(2):
        with db.transaction() as session:
            info = demo_seed.seed(session=session)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Store)) == len(info.stores)
        assert session.scalar(select(func.count()).select_from(Staff)) == len(info.staff)
        admins = session.scalars(select(Staff.code).where(Staff.role == "admin")).all()
        members = session.scalar(select(func.count()).where(Customer.is_member))
        buyers = session.scalar(select(func.count()).where(~Customer.is_member))
    # Issue 13's one person with three accounts: two members and a past buyer.
    duplicates = [level is not None for _, _, _, level, *_ in demo_seed.DUPLICATES]
    assert members == len(info.members) + demo_crowd.MEMBERS + sum(duplicates)
    assert buyers == len(info.buyers) + demo_crowd.PAST_BUYERS + duplicates.count(False)
    assert admins == ["9001"]
    db.dispose()


def test_an_operator_adds_a_head_office_admin(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    assert omo(url, "store", "add", "--code", "TPE01", "--name", "Taipei Main").returncode == 0
    add = ["staff", "add", "--store", "TPE01", "--code", "9001", "--name", "HQ", "--pin"]
    added = omo(url, *add, "999999", "--role", "admin")
    assert added.returncode == 0, added.stderr
    assert "staff 9001 (admin) added to TPE01" in added.stdout
    assert "9001  HQ  admin  active" in omo(url, "staff", "list", "--store", "TPE01").stdout
    unknown = omo(url, *add, "999999", "--role", "owner")
    assert unknown.returncode == 2
    assert "invalid choice" in unknown.stderr


def test_a_new_pin_needs_six_digits(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    assert omo(url, "store", "add", "--code", "TPE01", "--name", "Taipei Main").returncode == 0
    short = omo(
        url, "staff", "add", "--store", "TPE01", "--code", "1001", "--name", "Amy", "--pin", "1234"
    )
    assert short.returncode == 2
    assert "6 to 12 digits" in short.stderr


def test_an_operator_revokes_a_lost_counter_and_manages_staff(
    tmp_path: Path, db_factory: DatabaseFactory
):
    url = db_factory.new_url()
    assert omo(url, "store", "add", "--code", "TPE01", "--name", "Taipei Main").returncode == 0
    for code, name, pin in (("1001", "Amy", "123456"), ("1002", "Ben", "222222")):
        added = omo(
            url, "staff", "add", "--store", "TPE01", "--code", code, "--name", name, "--pin", pin
        )
        assert added.returncode == 0, added.stderr
    with serve_process(url, log_path=tmp_path / "serve.log") as (base, _):
        amy, _ = log_in(base, omo(url, "device", "enroll-code", "--store", "TPE01").stdout.strip())
        ben, _ = log_in(
            base,
            omo(url, "device", "enroll-code", "--store", "TPE01").stdout.strip(),
            "1002",
            "222222",
        )
        for counter in (amy, ben):
            assert counter.get(base + SEARCH, timeout=10).ok

        listed = omo(url, "device", "list", "--store", "TPE01").stdout.splitlines()
        assert [line.split()[:3] for line in listed] == [
            ["1", "TPE01", "Counter"],
            ["2", "TPE01", "Counter"],
        ]
        assert all(line.endswith("active") for line in listed)
        revoked = omo(url, "device", "revoke", "1")
        assert revoked.returncode == 0, revoked.stderr
        assert "1 sessions ended" in revoked.stdout
        assert refused_soon(amy, base + SEARCH) == "device_revoked"
        assert "revoked" in omo(url, "device", "list").stdout.splitlines()[0]

        deactivated = omo(url, "staff", "deactivate", "--store", "TPE01", "--code", "1002")
        assert deactivated.returncode == 0, deactivated.stderr
        assert refused_soon(ben, base + SEARCH) == "staff_deactivated"
        staff = omo(url, "staff", "list", "--store", "TPE01").stdout.splitlines()
        assert [line.split()[-1] for line in staff] == ["active", "deactivated"]
        missing = omo(url, "staff", "deactivate", "--store", "TPE01", "--code", "9999")
        assert missing.returncode == 2
        assert omo(url, "device", "revoke", str(2**63)).returncode == 2

    db = Database(url)
    with db.transaction() as session:
        store_id = session.scalar(select(Staff.store_id).where(Staff.code == "1001"))
        assert store_id is not None
        session.add(PinGuard(store_id=store_id, code="1001", unlock_required=True))
    locked = omo(url, "staff", "list", "--store", "TPE01").stdout.splitlines()[0]
    assert locked.endswith("locked until unlocked")
    unlocked = omo(url, "staff", "unlock", "--store", "TPE01", "--code", "1001")
    assert unlocked.returncode == 0, unlocked.stderr
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PinGuard)) == 0, "lock lifted"
        actions = list(
            session.execute(
                select(AuditEvent.action, AuditEvent.details).where(
                    AuditEvent.action.in_(["device.revoked", "staff.deactivated", "staff.unlocked"])
                )
            )
        )
    db.dispose()
    assert sorted(a for a, _ in actions) == [
        "device.revoked",
        "staff.deactivated",
        "staff.unlocked",
    ]
    assert all(d["by"] == "operator" for _, d in actions)


SEARCH = "/api/v1/customers/search?phone=0912345678"


def refused_soon(http: requests.Session, url: str) -> str:
    """The running server refuses the session within its session cache's time (2 s)."""
    deadline = time.monotonic() + 10
    while (reply := http.get(url, timeout=10)).ok:
        assert time.monotonic() < deadline, "the session was never refused"
        time.sleep(0.05)
    assert reply.status_code == 401
    code: str = reply.json()["error"]["code"]
    return code


def test_an_operator_sets_what_the_phone_pages_show_of_a_store(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'omo.db'}"
    assert omo(url, "store", "add", "--code", "TPE01", "--name", "Taipei Main").returncode == 0
    terms = tmp_path / "terms.txt"
    terms.write_text("第一條 會員資格\r\n\r\n第二條 個人資料\n", encoding="utf-8")
    done = omo(
        url,
        "store",
        "set",
        "--code",
        "TPE01",
        "--shop-url",
        "https://shop.example.com/",
        "--line-add-friend-url",
        "https://line.me/R/ti/p/@omo-tpe01",
        "--terms-file",
        str(terms),
    )
    assert done.returncode == 0, done.stderr

    def store() -> Store:
        db = Database(url)
        with db.transaction(write=False) as session:
            found = session.scalars(select(Store)).one()
            session.expunge(found)
        db.dispose()
        return found

    first = store()
    assert first.shop_url == "https://shop.example.com/"
    assert first.line_add_friend_url == "https://line.me/R/ti/p/@omo-tpe01"
    assert first.terms_text == "第一條 會員資格\n\n第二條 個人資料"

    # Refused on the wire's terms, naming the option; nothing changes.
    for option, value, words in (
        ("--shop-url", "http://shop.example.com/", "https://"),
        ("--line-add-friend-url", "https://example.com/@omo", "line.me"),
    ):
        refused = omo(url, "store", "set", "--code", "TPE01", option, value)
        assert refused.returncode == 2
        assert option in refused.stderr
        assert words in refused.stderr
    assert omo(url, "store", "set", "--code", "TPE01").returncode == 2, "nothing to set"
    assert omo(url, "store", "set", "--code", "NOPE", "--shop-url", "").returncode == 2
    assert store().shop_url == "https://shop.example.com/"

    # "" removes one setting and leaves the others.
    assert omo(url, "store", "set", "--code", "TPE01", "--shop-url", "").returncode == 0
    after = store()
    assert after.shop_url is None
    assert after.line_add_friend_url == "https://line.me/R/ti/p/@omo-tpe01"
    assert after.terms_text == first.terms_text


def test_the_demo_store_has_a_shop_a_line_account_and_its_own_terms(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        demo_seed.seed(session=session)
        # A demo database from before the page settings: seeded again, it gets them.
        session.execute(update(Store).values(shop_url=None, line_add_friend_url=None))
        session.execute(delete(AuditEvent).where(AuditEvent.action == demo_seed.PAGES_SEEDED))
    with db.transaction() as session:
        demo_seed.seed(session=session)
    with db.transaction(write=False) as session:
        stores = {s.code: s for s in session.scalars(select(Store))}
    assert stores["TPE01"].shop_url == "https://shop.example.com/"
    assert stores["TPE01"].line_add_friend_url == "https://line.me/R/ti/p/@omo-demo"
    assert stores["TPE01"].terms_text
    assert stores["TPE02"].shop_url is None, "a store without a shop: its pages say so"
    db.dispose()
