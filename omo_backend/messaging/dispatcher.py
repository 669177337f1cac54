"""The dispatcher: claims due outbox rows, sends them, records what the provider said.

Delivery is at least once, and a send in doubt is looked up before it is repeated. A row is
claimed with a lease (``claimed_until``) in one short transaction and sent with no
transaction open, so a slow provider never holds a lock. The first claim stamps
``sending_since`` (migration 0016); only a final outcome (sent, failed) clears it. If the
process dies mid-send the row stays ``sending``; once its lease runs out any dispatcher takes
it again, and because ``sending_since`` is still set it first asks the provider
(``find_sent``) for a message to that address with exactly that body created since then. If
the provider has one, its id is recorded as the success and nothing is sent; if not, the
message is sent. A lookup that fails (provider down) is handled like a transient send error:
the row waits out its backoff, still in doubt, and is looked up again; it is never sent
blindly. Twilio answers from its message list; the outbox provider sends nothing outside the
row, so sending again costs nothing; SMTP cannot tell and answers None, so an e-mail in doubt
is sent again (at most one duplicate per e-mail in flight at a crash). A crash therefore
costs no duplicate SMS through Twilio, except one that Twilio had taken but not yet sent
when asked (its list shows sent messages only; the question comes a lease after the claim),
and never loses a message.

Recording an outcome waits out a database outage: when the write finds the database
unreachable (``OperationalError``, a pool timeout) it tries again, 0.2 s doubling to 2 s,
until the claim's lease runs out. A PostgreSQL restart shorter than the lease thus sends
nothing twice; a longer one leaves the row ``sending``, and its next claim looks it up.

SMS and e-mail share the table and all of the above; each row goes to its channel's provider
(``OMO_SMS_PROVIDER`` for SMS, SMTP or the outbox for e-mail).

``attempts`` doubles as the claim's fencing token: an outcome is only written while the row
is still ``sending`` under the attempt that was claimed, so a dispatcher whose lease was taken
over cannot overwrite the newer claim (a success is always kept: the SMS did go out).

A live holder never lets a lease run out under a send, because a takeover then means a second
billed SMS: a pass claims only as many rows as it can send within the lease (at the provider's
timeout each), and before each send the holder renews the row's lease once half of it is gone
or less than two sends' worth is left. The renewal is fenced by the attempt like an outcome;
when it finds the row taken over, this holder does not send it.

Sends run concurrently, at most ``dispatch_concurrency`` at once per dispatcher (a provider
answering in 100 ms allows about 10 messages a second per slot). Each row is still one claim,
one send and one fenced outcome; the slots only overlap the provider's waits. A crash leaves
every send that was in flight in doubt, up to ``dispatch_concurrency`` of them; each is looked
up as above before it is sent again. SIGTERM stops claiming and lets the sends in flight
finish and record their outcome, so a stop costs none.

``run_forever`` keeps the slots busy: it claims when at least a quarter of them are free, at
most ``dispatch_batch`` rows per claim, so the claims stay a few per slot-round
instead of one per message, and each claimed row starts sending at once. On PostgreSQL a
trigger NOTIFYs ``omo_outbox`` when a message is queued (migration 0015) and the dispatcher
LISTENs on one connection of its own, so a new row is claimed at once rather than at the next
poll; the poll stays, for SQLite, retries that come due, and while that connection is down.

The claim looks only at waiting rows (``MESSAGE_WAITING``, a partial index), so it costs the
same with no history or with millions of sent messages; and an idle poll is one read, which on
SQLite takes no write lock.

Logs name messages by id and errors by a short reason only: never a phone number, an e-mail
address or a body.
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import FrameType
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from backend_client.schemas import BindingStatus, InvitationStatus, MessageChannel, MessageStatus
from omo_backend.db import Database
from omo_backend.messaging.outbox import forget_link_tokens, split_email_body
from omo_backend.messaging.providers import (
    EmailProvider,
    OutboxProvider,
    PermanentSendError,
    SendResult,
    SentLookup,
    SmsProvider,
    SmtpProvider,
    TransientSendError,
    TwilioProvider,
    email_provider_from_settings,
    email_provider_name,
    provider_from_settings,
)
from omo_backend.models import BindingSession, Invitation, Message, utcnow
from omo_backend.models.message import MESSAGE_WAITING
from omo_backend.pg_listen import OUTBOX_CHANNEL, Listener
from omo_backend.settings import Settings

logger = logging.getLogger(__name__)

# The invitation's failure_code when no provider code explains it (retries ran out).
SEND_FAILED = "send_failed"
# After a failed pass (database down...) wait longer each time, but not longer than this:
# customers are waiting at the counter for the SMS.
_ERROR_PAUSE_MAX_SECONDS = 5.0
_ERROR_DOUBLINGS_MAX = 16
# Database connections of an ``omo-backend dispatch`` process (its LISTEN connection aside).
_DISPATCH_POOL = 8
# How soon an idle ``run_forever`` notices ``stop`` when its poll is longer.
_STOP_CHECK_SECONDS = 0.1
# An outcome write that finds the database unreachable tries again after this, doubling.
_OUTCOME_RETRY_FIRST_SECONDS = 0.2
_OUTCOME_RETRY_MAX_SECONDS = 2.0
# A lookup of a send in doubt reaches back this much before the attempt's claim: the
# provider's clock is not ours, and Twilio's creation times are whole seconds.
_LOOKUP_MARGIN = timedelta(seconds=60)

_T = TypeVar("_T")

_QUEUED = MessageStatus.QUEUED.value
_SENDING = MessageStatus.SENDING.value
_SENT = MessageStatus.SENT.value
_FAILED = MessageStatus.FAILED.value
_SMS = MessageChannel.SMS.value
_EMAIL = MessageChannel.EMAIL.value


@dataclass(frozen=True)
class _Claim:
    """What a send needs, copied out of the claim transaction."""

    id: int
    channel: str
    to: str
    body: str
    attempt: int
    invitation_id: int | None
    # When the lease runs out, on this process's monotonic clock (read before the claim's).
    lease_ends: float
    # When an earlier attempt whose outcome is unknown was claimed (``sending_since``): the
    # provider is asked whether it went out before this attempt sends. None: nothing in doubt.
    doubt_since: datetime | None = None


class Dispatcher:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        provider: SmsProvider | None = None,
        *,
        email_provider: EmailProvider | None = None,
    ) -> None:
        self._db = database
        self._settings = settings
        self._provider = provider if provider is not None else provider_from_settings(settings)
        self._email_provider = (
            email_provider if email_provider is not None else email_provider_from_settings(settings)
        )
        # The development outbox keeps links readable (the demo phone follows them); a real
        # provider's sent or failed body loses its link token, which is kept hashed otherwise.
        self._keep_links = {
            _SMS: isinstance(self._provider, OutboxProvider),
            _EMAIL: isinstance(self._email_provider, OutboxProvider),
        }
        self._slots = settings.dispatch_concurrency
        # Set by a finished send and by an ``omo_outbox`` notification: look for work now.
        self._wake = threading.Event()
        lease = settings.dispatch_lease_seconds
        send_seconds = _longest_send(settings, self._provider, self._email_provider)
        if send_seconds and lease <= send_seconds:
            logger.warning(
                "dispatch lease (%.1fs) is not longer than the provider timeout (%.1fs): "
                "a slow send may be taken over and sent twice",
                lease,
                send_seconds,
            )
        if send_seconds is None:
            # A provider of unknown speed: renew before every send, claim the usual batch.
            self._claim_limit = settings.dispatch_batch
            self._renew_below = math.inf
        else:
            # Row n of a batch waits ceil(n / slots) - 1 sends before its renewal; two sends
            # of slack cover a timeout that bounds each network step rather than the whole send.
            rounds = int(lease // send_seconds) - 1 if send_seconds > 0 else settings.dispatch_batch
            fits = rounds * self._slots if rounds > 0 else 1
            self._claim_limit = max(1, min(settings.dispatch_batch, fits))
            self._renew_below = max(lease / 2, 2 * send_seconds)

    def run_once(self, *, stop: threading.Event | None = None) -> int:
        """Claim and send the due messages that fit in one lease (at most ``dispatch_batch``),
        up to ``dispatch_concurrency`` at once; returns how many it handled.

        When ``stop`` is set mid-batch the messages not yet sent are handed back at once,
        instead of waiting out their lease.
        """
        claims, settled = self._claim()
        if not claims:
            return settled
        lock = threading.Lock()
        unsent: list[_Claim] = []

        def send(claim: _Claim) -> int:
            if stop is not None and stop.is_set():
                with lock:
                    unsent.append(claim)
                return 0
            return self._send_claimed(claim)

        if self._slots == 1 or len(claims) == 1:
            delivered = sum(send(claim) for claim in claims)
        else:
            with ThreadPoolExecutor(min(self._slots, len(claims)), "dispatch-send") as pool:
                delivered = sum(pool.map(send, claims))
        if unsent:
            self._release(unsent)
        return settled + delivered

    def run_forever(self, stop: threading.Event) -> None:
        """Drain the outbox until ``stop`` is set, up to ``dispatch_concurrency`` sends in flight;
        an error is logged and the loop goes on. The sends in flight finish before it returns."""
        listener = self._listen()
        try:
            with ThreadPoolExecutor(self._slots, "dispatch-send") as pool:
                self._keep_busy(pool, stop)
        finally:
            if listener is not None:
                listener.stop()

    def _keep_busy(self, pool: ThreadPoolExecutor, stop: threading.Event) -> None:
        poll = self._settings.dispatch_poll_seconds
        refill_at = max(1, self._slots // 4)
        in_flight: set[Future[int]] = set()
        errors = 0
        while not stop.is_set():
            self._wake.clear()
            in_flight = {future for future in in_flight if not future.done()}
            free = self._slots - len(in_flight)
            if free >= refill_at:
                try:
                    claims, settled = self._claim(min(free, self._claim_limit))
                except Exception as exc:
                    errors = min(errors + 1, _ERROR_DOUBLINGS_MAX)
                    pause = min(poll * 2**errors, max(poll, _ERROR_PAUSE_MAX_SECONDS))
                    logger.error(
                        "dispatch pass failed (%s); trying again in %.1fs\n%s",
                        type(exc).__name__,
                        pause,
                        _frames(exc),
                    )
                    stop.wait(pause)
                    continue
                errors = 0
                for claim in claims:
                    future = pool.submit(self._send_claimed, claim)
                    future.add_done_callback(self._sent)
                    in_flight.add(future)
                full = len(claims) + settled >= min(free, self._claim_limit)
                if full and len(claims) < free:
                    continue  # a full claim and slots left: there may be more due now
            self._nap(stop, poll)

    def _nap(self, stop: threading.Event, seconds: float) -> None:
        """Until a send finishes, a message is queued (NOTIFY), ``seconds`` pass or ``stop``."""
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(left, _STOP_CHECK_SECONDS)):
                return

    def _sent(self, future: Future[int]) -> None:
        exc = future.exception()
        if exc is not None:
            # Recording the outcome failed past the lease (database down...): the row stays
            # ``sending``; once its lease runs out it is looked up, and sent only if not found.
            logger.error(
                "dispatch send failed (%s); its lease will run out\n%s",
                type(exc).__name__,
                _frames(exc),
            )
        self._wake.set()

    def _listen(self) -> Listener | None:
        if not self._db.is_postgresql:
            return None
        listener = Listener(
            self._db.url,
            [OUTBOX_CHANNEL],
            lambda channel, payload: self._wake.set(),
            on_connect=self._wake.set,
            name="dispatch-listen",
        )
        listener.start()
        return listener

    def _send_claimed(self, claim: _Claim) -> int:
        held = self._hold(claim)
        if held is None:
            return 0
        self._deliver(held)
        return 1

    # --- claiming ----------------------------------------------------------------------------

    def _claim(self, limit: int | None = None) -> tuple[list[_Claim], int]:
        """Lease up to ``limit`` due rows (the most that fit in a lease by default) to this
        dispatcher; returns the claims and how many rows it settled without sending (expired
        leases that had used up their attempts)."""
        settings = self._settings
        limit = self._claim_limit if limit is None else limit
        if limit < 1 or not self._anything_due():
            return [], 0
        leased_at = time.monotonic()
        now = utcnow()
        lease_until = now + timedelta(seconds=settings.dispatch_lease_seconds)
        stmt = select(Message).where(*_due(now)).order_by(Message.id).limit(limit)
        if self._db.is_postgresql:
            # Two dispatchers each get their own rows without waiting on each other.
            # SQLite needs nothing: its write transactions (BEGIN IMMEDIATE) are exclusive.
            stmt = stmt.with_for_update(skip_locked=True)

        claims: list[_Claim] = []
        given_up: list[int] = []
        skipped = 0
        with self._db.transaction(write=True) as session:
            for message in session.scalars(stmt).all():
                if (
                    message.status == _SENDING
                    and message.attempts >= settings.dispatch_max_attempts
                ):
                    # Every attempt died mid-send (a message that crashes the sender?):
                    # stop before it takes the dispatcher down forever.
                    message.status = _FAILED
                    message.claimed_until = None
                    message.sending_since = None
                    message.last_error = "lease expired on the last attempt"
                    _fail_invitation(session, message.invitation_id, SEND_FAILED, now)
                    given_up.append(message.id)
                    continue
                if message.status == _QUEUED and _no_longer_wanted(session, message, now):
                    # "Check again" or an expired link: sending it now only costs money.
                    message.status = _FAILED
                    message.sending_since = None
                    message.cost_units = 0
                    message.last_error = "not sent: its invitation ended before sending"
                    skipped += 1
                    continue
                # An earlier attempt was claimed and never settled (its sender died, lost the
                # database, or got no answer): ask the provider before sending again.
                doubt_since = message.sending_since
                if doubt_since is None and message.status == _SENDING:
                    # Claimed before migration 0016: its lease says when, give or take.
                    doubt_since = (message.claimed_until or now) - timedelta(
                        seconds=settings.dispatch_lease_seconds
                    )
                if message.sending_since is None:
                    message.sending_since = now
                message.status = _SENDING
                message.claimed_until = lease_until
                message.attempts += 1
                claims.append(
                    _Claim(
                        id=message.id,
                        channel=message.channel,
                        to=message.to_address,
                        body=message.body,
                        attempt=message.attempts,
                        invitation_id=message.invitation_id,
                        lease_ends=leased_at + settings.dispatch_lease_seconds,
                        doubt_since=doubt_since,
                    )
                )
        for message_id in given_up:
            logger.error("message %d failed: its lease expired on the last attempt", message_id)
        return claims, len(given_up) + skipped

    def _anything_due(self) -> bool:
        """One read: an idle poll takes no lock (SQLite's write lock stays free for requests)."""
        stmt = select(Message.id).where(*_due(utcnow())).limit(1)
        with self._db.transaction(write=False) as session:
            return session.scalar(stmt) is not None

    def _hold(self, claim: _Claim) -> _Claim | None:
        """``claim`` (its lease renewed if need be) when it may be sent now, None when another
        dispatcher took it over: its lease must outlast the send."""
        if claim.lease_ends - time.monotonic() >= self._renew_below:
            return claim
        lease = self._settings.dispatch_lease_seconds
        renewed_at = time.monotonic()
        until = utcnow() + timedelta(seconds=lease)
        with self._db.transaction(write=True) as session:
            renewed = _update_count(
                session, update(Message).where(*_still_ours(claim)).values(claimed_until=until)
            )
        if renewed:
            return replace(claim, lease_ends=renewed_at + lease)
        logger.warning(
            "message %d: its lease ran out before attempt %d and another dispatcher took it "
            "over; not sending it from here",
            claim.id,
            claim.attempt,
        )
        return None

    def _release(self, claims: list[_Claim]) -> None:
        """Hand unsent claims back as if they had never been taken."""
        with self._db.transaction(write=True) as session:
            for claim in claims:
                session.execute(
                    update(Message)
                    .where(*_still_ours(claim))
                    .values(
                        status=_QUEUED,
                        claimed_until=None,
                        attempts=claim.attempt - 1,
                        sending_since=claim.doubt_since,
                    )
                    .execution_options(synchronize_session=False)
                )

    # --- sending and recording ---------------------------------------------------------------

    def _deliver(self, claim: _Claim) -> None:
        try:
            result = self._already_sent(claim)
            if result is None:
                result = self._send(claim)
        except PermanentSendError as exc:
            self._record_failure(claim, str(exc), reason=exc.reason, code=exc.code, final=True)
        except TransientSendError as exc:
            self._record_failure(claim, str(exc), reason=exc.reason, code=SEND_FAILED, final=False)
        except Exception as exc:
            # A provider bug must not stall the rest of the batch; retry it like an outage.
            logger.error(
                "message %d: provider raised %s\n%s", claim.id, type(exc).__name__, _frames(exc)
            )
            reason = f"unexpected {type(exc).__name__}"
            self._record_failure(claim, reason, reason=reason, code=SEND_FAILED, final=False)
        else:
            self._record_success(claim, result)

    def _already_sent(self, claim: _Claim) -> SendResult | None:
        """What the provider says of an earlier attempt in doubt: the message it already
        accepted, or None (nothing in doubt, not found, or a provider that cannot tell).
        A lookup that fails raises like a send, so the row is retried later, never sent
        blindly."""
        if claim.doubt_since is None:
            return None
        provider = self._email_provider if claim.channel == _EMAIL else self._provider
        if not isinstance(provider, SentLookup):
            return None
        found = provider.find_sent(
            to=claim.to, body=claim.body, since=claim.doubt_since - _LOOKUP_MARGIN
        )
        if found is not None:
            logger.warning(
                "message %d: an earlier attempt had already gone out (provider id %s); "
                "attempt %d records it and sends nothing",
                claim.id,
                found.provider_message_id,
                claim.attempt,
            )
        return found

    def _send(self, claim: _Claim) -> SendResult:
        if claim.channel == _EMAIL:
            subject, body = split_email_body(claim.body)
            return self._email_provider.send_email(to=claim.to, subject=subject, body=body)
        return self._provider.send_sms(to=claim.to, body=claim.body)

    def _record_success(self, claim: _Claim, result: SendResult) -> None:
        now = utcnow()
        values: dict[str, Any] = {
            "status": _SENT,
            "provider_message_id": result.provider_message_id,
            "provider_status": result.provider_status,
            "sent_at": now,
            "claimed_until": None,
            "sending_since": None,
            "last_error": None,
        }
        if not self._keep_links[claim.channel]:
            values["body"] = forget_link_tokens(claim.body)
        if result.segments:
            # The provider's count is what it bills.
            values["segments"] = result.segments
            values["cost_units"] = result.segments

        def write(session: Session) -> int:
            # Even a claim that was taken over records its success: the message went out.
            recorded = _update_count(
                session,
                update(Message)
                .where(Message.id == claim.id, Message.status != _SENT)
                .values(**values),
            )
            if recorded:
                _mark_invitation_sent(session, claim.invitation_id, now)
            return recorded

        recorded = self._write_outcome(claim, write)
        if recorded:
            logger.info(
                "message %d sent on attempt %d (provider id %s)",
                claim.id,
                claim.attempt,
                result.provider_message_id,
            )
        else:
            logger.warning("message %d was sent again on attempt %d", claim.id, claim.attempt)

    def _record_failure(
        self, claim: _Claim, error: str, *, reason: str, code: str, final: bool
    ) -> None:
        settings = self._settings
        now = utcnow()
        give_up = final or claim.attempt >= settings.dispatch_max_attempts
        values: dict[str, Any] = {"last_error": error[:500], "claimed_until": None}
        retry_at: datetime | None = None
        if give_up:
            values["status"] = _FAILED
            values["sending_since"] = None
            if not self._keep_links[claim.channel]:
                values["body"] = forget_link_tokens(claim.body)
        else:
            retry_at = now + timedelta(seconds=self._backoff(claim.attempt))
            values["status"] = _QUEUED
            values["next_attempt_at"] = retry_at

        def write(session: Session) -> int:
            recorded = _update_count(
                session, update(Message).where(*_still_ours(claim)).values(**values)
            )
            if recorded and give_up:
                _fail_invitation(session, claim.invitation_id, code, now)
            return recorded

        recorded = self._write_outcome(claim, write)
        if not recorded:
            logger.warning(
                "message %d: attempt %d failed (%s) after its lease was taken over",
                claim.id,
                claim.attempt,
                reason,
            )
        elif retry_at is not None:
            logger.warning(
                "message %d: attempt %d failed (%s); next try at %s",
                claim.id,
                claim.attempt,
                reason,
                # To the second: six digits of microseconds can read as a PIN in the log.
                retry_at.isoformat(timespec="seconds"),
            )
        else:
            logger.error("message %d failed on attempt %d (%s)", claim.id, claim.attempt, reason)

    def _write_outcome(self, claim: _Claim, write: Callable[[Session], _T]) -> _T:
        """Run ``write`` in a transaction; while the database is unreachable, try again
        (0.2 s doubling to 2 s) until the claim's lease runs out, so a database restart
        shorter than the lease sends nothing twice. Past the lease it raises: the row stays
        ``sending`` and its next claim asks the provider before sending."""
        pause = _OUTCOME_RETRY_FIRST_SECONDS
        while True:
            try:
                with self._db.transaction(write=True) as session:
                    return write(session)
            except (OperationalError, PoolTimeoutError) as exc:
                left = claim.lease_ends - time.monotonic()
                if left <= 0:
                    raise
                wait = min(pause, left)
                logger.warning(
                    "message %d: recording attempt %d's outcome failed (%s); trying again in %.1fs",
                    claim.id,
                    claim.attempt,
                    type(exc).__name__,
                    wait,
                )
                time.sleep(wait)
                pause = min(pause * 2, _OUTCOME_RETRY_MAX_SECONDS)

    def _backoff(self, attempt: int) -> float:
        settings = self._settings
        return float(
            min(
                settings.dispatch_backoff_base_seconds * 2 ** (attempt - 1),
                settings.dispatch_backoff_max_seconds,
            )
        )


def _due(now: datetime) -> tuple[Any, ...]:
    """The claim's WHERE: waiting rows (the partial index's own clause) that are due."""
    return (
        MESSAGE_WAITING,
        Message.channel.in_((_SMS, _EMAIL)),
        or_(
            and_(Message.status == _QUEUED, Message.next_attempt_at <= now),
            # A sender that died mid-send: its lease ran out.
            and_(
                Message.status == _SENDING,
                or_(Message.claimed_until.is_(None), Message.claimed_until < now),
            ),
        ),
    )


def _longest_send(settings: Settings, sms: SmsProvider, email: EmailProvider) -> float | None:
    """How long one send may take at most, over both channels; None when a provider's is
    unknown (one passed in by a caller)."""
    longest = 0.0
    for provider in (sms, email):
        if isinstance(provider, TwilioProvider):
            longest = max(longest, settings.twilio_timeout_seconds)
        elif isinstance(provider, SmtpProvider):
            longest = max(longest, settings.smtp_timeout_seconds)
        elif not isinstance(provider, OutboxProvider):
            return None
    return longest


def _still_ours(claim: _Claim) -> tuple[Any, ...]:
    return (
        Message.id == claim.id,
        Message.status == _SENDING,
        Message.attempts == claim.attempt,
    )


def _update_count(session: Session, stmt: Any) -> int:
    result = session.execute(stmt.execution_options(synchronize_session=False))
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count


def _no_longer_wanted(session: Session, message: Message, now: datetime) -> bool:
    if message.invitation_id is not None:
        invitation = session.get(Invitation, message.invitation_id)
        return invitation is not None and (
            invitation.status in (InvitationStatus.CANCELLED.value, InvitationStatus.EXPIRED.value)
            or invitation.expires_at <= now
        )
    if message.binding_id is not None:
        binding = session.get(BindingSession, message.binding_id)
        return binding is not None and (
            BindingStatus(binding.status).is_final or binding.expires_at <= now
        )
    return False


def _mark_invitation_sent(session: Session, invitation_id: int | None, now: datetime) -> None:
    if invitation_id is None:
        return
    # Only queued -> sent: an invitation the customer already opened never moves back.
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.status == InvitationStatus.QUEUED.value)
        .values(status=InvitationStatus.SENT.value, version=Invitation.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _fail_invitation(session: Session, invitation_id: int | None, code: str, now: datetime) -> None:
    if invitation_id is None:
        return
    # Only a still-queued invitation fails: if it got further (another message of it went out,
    # the customer opened the link) or was already closed, that outcome stands.
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.status == InvitationStatus.QUEUED.value)
        .values(
            status=InvitationStatus.FAILED.value,
            failure_code=code[:64],
            version=Invitation.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def _frames(exc: BaseException) -> str:
    # Where it happened, without the exception's text: a database error quotes its bound
    # parameters, which would put phone numbers and bodies in the log.
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def run_dispatcher(settings: Settings) -> None:
    """``omo-backend dispatch``: drain the outbox until SIGTERM or SIGINT (main thread only)."""
    # A misconfigured provider stops the command here, not at the first customer's SMS.
    provider = provider_from_settings(settings)
    email_provider = email_provider_from_settings(settings)
    # A fixed pool, not one connection per send slot: each slot holds a connection only for
    # its outcome's short transaction, so slots queue for these few rather than open and drop
    # connections (two dispatchers of 64 slots would pass PostgreSQL's default 100).
    database = Database(settings.effective_database_url, pool_size=_DISPATCH_POOL, max_overflow=0)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        logger.info(
            "dispatcher started (SMS provider %s, e-mail provider %s)",
            settings.sms_provider,
            email_provider_name(settings),
        )
        Dispatcher(database, settings, provider, email_provider=email_provider).run_forever(stop)
        logger.info("dispatcher stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        database.dispose()
