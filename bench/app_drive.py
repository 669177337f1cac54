"""The app bench's app process: ``python -m bench.app_drive < config.json`` (bench/app.py runs it).

One process holding only the counter app (built by ``omo_desktop.app.build`` on an enrolled
device, offscreen) and this driver, so its memory is the app's own: the backend runs in another
process, and so does the customer's phone (bench/app_phone.py). Staff's taps are real mouse
events on the real widgets (``QTest.mouseClick``), as in tests/gui/test_counter_app.py.

Reads one JSON object on stdin (see ``Config``), writes progress lines on stderr and one JSON
object of raw figures on stdout, then exits without waiting for any long-poll still open.

Two measures run on the UI thread itself:

- a ``QTimer`` every 5 ms (``Qt.PreciseTimer``): each tick's lateness (gap − 5 ms) is time the
  UI thread could not run the event loop, tagged with the step the driver was in;
- Confirm → result: from the mouse click on Confirm until the customer page has been painted
  (the event loop returned from the update in which that page got its paint event).

The driver only waits in ``processEvents(WaitForMoreEvents)`` (the 5 ms timer wakes it), so its
own Python does not hold the UI thread while the app works.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import queue
import subprocess
import sys
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from backend_client.client import OmoClient
from bench.report import own_memory
from omo_desktop.app import App, build, parse_args
from omo_desktop.flows import counter as f
from omo_desktop.shell import Shell

ROOT = Path(__file__).resolve().parent.parent
TICK_MS = 5
STEP_TIMEOUT_S = 30.0


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')}   app: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Config:
    device: dict[str, Any]  # DeviceCredentials' fields
    staff_code: str
    pin: str
    new_number: str  # local form, nobody has it
    past_buyer: str
    member: str
    confirm_phones: list[str]  # local form; the first ``warmup`` are not timed
    warmup: int
    floor_phones: list[str]  # other customers, searched through the app's client alone
    profile: bool  # cProfile the UI thread during the three paths


# --- the UI thread's clocks -----------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """One gap between ticks: how late it ended, and what the UI thread did meanwhile."""

    late_ms: float  # gap − 5 ms
    step: str
    cpu_ms: float  # the UI thread on a CPU during the gap (its own work, any thread's GIL aside)
    runqueue_ms: float  # runnable but waiting for a CPU (other processes, other threads)


def _schedstat() -> tuple[float, float]:
    """The calling thread's CPU time and run-queue wait so far, in ms (Linux schedstat)."""
    with open("/proc/thread-self/schedstat") as stat:
        run_ns, wait_ns, _ = stat.read().split()
    return int(run_ns) / 1e6, int(wait_ns) / 1e6


class StallMeter(QObject):
    """A 5 ms timer on the UI thread; each tick's lateness, tagged with the current step.

    Each gap is split by the kernel's schedstat for the UI thread: time on a CPU (the app's
    own work, or Qt's), and time runnable but not scheduled (the machine was busy: on a
    2-core bench box, the server hashing a password). The rest of a late gap is waiting, for
    the GIL or in a blocking call.
    """

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.phase = ""  # ticks outside a phase are not kept (set-up, the driver's own checks)
        self.step = ""
        self.last = time.perf_counter()
        self._sched = _schedstat()
        self.ticks = 0
        self.samples: dict[str, list[Tick]] = defaultdict(list)

    def start(self) -> None:
        self.last = time.perf_counter()
        self._sched = _schedstat()
        self.timer.start()

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.step = f"{phase}: before its first step"
        self.last = time.perf_counter()  # a gap that began before the phase is not its own
        self._sched = _schedstat()

    def _tick(self) -> None:
        now = time.perf_counter()
        sched = _schedstat()
        late = now - self.last - TICK_MS / 1000
        cpu, runqueue = sched[0] - self._sched[0], sched[1] - self._sched[1]
        self.last, self._sched = now, sched
        self.ticks += 1
        if self.phase:
            self.samples[self.phase].append(Tick(max(0.0, late) * 1000, self.step, cpu, runqueue))

    def summary(self, phase: str) -> dict[str, Any]:
        samples = self.samples.get(phase, [])
        if not samples:
            return {"ticks": 0}
        ordered = sorted(t.late_ms for t in samples)
        worst = max(samples, key=lambda t: t.late_ms)
        busiest = max(samples, key=lambda t: t.cpu_ms)
        per_step: dict[str, float] = {}
        for tick in samples:
            per_step[tick.step] = max(per_step.get(tick.step, 0.0), tick.late_ms)
        top = sorted(samples, key=lambda t: t.late_ms, reverse=True)[:8]
        return {
            "ticks": len(samples),
            "max": asdict(worst),
            "max_ms": worst.late_ms,
            "max_step": worst.step,
            "most_cpu": asdict(busiest),
            "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "p50_ms": ordered[len(ordered) // 2],
            "over_16ms": sum(1 for late in ordered if late > 16),
            "per_step_max_ms": per_step,
            "top": [asdict(t) for t in top],
        }


