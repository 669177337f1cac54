"""The counter flow, tap by tap, without a screen or a network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend_client import schemas
from backend_client.errors import (
    AlreadyMemberError,
    ApiError,
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


def invitation(
    status: str, iid: int = 3, *, message: str | None = None, failure: str | None = None
) -> schemas.Invitation:
    return schemas.Invitation(
        id=iid,
        status=schemas.InvitationStatus(status),
        phone_masked="+886 9•••••678",
        expires_at=NOW + timedelta(hours=2),
        created_at=NOW,
        store=STORE,
        staff=AMY,
        message_status=schemas.MessageStatus(message) if message else None,
        failure_code=failure,
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


def test_a_merged_number_names_its_member_and_cannot_sign_up():
    flow = f.CounterFlow()
    flow.confirm_search("0912 345 678")
    owner = schemas.MergedInto(kind=schemas.IdentifierKind.PHONE, member_id=42, name="Mei")
    result = schemas.CustomerSearchResult(items=[], total=0, merged_into=owner)
    assert flow.searched(result) == []
    assert flow.state == f.NobodyFound(phone="0912 345 678", merged_into=owner)
    assert flow.sign_up() == [], "a retired number is never sent a registration SMS"
    assert flow.state == f.NobodyFound(phone="0912 345 678", merged_into=owner)


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
    assert flow.failed(send, limited, NOW) == [f.ForgetPendingSignUp(send.key)]  # type: ignore[union-attr]
    assert flow.state == f.NobodyFound(
        "0912345678", busy=False, error=limited, retry_at=NOW + timedelta(seconds=420)
    )


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


def test_a_rate_limited_sign_up_waits_for_the_server_s_retry_after():
    flow = f.CounterFlow()
    flow.confirm_search("0955666777")
    flow.searched(found(customer(member=False)))
    assert flow.state == f.CustomerFound(customer(member=False), phone="0955666777")
    _, send = flow.sign_up()
    limited = RateLimitedError("rate_limited", "too many", retry_after=42)
    flow.failed(send, limited, NOW)
    assert isinstance(flow.state, f.CustomerFound)
    assert flow.state.retry_at == NOW + timedelta(seconds=42)
    assert flow.sign_up() == [], "refused until the wait is over"

    assert flow.wait_over(NOW + timedelta(seconds=41)) == []
    assert flow.state.retry_at is not None, "a screen's clock running early changes nothing"
    flow.wait_over(NOW + timedelta(seconds=42))
    assert flow.state == f.CustomerFound(customer(member=False), phone="0955666777")
    _, again = flow.sign_up()
    assert isinstance(again, f.SendInvitation)
    assert again.phone == "0955666777"
    assert again.key != send.key, "a new tap, a new key"  # type: ignore[union-attr]


def test_another_refusal_has_no_wait():
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    flow.failed(send, ApiError("not_mobile", "x", status=422), NOW)
    assert isinstance(flow.state, f.NobodyFound)
    assert flow.state.retry_at is None
    assert len(flow.sign_up()) == 2, "tapped again at once"


def sent_prompt(*, message: str | None, status: str = "failed", failure: str | None = None):
    """A flow on the SMS prompt after "Sign up" to 0912345678."""
    flow = f.CounterFlow()
    flow.confirm_search("0912345678")
    flow.searched(found())
    _, send = flow.sign_up()
    assert isinstance(send, f.SendInvitation)
    flow.invitation_sent(invitation("queued", message="queued"), send.key, send.phone)
    flow.invitation_changed(invitation(status, message=message, failure=failure))
    return flow


def test_the_prompt_and_the_following_keep_the_number_as_typed():
    flow = sent_prompt(message="sent", status="sent")
    assert isinstance(flow.state, f.SmsSent)
    assert flow.state.phone == "0912345678"
    flow.sms_received()
    assert flow.state == f.FollowingRegistration(invitation("sent", message="sent"), "0912345678")
    flow.searched_phone = None  # e.g. resumed after a restart: the state still knows
    assert flow.check_again() == [f.CancelInvitation(3)]
    assert flow.state == f.Searching(by=f.SearchBy.PHONE, text="0912345678")


def test_send_again_after_a_failed_sms_is_a_new_invitation_with_its_own_key():
    flow = sent_prompt(message="failed", failure="twilio_30003")
    keep, send = flow.send_again()
    assert keep == f.KeepPendingSignUp("0912345678", keep.key)  # type: ignore[union-attr]
    assert send == f.SendInvitation("0912345678", keep.key)  # type: ignore[union-attr]
    assert isinstance(flow.state, f.SmsSent)
    assert flow.state.busy
    assert flow.send_again() == [], "one tap, one SMS"

    fresh = invitation("queued", iid=4, message="queued")
    assert flow.invitation_sent(fresh, send.key, send.phone) == [  # type: ignore[union-attr]
        f.ForgetPendingSignUp(send.key),  # type: ignore[union-attr]
        f.FollowInvitation(4, schemas.InvitationStatus.QUEUED),
    ]
    assert flow.state == f.SmsSent(fresh, "0912345678")


def test_send_again_cancels_an_invitation_still_running():
    flow = sent_prompt(message="failed", status="sent")
    cancel, _, send = flow.send_again()
    assert cancel == f.CancelInvitation(3)
    assert isinstance(send, f.SendInvitation)


def test_send_again_is_not_offered_where_it_cannot_help():
    for failure in ("twilio_21211", "twilio_30007"):
        flow = sent_prompt(message="failed", failure=failure)
        assert flow.send_again() == [], failure
    flow = sent_prompt(message="sent", status="sent")
    assert flow.send_again() == [], "a delivered SMS is answered, not sent again"


def test_a_refused_send_again_stays_on_the_prompt_and_waits():
    flow = sent_prompt(message="failed", failure="send_failed")
    _, send = flow.send_again()
    limited = RateLimitedError("rate_limited", "too many", retry_after=60)
    assert flow.failed(send, limited, NOW) == [f.ForgetPendingSignUp(send.key)]  # type: ignore[union-attr]
    assert isinstance(flow.state, f.SmsSent)
    assert (flow.state.busy, flow.state.error) == (False, limited)
    assert flow.send_again() == [], "refused until the wait is over"
    flow.wait_over(NOW + timedelta(seconds=60))
    assert (flow.state.error, flow.state.retry_at) == (None, None)
    assert len(flow.send_again()) == 2

    [retry] = flow.failed(flow_send(flow), OfflineError("offline", "down"), NOW)
    assert isinstance(retry, f.RetryLater)
    assert isinstance(flow.state, f.WaitingForBackend), "offline: kept and sent later"


def flow_send(flow: f.CounterFlow) -> f.SendInvitation:
    assert flow.sign_up_key is not None
    assert isinstance(flow.state, f.SmsSent)
    assert flow.state.phone is not None
    return f.SendInvitation(flow.state.phone, flow.sign_up_key)


def test_an_expired_link_seen_while_following_is_sent_again_from_the_prompt():
    flow = sent_prompt(message="sent", status="sent")
    flow.sms_received()
    flow.invitation_changed(invitation("expired", message="sent"))
    assert isinstance(flow.state, f.FollowingRegistration)
    commands = flow.send_again()
    assert [type(c) for c in commands] == [f.KeepPendingSignUp, f.SendInvitation]
    assert isinstance(flow.state, f.SmsSent)
    assert flow.state.busy
