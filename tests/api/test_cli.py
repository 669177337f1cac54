"""The operator's commands, run as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from sqlalchemy import func, select

from omo_backend import demo_seed, migrate
from omo_backend.db import Database
from omo_backend.models import Customer, Staff, Store
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
        assert session.scalar(select(func.count()).select_from(Store)) == 3
        assert session.scalar(select(func.count()).select_from(Staff)) == len(info.staff)
        members = session.scalar(select(func.count()).where(Customer.is_member))
        buyers = session.scalar(select(func.count()).where(~Customer.is_member))
    assert members == len(info.members)
    assert buyers == len(info.buyers)
    db.dispose()
