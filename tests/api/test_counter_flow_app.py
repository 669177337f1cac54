"""The app's counter flow (no screen) driving the real backend, the customer on a phone."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.flows import counter as f
from omo_desktop.flows.pending import PendingSignUp, PendingSignUps
from omo_desktop.flows.runner import deliver, execute, is_backend
from tests.support.backend import LiveBackend, Phone, register_on_phone
from tests.support.postgres import free_port


@dataclass
class Counter:
    """What the app shell does with the flow's commands, run here one after another."""

    client: OmoClient
    pending: PendingSignUps
    flow: f.CounterFlow = field(default_factory=f.CounterFlow)
    follows: deque[f.Command] = field(default_factory=deque)
    later: list[f.RetryLater] = field(default_factory=list)
    logged_out: bool = False

    def run(self, commands: list[f.Command]) -> None:
        queue = deque(commands)
        while queue:
            command = queue.popleft()
            if isinstance(command, f.FollowInvitation | f.FollowBinding):
                self.follows.append(command)  # a long-poll: answered when something changes
            elif isinstance(command, f.KeepPendingSignUp):
                self.pending.keep(PendingSignUp(command.phone, command.key))
            elif isinstance(command, f.ForgetPendingSignUp):
                self.pending.forget(command.key)
            elif isinstance(command, f.RetryLater):
                self.later.append(command)
            elif isinstance(command, f.LogOut):
                self.logged_out = True
            elif is_backend(command):
                try:
                    answer = execute(self.client, command)  # type: ignore[arg-type]
                except ApiError as error:
                    queue.extend(self.flow.failed(command, error))
                else:
                    queue.extend(deliver(self.flow, command, answer))  # type: ignore[arg-type]

    def follow(self) -> None:
        """Let the waiting long-polls answer (the customer has just done something)."""
        waiting, self.follows = list(self.follows), deque()
        for command in waiting:
            answer = execute(self.client, command, wait=5)  # type: ignore[arg-type]
            self.run(deliver(self.flow, command, answer))  # type: ignore[arg-type]


def counter_for(backend: LiveBackend, tmp_path: Path, base_url: str | None = None) -> Counter:
    client = OmoClient(base_url or backend.base_url, retries=0)
    if base_url is None:
        client.enroll(backend.enrollment_code(), "Counter 1")
        client.login("1001", "123456")
    return Counter(client, PendingSignUps(tmp_path / "pending.json"))


def test_nobody_found_signs_up_and_the_counter_sees_it_done(backend: LiveBackend, tmp_path: Path):
    backend.add_store()
    backend.add_staff()
    counter = counter_for(backend, tmp_path)
    counter.run(counter.flow.confirm_search("0912 345 678"))
    assert isinstance(counter.flow.state, f.NobodyFound)

    counter.run(counter.flow.sign_up())
    assert isinstance(counter.flow.state, f.SmsSent)
    assert counter.pending.all() == [], "answered taps are not kept"
    counter.run(counter.flow.sms_received())
    assert isinstance(counter.flow.state, f.FollowingRegistration)

    register_on_phone(backend, "+886912345678")
    while not isinstance(counter.flow.state, f.Registered):
        counter.follow()
    assert counter.flow.state.invitation.customer_id is not None


def test_a_past_buyer_is_offered_sign_up(backend: LiveBackend, tmp_path: Path):
    backend.add_store()
    backend.add_staff()
    counter = counter_for(backend, tmp_path)
    counter.client.record_order(schemas.OrderCreate(name="張志豪", phone="0955666777", amount=9))
    counter.run(counter.flow.confirm_search("0955666777"))
    state = counter.flow.state
    assert isinstance(state, f.CustomerFound)
    assert state.customer.is_member is False
    counter.run(counter.flow.sign_up())
    assert isinstance(counter.flow.state, f.SmsSent)
    counter.run(counter.flow.check_again())
    assert counter.flow.state == f.Searching(by=f.SearchBy.PHONE, text="0955666777")
    assert len(backend.messages_to("+886955666777")) == 1, "check again sent nothing more"


def test_a_member_gets_a_qr_code_and_the_counter_sees_the_scan(
    backend: LiveBackend, tmp_path: Path
):
    backend.add_store()
    backend.add_staff()
    counter = counter_for(backend, tmp_path)
    counter.run(counter.flow.confirm_search("0912345678"))
    counter.run(counter.flow.sign_up())
    register_on_phone(backend, "+886912345678")

    counter.run(counter.flow.back_to_search())
    counter.run(counter.flow.confirm_search("0912345678"))
    counter.run(counter.flow.bind_now())
    state = counter.flow.state
    assert isinstance(state, f.Binding)
    Phone(backend).open(state.qr_url)
    counter.follow()
    state = counter.flow.state
    assert isinstance(state, f.Binding)
    assert state.binding.status.value == "scanned"

    counter.run(counter.flow.cant_scan())
    counter.run(counter.flow.cant_scan())
    binding_sms = [m for m in backend.messages_to("+886912345678") if "/b/" in m["body"]]
    assert len(binding_sms) == 1


def test_a_sign_up_tapped_offline_is_sent_once_after_a_restart(
    backend: LiveBackend, tmp_path: Path
):
    backend.add_store()
    backend.add_staff()
    offline = counter_for(backend, tmp_path, base_url=f"http://127.0.0.1:{free_port()}")
    offline.client.session_token = "unused"
    offline.flow = f.CounterFlow(state=f.NobodyFound("0912345678"))
    offline.run(offline.flow.sign_up())
    assert isinstance(offline.flow.state, f.WaitingForBackend)
    [kept] = offline.pending.all()
    assert offline.later[0].command.key == kept.key

    # The app restarts; the backend is back. The kept tap goes out with its own key — twice
    # here, as a retry racing the resume would — and the customer gets one SMS.
    restarted = counter_for(backend, tmp_path)
    for pending in restarted.pending.all():
        restarted.run(restarted.flow.resume_pending(pending.phone, pending.key))
        restarted.run([f.SendInvitation(pending.phone, pending.key)])
    assert isinstance(restarted.flow.state, f.SmsSent)
    assert restarted.pending.all() == []
    assert len(backend.messages_to("+886912345678")) == 1
