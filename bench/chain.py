"""Proofs on a chain's set-up: ``python -m bench.chain [--quick] [options]``.

One throwaway PostgreSQL cluster; two API processes (``omo-backend serve --no-dispatcher``,
each on its own port, as behind a reverse proxy); two ``omo-backend dispatch`` processes; a
fake Twilio (tests/fakes/twilio_server.py, the real protocol) answering each message in
100 ms. Load comes from other processes (bench/loadgen.py), spread over both API ports.

Load: search p95 beside the trivial endpoint's; invitation create p95 at 8 clients; the
outbox's messages/s, commit → provider p95 and duplicates; N counters long-polling across
the two API processes, woken by a change made through the other one.
Faults, each a figure: a dispatcher SIGKILLed every 5 s while the outbox sends; an API
process SIGKILLed in the middle of registrations; PostgreSQL restarted under load.

Figures are printed beside their targets and written to ``bench/results/chain.json``;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from sqlalchemy import func, select, update

from bench import loadgen, longpoll, seed
from bench.app_phone import REGISTRATION, Phone
from bench.data import Population, local_form
from bench.report import (
    Figure,
    chosen_settings,
    format_table,
    latency_figures,
    percentile,
    print_preamble,
    write_json,
)
from bench.seed import BenchDatabase
from bench.server import (
    ServerProcess,
    backend_env,
    command,
    kill_process,
    request,
    staff_session,
    stop_process,
)
from omo_backend.models import Customer, Invitation, Message, Referral
from tests.fakes.twilio_server import FakeTwilio, ReceivedRequest
from tests.support.dispatchers import waiting_messages

SEARCH_VS_HEALTH = 2.0
INVITE_P95_TARGET_MS = 25.0
OUTBOX_RATE_TARGET = 200.0
COMMIT_TO_PROVIDER_P95_TARGET_S = 2.0
WAKE_P95_TARGET_MS = 50.0
# Changes made one at a time through the other process, each timed to its waiter's reply: a
# p95 of 20 is the second slowest; 100 give it a few samples to stand on.
WAKE_SAMPLES = 100
PROVIDER_SECONDS = 0.1
KILL_EVERY_SECONDS = 5.0
# A killed dispatcher's claimed rows wait for their lease to run out: short leases (and a
# provider timeout to match, since a pass claims what it can send within the lease) keep the
# kill proof's drain short. The same settings for every section.
DISPATCH_ENV = {
    "OMO_DISPATCH_LEASE_SECONDS": "10",
    "OMO_TWILIO_TIMEOUT_SECONDS": "2",
    "OMO_DISPATCH_POLL_SECONDS": "0.2",
}

FULL = {
    "customers": 200_000,
    "requests": 300,
    "warmup": 30,
    "messages": 2000,
    "waiters": 1000,
    "kill_sends": 2000,
    "registrations": 40,
    "outage_seconds": 5,
}
QUICK = {
    "customers": 20_000,
    "requests": 40,
    "warmup": 10,
    "messages": 200,
    "waiters": 200,
    "kill_sends": 300,
    "registrations": 16,
    "outage_seconds": 3,
}
SIZES = {
    "customers": "customers seeded",
    "requests": "timed requests per client and endpoint",
    "warmup": "untimed requests per client first",
    "messages": "the outbox section's invitations",
    "waiters": "long-polling counters",
    "kill_sends": "sends while dispatchers are killed",
    "registrations": "registrations while an API process is killed (a multiple of the clients)",
    "outage_seconds": "seconds PostgreSQL is down",
}
_LINK = re.compile(r"https?://\S+")


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --- the chain's parts --------------------------------------------------------------------


class TimedTwilio(FakeTwilio):
    """The fake Twilio, also noting when (wall clock) each message request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.latency_seconds = PROVIDER_SECONDS
        self._arrivals: list[tuple[float, str]] = []
        self._arrivals_lock = threading.Lock()

    def _record(self, request: ReceivedRequest) -> tuple[int | None, bool]:
        with self._arrivals_lock:
            self._arrivals.append((time.time(), request.form.get("To", "")))
        return super()._record(request)

    def start(self) -> TimedTwilio:
        super().start()
        assert self._server is not None
        # A killed dispatcher resets its idle keep-alive connections: expected here, so not
        # a traceback on the bench's stderr each time.
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        return self

    def arrivals(self) -> list[tuple[float, str]]:
        with self._arrivals_lock:
            return list(self._arrivals)

    def link_to(self, phone: str) -> str | None:
        """The link in the newest SMS to ``phone``."""
        for received in reversed(self.requests):
            if received.form.get("To") == phone:
                found = _LINK.findall(received.form.get("Body", ""))
                return found[0] if found else None
        return None