class RenderClock:
    """How long ``CounterView.render`` takes per state drawn (its slot, timed in place)."""

    def __init__(self, shell: Shell) -> None:
        controller = shell.controller
        assert controller is not None
        self._controller = controller
        self._render = shell.counter.view.render
        self.times: dict[str, list[float]] = defaultdict(list)
        controller.state_changed.disconnect(self._render)
        controller.state_changed.connect(self._timed)

    def _timed(self, state: f.State) -> None:
        began = time.perf_counter()
        self._render(state)
        name = type(state).__name__
        detail = getattr(getattr(state, "binding", None), "status", None) or getattr(
            getattr(state, "invitation", None), "status", None
        )
        if detail is not None:
            name += f" ({detail.value})"
        self.times[name].append((time.perf_counter() - began) * 1000)

    def stop(self) -> None:
        self._controller.state_changed.disconnect(self._timed)
        self._controller.state_changed.connect(self._render)

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            name: {"count": len(values), "max_ms": max(values), "total_ms": sum(values)}
            for name, values in self.times.items()
        }


def _profile_text(profiler: cProfile.Profile, lines: int = 30) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    text = out.getvalue().replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
    return text[text.find("   ncalls") :]


class PaintWatch(QObject):
    """The first paint event of an armed widget (a page of the counter)."""

    def __init__(self, *pages: QWidget) -> None:
        super().__init__()
        self.armed: QWidget | None = None
        self.painted_at: float | None = None
        for page in pages:
            page.installEventFilter(self)

    def arm(self, page: QWidget) -> None:
        self.armed = page
        self.painted_at = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.armed and event.type() == QEvent.Type.Paint:
            self.painted_at = time.perf_counter()
            self.armed = None
        return False


# --- the customer's phone, in its own process -----------------------------------------------


class PhoneProcess:
    """bench/app_phone.py; answers are read on a thread so waiting never blocks the UI thread."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.app_phone"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answers: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, name="phone-reader", daemon=True).start()
        self.ready = self._answers.get(timeout=30)  # it has imported requests

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(json.loads(line))

    def send(self, **command: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()

    def answer(self) -> dict[str, Any] | None:
        try:
            return self._answers.get_nowait()
        except queue.Empty:
            return None

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)


# --- staff at the counter -------------------------------------------------------------------


class Driver:
    def __init__(self, app: App, meter: StallMeter) -> None:
        self.qt = app.qt
        self.shell: Shell = app.shell
        self.meter = meter

    @property
    def view(self) -> QWidget:
        return self.shell.counter.view

    def step(self, name: str) -> None:
        """A new step: the gap in progress is closed by a tick under the step it belongs to."""
        self.settle()
        self.meter.step = name

    def screen(self) -> str:
        return self.shell.counter.view.current_screen_name()

    def state(self) -> f.State:
        assert self.shell.controller is not None
        return self.shell.controller.state

    def wait_until(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{what}: not within {STEP_TIMEOUT_S:g} s (page {self.shell.page()}, "
                    f"screen {self.screen()!r}, state {type(self.state()).__name__})"
                )
            self.qt.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def wait_screen(self, name: str) -> None:
        self.wait_until(lambda: self.screen() == name, f"screen {name}")

    def button(self, parent: QWidget, name: str) -> QPushButton:
        found = [b for b in parent.findChildren(QPushButton, name) if b.isVisible()]
        if len(found) != 1:
            raise RuntimeError(f"{len(found)} visible buttons named {name!r}")
        return found[0]

    def settle(self) -> None:
        """Let the event loop run two ticks, as between a person's taps (and paint)."""
        ticks = self.meter.ticks + 2
        self.wait_until(lambda: self.meter.ticks >= ticks, "a tick")

    def click(self, widget: QWidget) -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.settle()

    def tap(self, parent: QWidget, name: str) -> None:
        button = self.button(parent, name)
        self.wait_until(button.isEnabled, f"{name} enabled")
        self.click(button)

    def type_on_numpad(self, parent: QWidget, field_name: str, digits: str) -> None:
        field = next(w for w in parent.findChildren(QLineEdit, field_name) if w.isVisible())
        self.click(field)  # the tap gives the field its pad
        self.wait_until(field.hasFocus, f"{field_name} focused")
        pad = next(p for p in parent.findChildren(QWidget, "numpad") if p.isVisible())
        for key in digits:
            key_button = pad.findChild(QPushButton, f"numpad_{key}")
            assert key_button is not None
            self.click(key_button)

    def search(self, label: str, number: str) -> None:
        self.step(f"{label}: type the number")
        self.wait_screen("search")
        field = next(w for w in self.view.findChildren(QLineEdit, "search_field") if w.isVisible())
        field.clear()
        self.type_on_numpad(self.view, "search_field", number)
        self.step(f"{label}: Confirm → customer")
        self.tap(self.view, "confirm")
        self.wait_screen("customer")

    def phone_does(self, device: PhoneProcess, what: str, **command: str) -> None:
        device.send(**command)
        answers: list[dict[str, Any]] = []

        def answered() -> bool:
            got = device.answer()
            if got is not None:
                answers.append(got)
            return bool(answers)

        self.wait_until(answered, what)
        if not answers[0]["ok"] or answers[0]["status"] != 200:
            raise RuntimeError(f"{what}: the phone got {answers[0]}")


