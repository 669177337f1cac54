"""A live backend for a test: fresh migrated database, real uvicorn on loopback, real HTTP."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from fastapi import FastAPI

from backend_client.schemas import Role
from omo_backend import migrate
from omo_backend.app import create_app
from omo_backend.db import Database
from omo_backend.devices import service as devices
from omo_backend.models import Customer
from omo_backend.settings import Settings
from omo_backend.staff import service as staff_service
from omo_backend.stores import service as stores
from tests.support.live_server import bound_socket, serve_in_thread
from tests.support.postgres import PostgresCluster


class DatabaseFactory:
    """Fresh databases, each a copy of one migrated template (fast: no migration per test)."""

    def __init__(self, kind: str, cluster: PostgresCluster | None) -> None:
        self.kind = kind
        self.cluster = cluster
        self.dir = Path(tempfile.mkdtemp(prefix=f"omo-{kind}-"))
        template_url = self._url("omo_template", create=True)
        database = Database(template_url)
        migrate.upgrade(database.engine)
        database.dispose()

    def _url(self, name: str, *, create: bool, template: str | None = None) -> str:
        if self.kind == "sqlite":
            path = self.dir / f"{name}.db"
            if template:
                shutil.copyfile(self.dir / f"{template}.db", path)
            return f"sqlite:///{path}"
        assert self.cluster is not None
        return self.cluster.create_database(name, template=template)

    def new_url(self) -> str:
        return self._url(f"t_{uuid.uuid4().hex[:12]}", create=True, template="omo_template")

    def empty_url(self) -> str:
        """A database with no schema yet: a migration test takes it up revision by revision."""
        return self._url(f"e_{uuid.uuid4().hex[:12]}", create=True)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class LiveBackend:
    base_url: str
    settings: Settings
    db: Database
    kind: str
    app: FastAPI
    http: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return self.base_url + path

    # Set-up an operator would do with the CLI, done through the same services.
    def add_store(self, code: str = "TPE01", name: str = "台北總店", locale: str = "zh_TW") -> int:
        with self.db.transaction() as session:
            return stores.create(session=session, code=code, name=name, locale=locale).id

    def add_staff(
        self,
        store: str = "TPE01",
        code: str = "1001",
        name: str = "Amy",
        pin: str = "123456",
        role: Role = Role.STAFF,
    ) -> int:
        with self.db.transaction() as session:
            st = stores.get_by_code_or_raise(session=session, code=store)
            return staff_service.create(
                session=session, store=st, code=code, name=name, role=role, pin=pin
            ).id

    def add_member(
        self,
        phone: str | None = "+886912345678",
        *,
        name: str = "Mei",
        email: str | None = None,
        password_hash: str | None = None,
    ) -> int:
        """A member who registered earlier, stored as the pages store one."""
        with self.db.transaction() as session:
            member = Customer(
                name=name,
                name_search=name.lower(),
                phone=phone,
                email=email,
                is_member=True,
                password_hash=password_hash,
            )
            session.add(member)
            session.flush()
            return member.id

    def enrollment_code(self, store: str = "TPE01") -> str:
        with self.db.transaction() as session:
            st = stores.get_by_code_or_raise(session=session, code=store)
            return devices.create_enrollment_code(session=session, store=st, ttl_seconds=3600)

    def enroll(self, store: str = "TPE01", name: str = "Counter 1") -> str:
        reply = self.http.post(
            self.url("/api/v1/devices/enroll"),
            json={"enrollment_code": self.enrollment_code(store), "device_name": name},
            timeout=10,
        )
        assert reply.status_code == 201, reply.text
        token: str = reply.json()["device_token"]
        return token

    def login(self, device_token: str, staff_code: str = "1001", pin: str = "123456") -> str:
        reply = self.http.post(
            self.url("/api/v1/staff/login"),
            json={"staff_code": staff_code, "pin": pin},
            headers={"Authorization": f"Bearer {device_token}"},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        token: str = reply.json()["session_token"]
        return token

    def counter(
        self, store: str = "TPE01", staff_code: str = "1001", pin: str = "123456"
    ) -> Counter:
        """A logged-in counter device of ``store``."""
        return Counter(self, self.login(self.enroll(store), staff_code, pin))

    def set_idle_timeout(self, seconds: int, store: str = "TPE01") -> None:
        """A store's staff idle time (a manager setting; default 15 minutes)."""
        with self.db.transaction() as session:
            stores.get_by_code_or_raise(session=session, code=store).idle_timeout_seconds = seconds

    def wait_until_waiting(self, count: int, deadline_s: float = 10) -> None:
        """Block until the server holds ``count`` long-poll requests."""
        deadline = time.monotonic() + deadline_s
        while self.app.state.watcher.waiting < count:
            assert time.monotonic() < deadline, "the long-poll never started waiting"
            time.sleep(0.01)

    def messages_to(self, phone: str) -> list[dict[str, Any]]:
        reply = self.http.get(self.url("/api/v1/dev/messages"), params={"to": phone}, timeout=10)
        assert reply.status_code == 200, reply.text
        items: list[dict[str, Any]] = reply.json()["items"]
        return items