class DispatchProcess:
    """``omo-backend dispatch`` as a child process; ``kill()`` is SIGKILL, ``start()`` again."""

    def __init__(self, env: dict[str, str], folder: Path, name: str) -> None:
        self._env = env
        self._folder = folder
        self._log_path = folder / f"{name}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                [*command(), "dispatch"],
                env=self._env,
                cwd=self._folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        kill_process(self._process)

    def stop(self) -> None:
        stop_process(self._process)


@dataclass
class Chain:
    bench: BenchDatabase
    twilio: TimedTwilio
    apis: list[ServerProcess]
    dispatchers: list[DispatchProcess]
    folder: Path
    token: str = ""

    @property
    def ports(self) -> list[int]:
        return [api.port for api in self.apis]

    @classmethod
    def start(cls, population: Population) -> Chain:
        progress("PostgreSQL, seeding")
        bench = BenchDatabase.create("postgresql")
        twilio = TimedTwilio().start()
        folder = Path(tempfile.mkdtemp(prefix="omo-bench-chain-"))
        chain = cls(bench, twilio, [], [], folder)
        try:
            seed.seed_counter(bench.db)
            seed.seed_customers(bench.db, population)
            env = {
                "OMO_SMS_PROVIDER": "twilio",
                "OMO_TWILIO_ACCOUNT_SID": twilio.account_sid,
                "OMO_TWILIO_AUTH_TOKEN": twilio.auth_token,
                "OMO_TWILIO_FROM": "+15005550006",
                "OMO_TWILIO_API_BASE": twilio.base_url,
                **DISPATCH_ENV,
            }
            chain.apis = [ServerProcess(bench.url, extra_env=env) for _ in range(2)]
            for api in chain.apis:
                progress(f"API process on port {api.port}")
                api.start()
            dispatch_env = backend_env(bench.url, folder, chain.apis[0].base_url, env)
            chain.dispatchers = [
                DispatchProcess(dispatch_env, folder, f"dispatch-{n}") for n in (1, 2)
            ]
            chain.token = staff_session(
                chain.ports[0], seed.enrollment_code(bench.db), seed.STAFF_CODE, seed.STAFF_PIN
            )
        except BaseException:
            chain.close()
            raise
        return chain

    def start_dispatchers(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.start()

    def stop_dispatchers(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.stop()

    def settle_outbox(self) -> int:
        """Mark every waiting message sent, without sending it: a load's SMS are not the
        next section's to send."""
        with self.bench.db.transaction() as session:
            result = session.execute(
                update(Message).where(Message.status == "queued").values(status="sent")
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def wait_outbox_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if waiting_messages(self.bench.db) == 0:
                return True
            time.sleep(0.25)
        return False

    def close(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        for api in self.apis:
            api.stop()
        self.twilio.stop()
        self.bench.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- load ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    customers: int
    requests: int
    warmup: int
    messages: int
    waiters: int
    kill_sends: int
    registrations: int
    outage_seconds: int
    processes: int
    threads: int

    @property
    def clients(self) -> int:
        return self.processes * self.threads

    @property
    def spare(self) -> int:
        """Numbers no customer has: one per invitation any section makes."""
        per_client = self.warmup + self.requests
        return (
            self.clients * per_client
            + self.waiters
            + self.messages
            + self.kill_sends
            + self.registrations
            + 10_000  # the PostgreSQL restart's invitations and the recovery checks
        )


class Phones:
    """Hands out numbers nobody was invited at yet."""

    def __init__(self, population: Population) -> None:
        self._population = population
        self._used = 0

    def take(self, count: int) -> list[str]:
        phones = self._population.spare_phones(self._used, count)
        self._used += count
        return phones


def _per_client(phones: list[str], clients: int, each: int) -> list[list[str]]:
    return [[local_form(p) for p in phones[i * each : (i + 1) * each]] for i in range(clients)]


def _loaded(name: str, plan: loadgen.Plan, options: Options) -> tuple[list[Figure], list[float]]:
    progress(name)
    outcome = loadgen.run(plan, processes=options.processes, threads=options.threads)
    count = f"{len(outcome.latencies)} requests over both API processes"
    figures = latency_figures(name, outcome.latencies, seconds=outcome.seconds, count_note=count)
    if outcome.errors:
        detail = f"{dict(outcome.statuses)}, {outcome.first_error}"
        figures.append(Figure(name, "errors", outcome.errors, "count", "0", False, detail[:200]))
    return figures, sorted(outcome.latencies)


def _p95_target(figures: list[Figure], target: str, limit: float) -> list[Figure]:
    return [
        replace(f, target=target, met=f.value <= limit)
        if f.name == "p95" and f.value is not None
        else f
        for f in figures
    ]


def load_section(chain: Chain, population: Population, phones: Phones, o: Options) -> list[Figure]:
    base = loadgen.Plan("health", chain.ports[0], 200, o.warmup, o.requests, ports=chain.ports)
    health, health_sorted = _loaded(f"GET /health, {o.clients} clients", base, o)
    searched = population.existing_phones(o.clients * (o.warmup + o.requests), seed=5)
    plan = replace(
        base,
        kind="search",
        token=chain.token,
        phones=_per_client(searched, o.clients, o.warmup + o.requests),
    )
    search, _ = _loaded(f"GET /customers/search, {o.clients} clients", plan, o)
    limit = SEARCH_VS_HEALTH * percentile(health_sorted, 0.95) * 1000
    search = _p95_target(search, f"≤ {SEARCH_VS_HEALTH:g}× /health p95 = {limit:.1f} ms", limit)
    invited = phones.take(o.clients * (o.warmup + o.requests))
    plan = replace(
        base,
        kind="invite",
        expect=201,
        token=chain.token,
        phones=_per_client(invited, o.clients, o.warmup + o.requests),
    )
    invite, _ = _loaded(f"POST /invitations, {o.clients} clients", plan, o)
    invite = _p95_target(invite, f"≤ {INVITE_P95_TARGET_MS:g} ms", INVITE_P95_TARGET_MS)
    return health + search + invite


# --- outbox -------------------------------------------------------------------------------


def _invite_burst(chain: Chain, phones: Phones, count: int, o: Options) -> tuple[list[str], float]:
    """About ``count`` invitations (a multiple of the clients) from the load processes, each
    to a new number: those numbers, and the seconds it took."""
    each = max(1, count // o.clients)
    burst = phones.take(each * o.clients)
    plan = loadgen.Plan(
        "invite",
        chain.ports[0],
        201,
        0,
        each,
        chain.token,
        _per_client(burst, o.clients, each),
        ports=chain.ports,
    )
    started = time.perf_counter()
    outcome = loadgen.run(plan, processes=o.processes, threads=o.threads)
    if outcome.errors:
        raise RuntimeError(f"invitations not created: {outcome.statuses} {outcome.first_error}")
    return burst, time.perf_counter() - started


def _message_rows(chain: Chain, phones: list[str]) -> list[tuple[str, str, datetime]]:
    with chain.bench.db.transaction(write=False) as session:
        rows = session.execute(
            select(Message.to_address, Message.status, Message.created_at).where(
                Message.to_address.in_(phones)
            )
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


@dataclass
class Deliveries:
    """What the fake Twilio received for a set of phones (one invitation, one SMS each)."""

    sent: int
    lost: int
    duplicates: int
    failed_rows: int
    rate: float
    commit_to_provider: list[float] = field(default_factory=list)


def deliveries(chain: Chain, phones: list[str]) -> Deliveries:
    wanted = set(phones)
    arrivals = [(at, to) for at, to in chain.twilio.arrivals() if to in wanted]
    counts = Counter(to for _, to in arrivals)
    rows = _message_rows(chain, phones)
    created = {to: (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() for to, _, at in rows}
    first: dict[str, float] = {}
    for at, to in sorted(arrivals):
        first.setdefault(to, at)
    times = sorted(at for at, _ in arrivals)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return Deliveries(
        sent=len(counts),
        lost=len(wanted - set(counts)),
        duplicates=sum(c - 1 for c in counts.values()),
        failed_rows=sum(1 for _, status, _ in rows if status == "failed"),
        rate=(len(times) - 1) / span if span else 0.0,
        commit_to_provider=sorted(first[to] - created[to] for to in first if to in created),
    )


def outbox_section(chain: Chain, phones: Phones, o: Options) -> list[Figure]:
    """Two runs: invitations made while both dispatchers run (how soon each SMS leaves: the
    API's pace bounds the rate there), then a backlog made while they are stopped and sent
    when they start (how fast the two dispatchers send)."""
    section = f"outbox: {o.messages} invitations, 2 dispatchers, provider answers in 100 ms"
    progress(section)
    burst, created = _invite_burst(chain, phones, o.messages, o)
    drained = chain.wait_outbox_empty(timeout=60 + o.messages)
    got = deliveries(chain, burst)
    p95 = percentile(got.commit_to_provider, 0.95)
    progress(f"{section}: a backlog of {o.messages}, sent when the dispatchers start")
    chain.stop_dispatchers()
    backlog, _ = _invite_burst(chain, phones, o.messages, o)
    chain.start_dispatchers()
    backlog_drained = chain.wait_outbox_empty(timeout=60 + o.messages)
    sent = deliveries(chain, backlog)
    return [
        Figure(section, "invitations created", created, "s", note="8 clients, both API processes"),
        Figure(
            section,
            "messages/s at the provider, from a backlog",
            sent.rate,
            "msg/s",
            f"≥ {OUTBOX_RATE_TARGET:g}",
            sent.rate >= OUTBOX_RATE_TARGET,
            f"{len(backlog)} queued while the dispatchers were stopped; first to last received",
        ),
        Figure(
            section,
            "messages/s at the provider, as made",
            got.rate,
            "msg/s",
            note="bounded by how fast the API makes invitations",
        ),
        Figure(
            section,
            "commit → provider p95",
            p95,
            "s",
            f"≤ {COMMIT_TO_PROVIDER_P95_TARGET_S:g} s",
            p95 <= COMMIT_TO_PROVIDER_P95_TARGET_S,
            f"p50 {percentile(got.commit_to_provider, 0.5):.2f} s; from the row's created_at",
        ),
        Figure(
            section,
            "duplicates",
            got.duplicates + sent.duplicates,
            "count",
            "0",
            got.duplicates + sent.duplicates == 0,
        ),
        Figure(
            section,
            "lost (never reached the provider)",
            got.lost + sent.lost,
            "count",
            "0",
            got.lost + sent.lost == 0,
            "" if drained and backlog_drained else "the outbox did not drain in time",
        ),
    ]


# --- long-poll ----------------------------------------------------------------------------


def _hold_across(ports: list[int], token: str, ids: list[int], shared: Any) -> None:
    """The waiting counters' process: request i waits on ``ports[i % 2]``."""

    async def hold_all() -> None:
        await asyncio.gather(
            *(
                longpoll._hold_one(ports[i % len(ports)], token, i, n, shared)
                for i, n in enumerate(ids)
            )
        )

    asyncio.run(hold_all())


def longpoll_section(chain: Chain, phones: Phones, o: Options) -> list[Figure]:
    section = f"long-poll: {o.waiters} counters across the two API processes"
    progress(section)
    ids = longpoll.create_invitations(chain.ports[0], chain.token, phones.take(o.waiters))
    chain.settle_outbox()  # no dispatcher yet: nothing else changes these invitations
    context = multiprocessing.get_context("spawn")
    shared = longpoll._Shared(
        sent=context.Value("i", 0),
        returned_at=context.Array("d", o.waiters, lock=False),
        status=context.Array("i", o.waiters, lock=False),
        cancelled=context.Array("b", o.waiters, lock=False),
    )
    client = context.Process(
        target=_hold_across, args=(chain.ports, chain.token, ids, shared), daemon=True
    )
    client.start()
    try:
        deadline = time.monotonic() + 60
        while shared.sent.value < o.waiters and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(3)  # every request has done its first read and is parked
        early = sum(1 for i in range(o.waiters) if shared.returned_at[i])
        woken: list[float] = []
        samples = min(WAKE_SAMPLES, o.waiters // 4)
        for index in range(samples):
            other = chain.ports[(index + 1) % len(chain.ports)]  # not the one it waits on
            sent = time.perf_counter()
            status, _ = request(
                other, "POST", f"/api/v1/invitations/{ids[index]}/cancel", token=chain.token
            )
            returned = longpoll._wait_returned(shared, index, 10.0)
            if status == 200 and returned is not None and shared.cancelled[index]:
                woken.append(returned - sent)
        rest = list(range(samples, o.waiters))
        with chain.bench.db.transaction() as session:
            session.execute(
                update(Invitation)
                .where(Invitation.id.in_([ids[i] for i in rest]))
                .values(status="cancelled", version=Invitation.version + 1)
            )
        for index in rest:
            longpoll._wait_returned(shared, index, 30.0)
    finally:
        client.join(timeout=longpoll.WAIT_SECONDS + 10)
        if client.is_alive():
            client.kill()
    answered = sum(1 for i in range(o.waiters) if shared.status[i] == 200 and shared.cancelled[i])
    woken.sort()
    p95 = percentile(woken, 0.95) * 1000 if woken else None
    return [
        Figure(section, "returned before any change", early, "count", "0", early == 0),
        Figure(
            section,
            "answered with the new status",
            answered,
            "count",
            f"{o.waiters}",
            answered == o.waiters,
        ),
        Figure(
            section,
            "wake-up, change made through the other process, p95",
            p95,
            "ms",
            f"≤ {WAKE_P95_TARGET_MS:g} ms",
            None if p95 is None else p95 <= WAKE_P95_TARGET_MS,
            f"{len(woken)}/{samples} samples, p50 {percentile(woken, 0.5) * 1000:.0f} ms; "
            "cancel sent → waiter's reply read",
        ),
    ]


# --- faults -------------------------------------------------------------------------------


def dispatcher_kill_section(chain: Chain, phones: Phones, o: Options) -> list[Figure]:
    section = f"fault: a dispatcher SIGKILLed every {KILL_EVERY_SECONDS:g} s, {o.kill_sends} sends"
    progress(section)
    done = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        while not done.wait(KILL_EVERY_SECONDS):
            victim = chain.dispatchers[kills % len(chain.dispatchers)]
            victim.kill()
            kills += 1
            victim.start()  # systemd's Restart=always

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        burst, _ = _invite_burst(chain, phones, o.kill_sends, o)
        drained = chain.wait_outbox_empty(timeout=120 + o.kill_sends)
    finally:
        done.set()
        thread.join()
    got = deliveries(chain, burst)
    return [
        Figure(section, "kills", kills, "count"),
        Figure(
            section,
            "lost",
            got.lost,
            "count",
            "0",
            got.lost == 0,
            f"{got.failed_rows} rows failed" + ("" if drained else "; outbox not drained"),
        ),
        Figure(
            section,
            "duplicates",
            got.duplicates,
            "count",
            f"≤ 1 per kill ({kills})",
            got.duplicates <= kills,
            "counted at the fake Twilio, by phone",
        ),
    ]


def _registered(link: str, ports: list[int]) -> tuple[int, int]:
    """One customer signs up from the SMS link; a refused or cut connection is tried again
    on the other API process, as a reverse proxy (or the customer tapping again) would.
    Returns the last status and how many times it switched."""
    path = urlsplit(link).path
    browser = Phone()
    switched = 0
    status = 0
    for step in ("open", "submit"):
        for attempt in range(6):
            base = f"http://127.0.0.1:{ports[attempt % len(ports)]}"
            try:
                if step == "open":
                    status = browser.open(base + path)
                else:
                    status = browser.submit(base, "/r", **REGISTRATION)
                break
            except requests.RequestException:
                switched += 1
                time.sleep(0.2)
    return status, switched


def api_kill_section(chain: Chain, phones: Phones, o: Options) -> list[Figure]:
    section = f"fault: an API process SIGKILLed during {o.registrations} registrations"
    progress(section)
    invited, _ = _invite_burst(chain, phones, o.registrations, o)
    chain.wait_outbox_empty(timeout=60 + o.registrations)
    links = {p: chain.twilio.link_to(p) for p in invited}
    missing = [p for p, link in links.items() if link is None]
    if missing:
        raise RuntimeError(f"{len(missing)} registration SMS never reached the fake Twilio")
    finished = 0
    lock = threading.Lock()
    victim = chain.apis[0]
    killed_at = max(1, o.registrations // 3)
    kill_done = threading.Event()

    def one(index: int, phone: str) -> tuple[int, int]:
        nonlocal finished
        ports = chain.ports if index % 2 == 0 else chain.ports[::-1]
        result = _registered(links[phone] or "", ports)
        with lock:
            finished += 1
            if finished == killed_at:
                kill_done.set()
        return result

    def kill_and_restart() -> None:
        kill_done.wait()
        victim.kill()
        time.sleep(1.0)
        victim.start()

    restarter = threading.Thread(target=kill_and_restart, daemon=True)
    restarter.start()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(len(invited)), invited))
    kill_done.set()
    restarter.join()
    with chain.bench.db.transaction(write=False) as session:
        registered = session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.phone.in_(invited), Invitation.status == "registered")
        )
        customers = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.phone.in_(invited))
        )
        referrals = session.scalar(
            select(func.count())
            .select_from(Referral)
            .join(Customer, Customer.id == Referral.customer_id)
            .where(Customer.phone.in_(invited))
        )
    statuses = Counter(status for status, _ in results)
    switched = sum(s for _, s in results)
    n = len(invited)
    return [
        Figure(
            section,
            "registrations recorded",
            registered or 0,
            "count",
            f"{n}",
            registered == n,
            f"last statuses {dict(statuses)}; {switched} requests retried on the other process",
        ),
        Figure(section, "members (customers with those phones)", customers or 0, "count", f"{n}"),
        Figure(
            section,
            "referrals bound",
            referrals or 0,
            "count",
            f"{n}, once each",
            referrals == n and customers == n,
        ),
    ]


@dataclass
class _Hit:
    at: float
    port: int
    method: str
    path: str
    status: int  # 0: no HTTP answer (connection refused or cut)
    retry_after: bool
    detail: str
    phone: str = ""  # an invitation's number (E.164), none for a search

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status < 300


def _hammer(port: int, token: str, phones: list[str], stop: threading.Event) -> list[_Hit]:
    """Searches and invitations back to back on one keep-alive connection."""
    hits: list[_Hit] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for index, phone in enumerate(phones):
        if stop.is_set():
            break
        invite = index % 4 == 1  # one request in four makes an invitation (and an SMS)
        if invite:
            method, path, body = "POST", "/api/v1/invitations", {"phone": local_form(phone)}
            extra = {"Idempotency-Key": f"pg-restart-{phone}"}
        else:
            method, path, body, extra = (
                "GET",
                f"/api/v1/customers/search?phone={quote(phone)}",
                None,
                {},
            )
        try:
            conn.request(
                method,
                path,
                body=json.dumps(body).encode() if body else None,
                headers=headers | extra,
            )
            reply = conn.getresponse()
            raw = reply.read()
            status, retry_after = reply.status, reply.getheader("Retry-After") is not None
            detail = raw[:160].decode(errors="replace")
        except OSError as error:
            status, retry_after, detail = 0, False, repr(error)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.05)
        hits.append(
            _Hit(
                time.monotonic(),
                port,
                method,
                path.split("?")[0],
                status,
                retry_after,
                detail,
                phone if invite else "",
            )
        )
    conn.close()
    return hits


def pg_restart_section(chain: Chain, phones: Phones, o: Options) -> list[Figure]:
    section = f"fault: PostgreSQL stopped for {o.outage_seconds} s under load, then started"
    progress(section)
    cluster = chain.bench.cluster
    assert cluster is not None
    stop = threading.Event()
    clients = 4
    pools = [phones.take(2000) for _ in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        futures = [
            pool.submit(_hammer, chain.ports[i % 2], chain.token, pools[i], stop)
            for i in range(clients)
        ]
        time.sleep(3)
        cluster.pause()
        time.sleep(o.outage_seconds)
        cluster.resume()
        up = time.monotonic()
        chain.bench.db.engine.dispose()  # the bench's own connections died with the server
        time.sleep(10)
        stop.set()
        hits = [hit for future in futures for hit in future.result()]
    ok = [h for h in hits if h.succeeded]
    unavailable = [h for h in hits if h.status == 503 and h.retry_after]
    other = [h for h in hits if not h.succeeded and not (h.status == 503 and h.retry_after)]
    recovered = {
        port: min((h.at - up for h in ok if h.port == port and h.at > up), default=None)
        for port in chain.ports
    }
    tail = [h for h in hits if h.at > up + 5]
    findings = "; ".join(
        f"{h.method} {h.path} → {h.status or 'no answer'} {h.detail[:80]}" for h in other[:3]
    )
    # The dispatchers too: every accepted invitation's SMS reaches the provider, once; a
    # refused one sends none.
    accepted = [h.phone for h in ok if h.phone]
    refused = [h.phone for h in hits if h.phone and not h.succeeded]
    drained = chain.wait_outbox_empty(timeout=60 + len(accepted))
    after = deliveries(chain, accepted)
    stray = deliveries(chain, refused).sent if refused else 0
    slowest = max((v for v in recovered.values() if v is not None), default=None)
    return [
        Figure(section, "requests", len(hits), "count", note="searches, 1 in 4 an invitation"),
        Figure(section, "succeeded", len(ok), "count"),
        Figure(section, "503 with Retry-After", len(unavailable), "count"),
        Figure(
            section,
            "anything else (findings)",
            len(other),
            "count",
            "0",
            not other,
            findings,
        ),
        Figure(
            section,
            "first success after the restart, slowest API process",
            slowest,
            "s",
            note=", ".join(
                f"port {p}: {v:.2f} s" if v is not None else f"port {p}: never"
                for p, v in recovered.items()
            ),
        ),
        Figure(
            section,
            "requests after restart + 5 s not succeeded",
            sum(1 for h in tail if not h.succeeded),
            "count",
            "0",
            all(h.succeeded for h in tail),
            f"of {len(tail)}",
        ),
        Figure(
            section,
            f"accepted invitations' SMS lost, after the restart ({len(accepted)})",
            after.lost,
            "count",
            "0",
            after.lost == 0,
            f"{after.duplicates} duplicates" + ("" if drained else "; outbox not drained"),
        ),
        Figure(
            section,
            f"refused invitations that sent an SMS anyway ({len(refused)})",
            stray,
            "count",
            "0",
            stray == 0,
        ),
    ]


# --- main ---------------------------------------------------------------------------------


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.chain", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of every proof")
    for name, text in SIZES.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            help=f"{text} ({FULL[name]:,}; quick {QUICK[name]:,})",
        )
    parser.add_argument("--processes", type=int, default=2, help="load processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="client threads in each (4)")
    parser.set_defaults(db="postgresql")  # the chain runs on PostgreSQL only
    args = parser.parse_args(argv)
    chosen, _ = chosen_settings(args, FULL, QUICK)
    return Options(processes=args.processes, threads=args.threads, **chosen)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    longpoll.raise_open_files_limit(options.waiters * 2 + 1024)
    print_preamble()
    population = Population.draw(options.customers, options.spare)
    phones = Phones(population)
    began = time.perf_counter()
    figures: list[Figure] = []
    chain = Chain.start(population)
    try:
        figures += load_section(chain, population, phones, options)
        chain.settle_outbox()
        figures += longpoll_section(chain, phones, options)
        chain.start_dispatchers()
        figures += outbox_section(chain, phones, options)
        figures += dispatcher_kill_section(chain, phones, options)
        figures += api_kill_section(chain, phones, options)
        figures += pg_restart_section(chain, phones, options)
    finally:
        chain.close()
    seconds = time.perf_counter() - began
    title = (
        f"Chain on PostgreSQL: 2 API processes, 2 dispatchers, fake Twilio at 100 ms; "
        f"{options.customers:,} customers; {options.clients} clients"
    )
    print(format_table(title, figures))
    path = write_json("chain", {"options": asdict(options), "seconds": seconds}, figures)
    print(
        f"\n({seconds:.0f} s; load average now {os.getloadavg()[0]:.2f}; written to {path})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