def log_in(d: Driver, staff_code: str, pin: str) -> None:
    login = d.shell.login
    d.step("log in: type the staff code and PIN")
    d.type_on_numpad(login, "staff_code", staff_code)
    d.type_on_numpad(login, "pin", pin)
    d.step("log in: Log in → counter")
    d.tap(login, "primary")
    d.wait_until(lambda: d.shell.page() == "counter", "log-in")
    d.wait_screen("search")


def sign_up_by_sms(d: Driver, phone: PhoneProcess, label: str, number: str) -> None:
    """Nobody found, or a past buyer: Sign up → SMS received → the phone registers → done."""
    base_url = d.shell.credentials.backend_url if d.shell.credentials else ""
    d.search(label, number)
    d.step(f"{label}: Sign up → SMS prompt")
    d.tap(d.view, "sign_up")
    d.wait_screen("sms_prompt")
    d.step(f"{label}: SMS received → following")
    d.tap(d.view, "sms_received")
    d.wait_screen("following")
    d.step(f"{label}: the phone registers → success")
    d.phone_does(phone, "registration", do="register", base_url=base_url, phone=number)
    d.wait_screen("success")
    d.step(f"{label}: Done → search")
    d.tap(d.view, "done")
    d.wait_screen("search")


def bind_by_qr(d: Driver, phone: PhoneProcess, label: str, number: str) -> None:
    """A member: Bind now → the QR code → the phone scans, signs in, confirms → done."""
    base_url = d.shell.credentials.backend_url if d.shell.credentials else ""
    d.search(label, number)
    d.step(f"{label}: Bind now → QR code")
    d.tap(d.view, "bind_now")
    d.wait_screen("binding")
    state = d.state()
    assert isinstance(state, f.Binding)
    d.step(f"{label}: the phone scans → scanned")
    d.phone_does(phone, "scan", do="open", url=state.qr_url)

    def scanned() -> bool:
        now = d.state()
        return isinstance(now, f.Binding) and now.binding.status.value == "scanned"

    d.wait_until(scanned, "scanned on screen")
    d.step(f"{label}: the member signs in and confirms → success")
    d.phone_does(phone, "sign in", do="bind", base_url=base_url, identifier=number)
    d.wait_screen("success")
    d.step(f"{label}: Done → search")
    d.tap(d.view, "done")
    d.wait_screen("search")


def confirm_to_result(d: Driver, phones: list[str], warmup: int) -> dict[str, Any]:
    """Per search: click, answer on the UI thread, render, paint; then New search."""
    view = d.shell.counter.view
    search, customer = view.search, view.customer
    watch = PaintWatch(search, customer)
    controller = d.shell.controller
    assert controller is not None
    drawn: list[float] = []

    def on_state(state: object) -> None:
        # Connected after the view's render: runs once render() has returned.
        if isinstance(state, f.CustomerFound | f.NobodyFound) and not state.busy:
            drawn.append(time.perf_counter())

    controller.state_changed.connect(on_state)
    # The search's HTTP call as the app's worker makes it: the client's method is wrapped on
    # this one instance (a measurement only; the flow and the worker are the app's own).
    client = d.shell.client
    assert client is not None
    calls: list[tuple[float, float]] = []
    search_customers = client.search_customers

    def timed_search(**query: Any) -> Any:
        began = time.perf_counter()
        try:
            return search_customers(**query)
        finally:
            calls.append((began, time.perf_counter()))

    client.search_customers = timed_search  # type: ignore[method-assign]
    timings: dict[str, list[float]] = defaultdict(list)
    not_found = 0
    for index, number in enumerate(phones):
        d.step("search loop: Confirm → customer")
        d.wait_screen("search")
        search.field.setText(number)  # as typed: the numpad is timed in the flows
        drawn.clear()
        calls.clear()
        watch.arm(customer)
        began = time.perf_counter()
        QTest.mouseClick(search.confirm, Qt.MouseButton.LeftButton)
        clicked = time.perf_counter()
        d.wait_until(lambda: watch.painted_at is not None, "customer painted")
        ended = time.perf_counter()
        if not isinstance(d.state(), f.CustomerFound):
            not_found += 1
        if index >= warmup:
            answered = drawn[0] if drawn else ended
            sent, replied = calls[0] if calls else (clicked, answered)
            timings["total"].append(ended - began)
            timings["click"].append(clicked - began)
            timings["to_request"].append(sent - began)
            timings["request"].append(replied - sent)
            timings["to_drawn"].append(answered - replied)
            timings["drawn_to_painted"].append(ended - answered)
        elif index == 0:
            timings["first"].append(ended - began)
        d.step("search loop: New search → search")
        watch.arm(search)
        QTest.mouseClick(customer.new_search, Qt.MouseButton.LeftButton)
        d.wait_until(lambda: watch.painted_at is not None, "search painted")
    controller.state_changed.disconnect(on_state)
    client.search_customers = search_customers  # type: ignore[method-assign]
    return {**{k: [v * 1000 for v in vs] for k, vs in timings.items()}, "not_found": not_found}


