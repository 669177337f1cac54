"""Fixtures that start real parts: PostgreSQL, the backend over HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.twilio_server import FakeTwilio
from tests.support import log_capture
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.postgres import PostgresCluster

os.environ.setdefault("LANG", "C.UTF-8")


def pytest_configure(config: pytest.Config) -> None:
    # Every test's logs are checked for tokens, phones, e-mails, PINs and passwords.
    config.pluginmanager.register(log_capture, "omo-log-capture")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_factory() -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory("sqlite", None)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def postgresql_factory(pg_cluster: PostgresCluster) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory("postgresql", pg_cluster)
    yield factory
    factory.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_factory(request: pytest.FixtureRequest) -> DatabaseFactory:
    """Every API test runs once on SQLite and once on a real PostgreSQL."""
    factory: DatabaseFactory = request.getfixturevalue(f"{request.param}_factory")
    return factory


@pytest.fixture
def backend(db_factory: DatabaseFactory, request: pytest.FixtureRequest) -> Iterator[LiveBackend]:
    marker = request.node.get_closest_marker("settings")
    overrides = dict(marker.kwargs) if marker else {}
    with live_backend(db_factory, **overrides) as live:
        yield live


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """A fake Twilio on a loopback port; ``twilio.settings_overrides()`` points a backend at it."""
    with FakeTwilio() as fake:
        yield fake