class Counter:
    """What the counter app sends, as plain HTTP."""

    def __init__(self, backend: LiveBackend, session_token: str) -> None:
        self.backend = backend
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {session_token}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.backend.url(path), timeout=kwargs.pop("timeout", 40), **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.backend.url(path), timeout=kwargs.pop("timeout", 40), **kwargs)

    def search(self, **query: str) -> dict[str, Any]:
        reply = self.get("/api/v1/customers/search", params=query)
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    def invite(self, phone: str, key: str | None = None) -> requests.Response:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.post("/api/v1/invitations", json={"phone": phone}, headers=headers)


class Phone:
    """The customer's phone browser: follows links, keeps its cookies, fills forms."""

    def __init__(self, backend: LiveBackend, accept_language: str = "en") -> None:
        self.backend = backend
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = accept_language
        self.last: requests.Response | None = None

    def open(self, url: str) -> requests.Response:
        self.last = self.http.get(url, timeout=10)
        return self.last

    def form_fields(self) -> dict[str, str]:
        assert self.last is not None
        return dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', self.last.text)) | {
            k: v
            for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', self.last.text)
        }

    def submit(self, action: str, **fields: str) -> requests.Response:
        data = self.form_fields() | fields
        self.last = self.http.post(self.backend.url(action), data=data, timeout=10)
        return self.last


def latest_link(backend: LiveBackend, phone: str) -> str:
    messages = backend.messages_to(phone)
    assert messages, f"no message to {phone}"
    links: list[str] = messages[0]["links"]
    return links[0]


def register_on_phone(backend: LiveBackend, e164: str) -> None:
    """The customer opens the newest link sent to ``e164`` and fills in the form."""
    phone = Phone(backend)
    phone.open(latest_link(backend, e164))
    done = phone.submit(
        "/r", name="林小華", password="password1", password_confirm="password1", terms="1"
    )
    assert done.status_code == 200


@contextmanager
def live_backend(factory: DatabaseFactory, **overrides: Any) -> Iterator[LiveBackend]:
    # A second life of one backend: the same database (and port), given back.
    url = overrides.pop("database_url", None) or factory.new_url()
    # The test runs the dispatcher itself (an in-app one would claim new rows at once on
    # PostgreSQL, where each new message NOTIFYs it).
    run_dispatcher = bool(overrides.pop("run_dispatcher", True))
    sock = bound_socket(overrides.pop("port", 0))
    host, port = sock.getsockname()
    base = f"http://{host}:{port}"
    defaults: dict[str, Any] = {
        "database_url": url,
        "public_base_url": base,
        "dev_mode": True,
        "sms_provider": "outbox",
        "dispatch_poll_seconds": 0.05,
        "longpoll_check_seconds": 0.05,
        "log_json": False,
    }
    settings = Settings(**(defaults | overrides))
    db = Database(url, pool_size=5)
    app = create_app(settings, db, run_dispatcher=run_dispatcher)
    with serve_in_thread(app, sock) as base_url:
        yield LiveBackend(base_url=base_url, settings=settings, db=db, kind=factory.kind, app=app)
    db.dispose()
