"""``/api/v1/ready``: 200 only when the database answers and its schema is at the head."""

from __future__ import annotations

from sqlalchemy import text

from omo_backend import migrate
from omo_backend.app import create_app
from omo_backend.settings import Settings
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend


def ready(backend: LiveBackend) -> tuple[int, dict[str, object], str | None]:
    reply = backend.http.get(backend.url("/api/v1/ready"), timeout=10)
    return reply.status_code, reply.json(), reply.headers.get("Retry-After")


def set_revision(backend: LiveBackend, revision: str) -> None:
    with backend.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_ready_at_head_and_503_while_the_schema_is_behind(backend: LiveBackend):
    status, body, _ = ready(backend)
    assert status == 200, body
    assert body["status"] == "ready"
    assert body["schema_revision"] == migrate.HEAD

    behind = f"{int(migrate.HEAD) - 1:04d}"
    set_revision(backend, behind)
    status, body, retry_after = ready(backend)
    assert status == 503
    assert body["error"]["code"] == "schema_not_current"  # type: ignore[index]
    assert behind in body["error"]["message"]  # type: ignore[index]
    assert retry_after == "5"
    # Health only says the process is up, and it is.
    assert backend.http.get(backend.url("/api/v1/health"), timeout=10).status_code == 200

    # A newer build's expand step: this build still runs on it (deploy/README.md).
    ahead = f"{int(migrate.HEAD) + 1:04d}"
    set_revision(backend, ahead)
    status, body, _ = ready(backend)
    assert (status, body["schema_revision"]) == (200, ahead)

    set_revision(backend, migrate.HEAD)
    assert ready(backend)[0] == 200


def test_503_when_the_database_is_gone(postgresql_factory: DatabaseFactory):
    url = postgresql_factory.new_url()
    name = url.rsplit("/", 1)[1]
    with live_backend(postgresql_factory, database_url=url) as backend:
        assert ready(backend)[0] == 200
        assert postgresql_factory.cluster is not None
        postgresql_factory.cluster.drop_database(name)
        status, body, retry_after = ready(backend)
        assert status == 503
        assert body["error"]["code"] == "database_unreachable"  # type: ignore[index]
        assert retry_after == "5"


def test_openapi_documents_the_refusals(sqlite_factory: DatabaseFactory):
    app = create_app(Settings(database_url=sqlite_factory.new_url(), dev_mode=False))
    operation = app.openapi()["paths"]["/api/v1/ready"]["get"]
    refusal = operation["responses"]["503"]
    assert "`database_unreachable`" in refusal["description"]
    assert "`schema_not_current`" in refusal["description"]
    assert refusal["headers"]["Retry-After"]["required"] is True
    assert "200" in operation["responses"]