def client_floor(d: Driver, phones: list[str]) -> list[float]:
    """The same searches through the app's own client (requests + pydantic), no Qt, serial."""
    shell = d.shell
    assert shell.client is not None
    assert shell.credentials is not None
    client = OmoClient(
        shell.credentials.backend_url,
        device_token=shell.credentials.device_token,
        session_token=shell.client.session_token,
    )
    latencies = []
    try:
        for number in phones:
            began = time.perf_counter()
            client.search_customers(phone=number)
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        client.close()
    return latencies


class _BenchKeyring:
    """The enrolled device's credentials, as the OS keyring would hand them to the app."""

    @staticmethod
    def install(raw: str) -> None:
        import keyring
        from keyring.backend import KeyringBackend

        class OneDevice(KeyringBackend):
            priority = 1

            def get_password(self, service: str, username: str) -> str | None:
                return raw

            def set_password(self, service: str, username: str, password: str) -> None:
                raise NotImplementedError

            def delete_password(self, service: str, username: str) -> None:
                raise NotImplementedError

        keyring.set_keyring(OneDevice())  # type: ignore[no-untyped-call]


def run(config: Config) -> dict[str, Any]:
    result: dict[str, Any] = {"memory": {}}
    _BenchKeyring.install(json.dumps(config.device))
    data_dir = Path.cwd() / "app-data"  # the folder bench/app.py made for this run
    app = build(parse_args(["--locale", "en", "--data-dir", str(data_dir)]))
    meter = StallMeter()
    meter.start()  # also what wakes the driver's waits
    d = Driver(app, meter)
    d.wait_until(lambda: d.shell.page() == "login" and d.shell.client is not None, "log-in page")
    d.settle()  # the window's first paint belongs to the start, not to the log-in
    result["memory"]["log-in page"] = own_memory()

    phone = PhoneProcess()
    progress("log in")
    meter.enter("log in")
    log_in(d, config.staff_code, config.pin)
    meter.enter("")
    result["memory"]["logged in"] = own_memory()

    progress("the three paths: new number, past buyer, member")
    began = time.perf_counter()
    renders = RenderClock(d.shell)
    profiler = cProfile.Profile() if config.profile else None
    meter.enter("flows")
    if profiler is not None:
        profiler.enable()  # this thread only: the UI thread
    sign_up_by_sms(d, phone, "new number", config.new_number)
    sign_up_by_sms(d, phone, "past buyer", config.past_buyer)
    bind_by_qr(d, phone, "member", config.member)
    if profiler is not None:
        profiler.disable()
    meter.enter("")
    result["renders"] = renders.summary()
    renders.stop()
    if profiler is not None:
        result["profile"] = _profile_text(profiler)
    result["flows_seconds"] = time.perf_counter() - began
    result["memory"]["after the three paths"] = own_memory()
    phone.close()

    progress(f"the app's client alone: {len(config.floor_phones)} searches")
    result["client_floor_ms"] = client_floor(d, config.floor_phones)
    count = len(config.confirm_phones)
    progress(f"Confirm → result: {count} searches ({config.warmup} warm-up)")
    meter.enter("search loop")
    result["confirm"] = confirm_to_result(d, config.confirm_phones, config.warmup)
    meter.enter("")
    result["memory"]["after the searches"] = own_memory()

    result["stalls"] = {phase: meter.summary(phase) for phase in ("log in", "flows", "search loop")}
    meter.timer.stop()
    return result


def main() -> int:
    config = Config(**json.loads(sys.stdin.read()))
    try:
        result = run(config)
    except Exception as exc:
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result), flush=True)
    # As the app's main() does: a long-poll may still hold a worker; don't wait for it.
    os._exit(0 if "error" not in result else 1)


if __name__ == "__main__":
    sys.exit(main())
