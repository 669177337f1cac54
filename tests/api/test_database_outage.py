"""A database outage is answered with a clear 503, and the service recovers on its own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.postgres import PostgresCluster

pytestmark = pytest.mark.slow


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


def test_postgresql_going_away_gives_503_then_recovers(own_cluster: PostgresCluster):
    factory = DatabaseFactory("postgresql", own_cluster)
    with live_backend(factory, auth_cache_seconds=0) as backend:
        backend.add_store()
        backend.add_staff()
        counter = backend.counter()
        assert counter.search(phone="0912345678")["total"] == 0

        own_cluster.pause()
        down = counter.get("/api/v1/customers/search", params={"phone": "0912345678"})
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "service_unavailable"
        assert down.headers["Retry-After"] == "5"

        own_cluster.resume()
        assert_recovers(backend, counter)
    factory.close()


def assert_recovers(backend: LiveBackend, counter: object) -> None:
    deadline = time.monotonic() + 20
    while True:
        reply = counter.get(  # type: ignore[attr-defined]
            "/api/v1/customers/search", params={"phone": "0912345678"}
        )
        if reply.status_code == 200:
            return
        assert reply.status_code == 503, reply.text
        assert time.monotonic() < deadline, "the service never recovered"
        time.sleep(0.1)
