"""Integration API keys (API.md "Roles", "Orders and carts"): the operator makes one with the
CLI, a POS records orders with it, a revoked or unknown key is refused; on SQLite and
PostgreSQL, and migration 0007 up and down."""

from __future__ import annotations

import re
from typing import Annotated, Any

import requests
from fastapi import Depends
from sqlalchemy import inspect, select, text

from backend_client.schemas import Role
from omo_backend import migrate, security
from omo_backend.actor import Actor
from omo_backend.db import Database
from omo_backend.deps import require_scope
from omo_backend.integrations.service import Integration
from omo_backend.models import ApiKey, AuditEvent
from tests.api.test_cli import omo
from tests.support.backend import DatabaseFactory, LiveBackend

KEY = re.compile(r"omo_[0-9a-f]{8}_[A-Za-z0-9_\-]{43}")


def create_key(backend: LiveBackend, name: str = "POS", scopes: str = "orders:write") -> str:
    made = omo(
        backend.settings.database_url, "apikey", "create", "--name", name, "--scopes", scopes
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert KEY.fullmatch(key), made.stdout
    assert key not in made.stderr
    return key


def post_order(backend: LiveBackend, key: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        backend.url("/api/v1/orders"),
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_a_pos_records_orders_with_its_key_until_it_is_revoked(backend: LiveBackend):
    backend.add_store()
    url = backend.settings.database_url
    key = create_key(backend)
    prefix = key[:12]

    listed = omo(url, "apikey", "list")
    assert listed.returncode == 0, listed.stderr
    assert prefix in listed.stdout
    assert "POS" in listed.stdout
    assert "orders:write" in listed.stdout
    assert "last used never" in listed.stdout
    assert "active" in listed.stdout
    assert key not in listed.stdout
    assert key[13:] not in listed.stdout

    body = {"phone": "0955666777", "amount": 1280, "external_ref": "P-1", "store_code": "TPE01"}
    reply = post_order(backend, key, body)
    assert reply.status_code == 201, reply.text
    order = reply.json()
    with backend.db.transaction(write=False) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        assert row is not None
        assert row.key_hash == security.hash_token(key)
        assert row.last_used_at is not None
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "order.recorded"))
        assert event is not None
        assert event.staff_id is None
        assert event.device_id is None
        assert event.details["order_id"] == order["id"]
        assert event.details["api_key_id"] == row.id
        # Nowhere in the database: neither the key nor its secret part.
        for value in (row.name, row.prefix, row.key_hash, row.scopes):
            assert key[13:] not in value

    no_store = post_order(backend, key, {"phone": "0955666777", "amount": 1})
    assert no_store.status_code == 422
    assert no_store.json()["error"]["code"] == "store_code_required"
    unknown_store = post_order(backend, key, body | {"store_code": "NOPE"})
    assert unknown_store.status_code == 404

    assert "last used never" not in omo(url, "apikey", "list").stdout
    revoked = omo(url, "apikey", "revoke", "--prefix", prefix)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in omo(url, "apikey", "list").stdout
    refused = post_order(backend, key, body)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    with backend.db.transaction(write=False) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"api_key.created", "api_key.revoked"} <= actions


def test_the_cli_refuses_unknown_scopes_and_keys(backend: LiveBackend):
    url = backend.settings.database_url
    bad = omo(url, "apikey", "create", "--name", "POS", "--scopes", "orders:write,members:read")
    assert bad.returncode == 2
    assert "members:read" in bad.stderr
    assert not KEY.search(bad.stdout + bad.stderr)
    assert omo(url, "apikey", "create", "--name", "POS", "--scopes", " ").returncode == 2
    assert omo(url, "apikey", "revoke", "--prefix", "omo_00000000").returncode == 2
    assert omo(url, "apikey", "revoke", "--id", "99").returncode == 2
    key = create_key(backend, name="Shop")
    with backend.db.transaction(write=False) as session:
        key_id = session.scalar(select(ApiKey.id))
    assert omo(url, "apikey", "revoke", "--id", str(key_id)).returncode == 0
    assert post_order(backend, key, {"phone": "0955666777", "amount": 1}).status_code == 401


def test_unknown_keys_and_keys_without_the_scope_are_refused(backend: LiveBackend):
    backend.add_store()
    body = {"phone": "0955666777", "amount": 1, "store_code": "TPE01"}
    unknown = security.new_api_key()
    reply = post_order(backend, unknown, body)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    # A key from a scope that may come later: refused where orders:write is needed.
    other = security.new_api_key()
    with backend.db.transaction() as session:
        session.add(
            ApiKey(
                name="Reports",
                prefix=other[:12],
                key_hash=security.hash_token(other),
                scopes="reports:read",
            )
        )
    forbidden = post_order(backend, other, body)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"


def test_require_scope_admits_a_key_a_manager_but_not_counter_staff(backend: LiveBackend):
    backend.add_store()
    backend.add_staff(code="1001", role=Role.STAFF)
    backend.add_staff(code="2001", name="Max", role=Role.MANAGER)

    def who(caller: Annotated[Actor | Integration, Depends(require_scope("orders:write"))]) -> str:
        return caller.name if isinstance(caller, Integration) else caller.staff_name

    backend.app.add_api_route("/api/v1/test-scoped", who)
    key = create_key(backend, name="POS")

    def call(token: str) -> requests.Response:
        scoped = backend.url("/api/v1/test-scoped")
        return requests.get(scoped, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    assert call(key).json() == "POS"
    manager = backend.counter(staff_code="2001")
    assert manager.get("/api/v1/test-scoped").json() == "Max"
    staff = backend.counter(staff_code="1001")
    refused = staff.get("/api/v1/test-scoped")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert call("not-a-session-or-key").status_code == 401
    assert requests.get(backend.url("/api/v1/test-scoped"), timeout=30).status_code == 401


def test_counter_staff_still_record_orders_at_their_store(backend: LiveBackend):
    store_id = backend.add_store()
    backend.add_store(code="KHH01", name="高雄店")
    backend.add_staff()
    counter = backend.counter()
    mine = counter.post("/api/v1/orders", json={"phone": "0955666777", "amount": 100})
    assert mine.status_code == 201
    assert mine.json()["store_id"] == store_id
    # Their own store named is theirs; another store's sale is not theirs to record.
    named = counter.post(
        "/api/v1/orders", json={"phone": "0955666777", "amount": 100, "store_code": "TPE01"}
    )
    assert named.status_code == 201
    there = counter.post(
        "/api/v1/orders", json={"phone": "0955666777", "amount": 100, "store_code": "KHH01"}
    )
    assert there.status_code == 403
    assert there.json()["error"]["code"] == "forbidden"


def test_migration_0007_adds_and_removes_the_api_key_table(db_factory: DatabaseFactory):
    db = Database(db_factory.empty_url())
    try:
        migrate.upgrade(db.engine, "0006")
        assert not inspect(db.engine).has_table("api_key")
        migrate.upgrade(db.engine)
        columns = {c["name"] for c in inspect(db.engine).get_columns("api_key")}
        assert columns == {
            "id",
            "name",
            "prefix",
            "key_hash",
            "scopes",
            "created_at",
            "revoked_at",
            "last_used_at",
        }
        with db.transaction() as session:
            session.add(ApiKey(name="POS", prefix="omo_0a1b2c3d", key_hash="0" * 64, scopes="x"))
        from alembic import command

        cfg = migrate._config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        assert not inspect(db.engine).has_table("api_key")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        migrate.upgrade(db.engine)
        assert inspect(db.engine).has_table("api_key")
    finally:
        db.dispose()
