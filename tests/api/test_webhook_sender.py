"""The webhook sender in the dispatcher's own process (``omo-backend dispatch``): a process
killed mid-post leaves the delivery to the next one once its lease runs out, which posts it
again with the same ``OMO-Delivery-Id`` (at least once); and migration 0013 up and down. On
SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, text

from backend_client.schemas import WebhookEvent
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.models import WebhookDelivery, WebhookEndpoint
from omo_backend.settings import Settings
from omo_backend.webhooks import events, signing
from omo_backend.webhooks.sender import WebhookSender
from tests.support.backend import DatabaseFactory
from tests.support.webhook_receiver import webhook_receiver

REPO_ROOT = Path(__file__).resolve().parents[2]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def delivery(database: Database, delivery_id: int) -> WebhookDelivery:
    with database.transaction(write=False) as session:
        row = session.get_one(WebhookDelivery, delivery_id)
        session.expunge(row)
        return row


class DispatchProcesses:
    """``omo-backend dispatch`` processes, each logging to its own file in ``folder``."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("wb") as log:
            child = subprocess.Popen(
                [sys.executable, "-m", "omo_backend.cli", "dispatch"],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.running.append(child)
        return child

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("*.log")))

    def kill_all(self) -> None:
        for child in self.running:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=10)


def test_a_dispatch_process_killed_mid_post_leaves_the_delivery_to_the_next(
    db_factory: DatabaseFactory, tmp_path: Path
):
    database = Database(db_factory.new_url())
    env = {key: value for key, value in os.environ.items() if not key.startswith("OMO_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        OMO_DATA_DIR=str(tmp_path / "data"),
        OMO_DATABASE_URL=database.url,
        OMO_WEBHOOK_LEASE_SECONDS="1",
        OMO_WEBHOOK_POLL_SECONDS="0.05",
        OMO_LOG_JSON="0",
    )
    children = DispatchProcesses(env, tmp_path)
    logs = children.logs
    start = children.start

    try:
        with webhook_receiver() as receiver:
            with database.transaction() as session:
                endpoint = WebhookEndpoint(
                    url=receiver.url, events="member.erased", secret=signing.new_secret()
                )
                session.add(endpoint)
                session.flush()
                receiver.secret = endpoint.secret
                events.emit(
                    session=session, event=WebhookEvent.MEMBER_ERASED, data={"member_id": 7}
                )
            with database.transaction(write=False) as session:
                [delivery_id] = session.scalars(text("SELECT id FROM webhook_delivery")).all()

            receiver.hang()
            first = start("first")
            receiver.wait_for(1, deadline_s=30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            left = delivery(database, delivery_id)
            assert (left.status, left.attempts) == ("sending", 1), logs()

            receiver.release()
            second = start("second")
            wait_until(
                lambda: delivery(database, delivery_id).status == "delivered",
                f"the delivery after the restart\n{logs()}",
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=20) == 0, logs()
            got = receiver.wait_for(2)
    finally:
        children.kill_all()
        database.dispose()

    assert all(d.signed for d in got)
    assert [d.headers["omo-delivery-id"] for d in got] == [str(delivery_id)] * 2
    assert got[0].body == got[1].body
    assert len(receiver.deliveries) == 2, "one duplicate for the one kill"
    assert receiver.secret not in logs()


def test_migration_0013_adds_and_removes_the_webhook_tables(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    try:
        migrate.upgrade(db.engine, "0012")
        assert not inspect(db.engine).has_table("webhook_endpoint")
        migrate.upgrade(db.engine)
        tables = set(inspect(db.engine).get_table_names())
        assert {"webhook_endpoint", "webhook_delivery"} <= tables
        from alembic import command

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012")
        tables = set(inspect(db.engine).get_table_names())
        assert not {"webhook_endpoint", "webhook_delivery"} & tables
        migrate.upgrade(db.engine)
        assert inspect(db.engine).has_table("webhook_delivery")
    finally:
        db.dispose()


def _one_delivery(database: Database, url: str, secret: str) -> int:
    """A merge told to the one endpoint at ``url`` (added the first time)."""
    with database.transaction() as session:
        if session.scalars(text("SELECT id FROM webhook_endpoint")).first() is None:
            session.add(WebhookEndpoint(url=url, events="member.merged", secret=secret))
            session.flush()
        events.emit(session=session, event=WebhookEvent.MEMBER_MERGED, data={"member_id": 1})
    with database.transaction(write=False) as session:
        found: int = session.scalars(text("SELECT max(id) FROM webhook_delivery")).one()
        return found


def _lease_runs_out(database: Database, delivery_id: int) -> None:
    """What waiting out the lease of a holder that stopped answering comes to."""
    with database.transaction() as session:
        row = session.get_one(WebhookDelivery, delivery_id)
        row.claimed_until = row.created_at


def test_an_outcome_is_written_only_under_the_claim_that_holds_the_row(
    db_factory: DatabaseFactory,
):
    database = Database(db_factory.new_url())
    settings = Settings(_env_file=None, database_url=database.url, webhook_max_attempts=2)  # type: ignore[call-arg]
    try:
        with webhook_receiver() as receiver:
            receiver.secret = signing.new_secret()
            first = _one_delivery(database, receiver.url, receiver.secret)
            stale, taker = WebhookSender(database, settings), WebhookSender(database, settings)
            [old_claim] = stale._claim()
            _lease_runs_out(database, first)
            assert taker.run_once() == 1
            # The holder that lost its lease comes back with a failure: it is not written.
            stale._record(old_claim, 500, "HTTP 500")
            row = delivery(database, first)
            assert (row.status, row.attempts, row.last_status_code) == ("delivered", 2, 200)

            # Every try's holder died mid-post: once the last lease runs out it is given up.
            second = _one_delivery(database, receiver.url, receiver.secret)
            for _ in range(2):
                assert len(stale._claim()) == 1
                _lease_runs_out(database, second)
            assert stale._claim() == []
            row = delivery(database, second)
            assert (row.status, row.attempts) == ("failed", 2)
            assert row.last_error == "lease expired on the last try"
            assert len(receiver.deliveries) == 1
            stale.close()
            taker.close()
    finally:
        database.dispose()
