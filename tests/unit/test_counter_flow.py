"""The counter flow, tap by tap, without a screen or a network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend_client import schemas
from backend_client.errors import (
    AlreadyMemberError,
    OfflineError,
    RateLimitedError,
    UnauthorizedError,
)
from omo_desktop.flows import counter as f
from omo_desktop.flows.pending import PendingSignUp, PendingSignUps

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STORE = schemas.StoreOut(
    id=1, code="TPE01", name="台北總店", locale="zh_TW", timezone="Asia/Taipei"
)
AMY = schemas.StaffOut(id=1, code="1001", name="Amy", role=schemas.Role.STAFF)


def customer(*, member: bool, cid: int = 7) -> schemas.CustomerSummary:
    return schemas.CustomerSummary(
        id=cid,
        name="陳美玲",
        phone_masked="+886 9•••••678",
        email_masked=None,
        is_member=member,
        line_bound=False,
        level=None,
        points=0,
        source="pos",
        referral=None,
        created_at=NOW,
        orders_count=1,
    )


def invitation(status: str, iid: int = 3) -> schemas.Invitation:
    return schemas.Invitation(
        id=iid,
        status=schemas.InvitationStatus(status),
        phone_masked="+886 9•••••678",
        expires_at=NOW + timedelta(hours=2),
        created_at=NOW,
        store=STORE,
        staff=AMY,
    )


def binding(status: str, qr: str | None = "http://x/b/token") -> schemas.Binding:
    return schemas.Binding(
        id=5,
        status=schemas.BindingStatus(status),
        customer_id=7,
        qr_url=qr,
        expires_at=NOW + timedelta(minutes=10),
        created_at=NOW,
        phone_masked="+886 9•••••678",
    )


def found(*items: schemas.CustomerSummary) -> schemas.CustomerSearchResult:
    return schemas.CustomerSearchResult(items=list(items), total=len(items))


def test_nobody_found_signs_up_and_is_followed_to_registered():
    flow = f.CounterFlow()
    assert flow.confirm_search(" 0912 345 678 ") == [f.Search(phone="0912 345 678")]
    assert flow.searched(found()) == []
    assert flow.state == f.NobodyFound(phone="0912 345 678")

    keep, send = flow.sign_up()
    assert isinstance(keep, f.KeepPendingSignUp)
    assert isinstance(send, f.SendInvitation)
    assert keep.key == send.key, "the tap is kept with the key it is sent with"
    assert send.phone == "0912 345 678"
    assert flow.sign_up() == [], "a second tap while sending sends nothing"

    assert flow.invitation_sent(invitation("sent"), send.key) == [
        f.ForgetPendingSignUp(send.key),
        f.FollowInvitation(3, schemas.InvitationStatus.SENT),
    ]
    assert isinstance(flow.state, f.SmsSent)

    assert flow.sms_received() == [
        f.MarkReceived(3),
        f.FollowInvitation(3, schemas.InvitationStatus.SENT),
    ]
    assert flow.invitation_changed(invitation("opened")) == [
        f.FollowInvitation(3, schemas.InvitationStatus.OPENED)
    ]
    assert flow.invitation_changed(invitation("registered")) == []
    assert isinstance(flow.state, f.Registered)


def test_a_sign_up_tapped_offline_waits_and_is_sent_once_with_its_key():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    assert isinstance(send, f.SendInvitation)

    retry = flow.failed(send, OfflineError("offline", "down"))
    assert retry == [f.RetryLater(send, f.OFFLINE_RETRY_SECONDS)]
    assert flow.state == f.WaitingForBackend("0912345678", send.key)

    # The retry is the same command with the same key: the backend replays, never sends twice.
    assert flow.invitation_sent(invitation("queued"), send.key)[0] == f.ForgetPendingSignUp(
        send.key
    )
    assert isinstance(flow.state, f.SmsSent)


def test_check_again_cancels_and_puts_the_number_back_without_resending():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    flow.invitation_sent(invitation("sent"), send.key)  # type: ignore[union-attr]
    assert flow.check_again() == [f.CancelInvitation(3)]
    assert flow.state == f.Searching(by=f.SearchBy.PHONE, text="0912345678")


def test_a_refused_sign_up_says_why_and_keeps_the_number():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    limited = RateLimitedError("rate_limited", "This number was sent 3 messages", retry_after=420)
    assert flow.failed(send, limited) == [f.ForgetPendingSignUp(send.key)]  # type: ignore[union-attr]
    assert flow.state == f.NobodyFound("0912345678", busy=False, error=limited)


def test_someone_registering_meanwhile_turns_sign_up_into_a_new_search():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    member = AlreadyMemberError("already_member", "member", details={"customer_id": 7})
    commands = flow.failed(send, member)  # type: ignore[arg-type]
    assert commands == [f.ForgetPendingSignUp(send.key), f.Search(phone="0912345678")]  # type: ignore[union-attr]
    flow.searched(found(customer(member=True)))
    assert flow.bind_now() == [f.StartBinding(7)]


def test_a_past_buyer_found_by_name_needs_the_phone_to_sign_up():
    flow = f.CounterFlow()
    flow.switch_search(f.SearchBy.EMAIL_OR_NAME)
    assert flow.confirm_search("陳美玲") == [f.Search(name="陳美玲")]
    assert flow.confirm_search("陳美玲") == [], "a second Confirm while searching is ignored"
    flow.searched(found())
    flow.switch_search(f.SearchBy.EMAIL_OR_NAME)
    assert flow.confirm_search("mei@example.com") == [f.Search(email="mei@example.com")]
    flow.searched(found(customer(member=False)))
    assert flow.sign_up() == []
    assert isinstance(flow.state, f.CustomerFound)
    assert flow.state.error is f.PHONE_NEEDED


def test_several_matches_give_a_choice():
    flow = f.CounterFlow()
    flow.switch_search(f.SearchBy.EMAIL_OR_NAME)
    flow.confirm_search("陳")
    flow.searched(found(customer(member=True, cid=1), customer(member=False, cid=2)))
    assert isinstance(flow.state, f.Choosing)
    flow.choose(flow.state.matches[1])
    assert flow.state == f.CustomerFound(customer(member=False, cid=2))


def test_bind_now_follows_the_customer_and_sms_goes_once_per_tap():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found(customer(member=True)))
    assert flow.bind_now() == [f.StartBinding(7)]
    assert flow.bind_now() == [], "no second binding while the first starts"
    assert flow.binding_started(binding("pending")) == [
        f.FollowBinding(5, schemas.BindingStatus.PENDING)
    ]
    [sms] = flow.cant_scan()
    assert isinstance(sms, f.SendBindingSms)
    assert flow.cant_scan() == [], "a second tap does not send a second SMS"
    assert flow.binding_changed(binding("scanned", qr=None)) == [
        f.FollowBinding(5, schemas.BindingStatus.SCANNED)
    ]
    assert isinstance(flow.state, f.Binding)
    assert flow.state.qr_url == "http://x/b/token", "the QR stays drawn"
    assert flow.binding_changed(binding("completed", qr=None)) == []
    assert isinstance(flow.state, f.Bound)


def showing_a_qr_code() -> f.CounterFlow:
    """A member found and "Bind now" tapped: the code is on screen, the binding pending."""
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found(customer(member=True)))
    flow.bind_now()
    flow.binding_started(binding("pending"))
    return flow


def test_a_bound_member_stays_on_screen_a_few_seconds_then_search_comes_back():
    flow = showing_a_qr_code()
    flow.binding_changed(binding("completed", qr=None))
    assert isinstance(flow.state, f.Bound)
    assert flow.state.back_in_seconds == f.SUCCESS_SECONDS == 8
    # The screen's countdown ends as Done would: nothing to cancel, nobody left on screen.
    assert flow.back_to_search() == [], "a completed binding is not cancelled"
    assert flow.state == f.Searching()
    assert flow.searched_phone is None


def test_an_expired_qr_code_is_replaced_by_a_new_one_on_request():
    flow = showing_a_qr_code()
    now = NOW
    assert flow.new_code(now) == [], "a live code is not replaced"
    assert flow.binding_changed(binding("expired", qr=None)) == []
    assert flow.new_code(now) == [f.StartBinding(7)]
    assert flow.state == f.CustomerFound(customer(member=True), busy=True)
    flow.binding_started(binding("pending", qr="http://x/b/second"))
    assert isinstance(flow.state, f.Binding)
    assert flow.state.qr_url == "http://x/b/second"


def test_a_code_run_out_on_the_counter_clock_is_replaced_before_the_backend_says_so():
    flow = showing_a_qr_code()
    assert isinstance(flow.state, f.Binding)
    run_out = flow.state.binding.expires_at
    assert flow.new_code(run_out) == [f.CancelBinding(5), f.StartBinding(7)]


def test_leaving_a_binding_cancels_it_and_clears_the_customer():
    flow = showing_a_qr_code()
    assert flow.back_to_search() == [f.CancelBinding(5)]
    assert flow.state == f.Searching()
    assert flow.searched_phone is None


def test_an_ended_session_logs_out():
    flow = f.CounterFlow()
    command = flow.confirm_search("0912345678")[0]
    assert flow.failed(command, UnauthorizedError("session_idle", "idle")) == [f.LogOut()]
    assert flow.state == f.Searching()


def test_a_lost_long_poll_is_simply_started_again():
    flow = f.CounterFlow()
    follow = f.FollowInvitation(3, schemas.InvitationStatus.SENT)
    assert flow.failed(follow, OfflineError("offline", "down")) == [follow]


def test_a_kept_sign_up_is_resumed_after_a_restart(tmp_path: Path):
    store = PendingSignUps(tmp_path / "pending.json")
    store.keep(PendingSignUp("0912345678", "key-1"))
    store.keep(PendingSignUp("0922333444", "key-2"))
    store.forget("key-2")

    after_restart = PendingSignUps(tmp_path / "pending.json")
    [pending] = after_restart.all()
    flow = f.CounterFlow()
    assert flow.resume_pending(pending.phone, pending.key) == [
        f.SendInvitation("0912345678", "key-1")
    ]
    assert flow.state == f.WaitingForBackend("0912345678", "key-1")


def test_a_damaged_pending_file_loses_nothing_else(tmp_path: Path):
    path = tmp_path / "pending.json"
    path.write_text("{not json", encoding="utf-8")
    store = PendingSignUps(path)
    assert store.all() == []
    store.keep(PendingSignUp("0912345678", "k"))
    assert store.all() == [PendingSignUp("0912345678", "k")]


def test_the_sms_prompt_shows_a_failed_delivery_and_a_quick_customer():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    [_, send] = flow.sign_up()
    assert isinstance(send, f.SendInvitation)
    flow.invitation_sent(invitation("queued"), send.key)
    assert flow.invitation_changed(invitation("failed")) == [], "nothing more to follow"
    assert isinstance(flow.state, f.SmsSent)
    assert flow.state.invitation.status is schemas.InvitationStatus.FAILED

    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    [_, send] = flow.sign_up()
    assert isinstance(send, f.SendInvitation)
    flow.invitation_sent(invitation("sent"), send.key)
    flow.invitation_changed(invitation("registered"))
    assert isinstance(flow.state, f.Registered), "registered before staff tapped SMS received"


def test_a_sign_up_left_behind_still_goes_out_once_without_taking_the_screen():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    [_, send] = flow.sign_up()
    assert isinstance(send, f.SendInvitation)
    [retry] = flow.failed(send, OfflineError("offline", "down"))
    assert isinstance(flow.state, f.WaitingForBackend)
    assert flow.back_to_search() == [], "the customer-idle timer empties the screen"
    assert flow.failed(send, OfflineError("offline", "down")) == [retry], "still retried"
    flow.confirm_search("0987654321")
    assert flow.invitation_sent(invitation("sent"), send.key) == [f.ForgetPendingSignUp(send.key)]
    assert isinstance(flow.state, f.Searching), "the new customer's search is not replaced"
