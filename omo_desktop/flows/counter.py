"""The counter flow as a plain state machine: no Qt, no network, tested without a screen.

Search → member / past buyer / nobody → "Bind now" or "Sign up" → "SMS received" /
"Check again" → following the registration → done.

The flow never calls the backend itself. Each intent (a staff tap) or backend answer returns
the commands the app must run (on a worker) and moves ``state``; the app feeds each command's
answer back in. Screens draw ``state`` and nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from backend_client import schemas
from backend_client.client import new_idempotency_key
from backend_client.errors import (
    AlreadyMemberError,
    ApiError,
    OfflineError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
)
from omo_desktop.flows import delivery


class SearchBy(enum.StrEnum):
    PHONE = "phone"
    EMAIL_OR_NAME = "email_or_name"


# --- states: what the screen shows --------------------------------------------------------


@dataclass(frozen=True)
class Searching:
    """Member Search: the method, what was typed (kept on error) and any message."""

    by: SearchBy = SearchBy.PHONE
    text: str = ""
    busy: bool = False
    error: ApiError | None = None


@dataclass(frozen=True)
class Choosing:
    """Several customers matched an e-mail or name search (or none: search by phone)."""

    matches: tuple[schemas.CustomerSummary, ...]
    text: str


@dataclass(frozen=True)
class CustomerFound:
    """One customer: a member ("Bind now") or a past buyer ("Sign up").

    ``phone``: the number staff typed to find them (None after an e-mail or name search),
    shown in full so it can be checked before "Sign up" sends to it. ``retry_at``: a refused
    "Sign up" may be tapped again from then on (the server's Retry-After).
    """

    customer: schemas.CustomerSummary
    busy: bool = False
    error: ApiError | None = None
    phone: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class NobodyFound:
    """No customer with this number: "Sign up" invites them. ``merged_into``: the number was
    an account merged into another member, retired for good: no "Sign up", that member is
    named instead."""

    phone: str
    busy: bool = False
    error: ApiError | None = None
    retry_at: datetime | None = None
    merged_into: schemas.MergedInto | None = None


@dataclass(frozen=True)
class WaitingForBackend:
    """A "Sign up" tapped while the backend was unreachable: kept, sent once it is back."""

    phone: str
    key: str


@dataclass(frozen=True)
class SmsSent:
    """The prompt: "SMS received" or "Check again"; after a failure, "Send again".

    ``phone``: the number the SMS was sent to, as staff typed it (None if not known);
    ``busy``/``error``/``retry_at``: a "Send again" under way or refused, as on CustomerFound.
    """

    invitation: schemas.Invitation
    phone: str | None = None
    busy: bool = False
    error: ApiError | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class FollowingRegistration:
    """After "SMS received": the customer's registration, live until done."""

    invitation: schemas.Invitation
    phone: str | None = None


# A finished customer stays on screen this long, then Member Search is back by itself.
SUCCESS_SECONDS = 8


@dataclass(frozen=True)
class Registered:
    invitation: schemas.Invitation
    back_in_seconds: int = SUCCESS_SECONDS


@dataclass(frozen=True)
class Binding:
    """ "Bind now": the QR code and the customer's progress."""

    customer: schemas.CustomerSummary
    binding: schemas.Binding
    qr_url: str
    sms_key: str | None = None
    error: ApiError | None = None


@dataclass(frozen=True)
class Bound:
    customer: schemas.CustomerSummary
    binding: schemas.Binding
    back_in_seconds: int = SUCCESS_SECONDS


State = (
    Searching
    | Choosing
    | CustomerFound
    | NobodyFound
    | WaitingForBackend
    | SmsSent
    | FollowingRegistration
    | Registered
    | Binding
    | Bound
)


# --- commands: what the app must run off the UI thread -------------------------------------


@dataclass(frozen=True)
class Search:
    phone: str | None = None
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class SendInvitation:
    phone: str
    key: str


@dataclass(frozen=True)
class FollowInvitation:
    invitation_id: int
    known_status: schemas.InvitationStatus


@dataclass(frozen=True)
class MarkReceived:
    invitation_id: int


@dataclass(frozen=True)
class CancelInvitation:
    invitation_id: int


@dataclass(frozen=True)
class StartBinding:
    customer_id: int


@dataclass(frozen=True)
class FollowBinding:
    binding_id: int
    known_status: schemas.BindingStatus
    # The LINE step can go wrong while the status stays signed_in: that wakes the poll too.
    known_line_outcome: schemas.LineOutcome | None = None


@dataclass(frozen=True)
class SendBindingSms:
    binding_id: int
    key: str


@dataclass(frozen=True)
class CancelBinding:
    binding_id: int


@dataclass(frozen=True)
class RetryLater:
    """Run ``command`` again after ``seconds`` (the backend was unreachable)."""

    command: SendInvitation
    seconds: float


@dataclass(frozen=True)
class KeepPendingSignUp:
    """Persist the tap so it survives an app restart."""

    phone: str
    key: str


@dataclass(frozen=True)
class ForgetPendingSignUp:
    key: str


@dataclass(frozen=True)
class LogOut:
    """The session ended: back to the staff login."""


Command = (
    Search
    | SendInvitation
    | FollowInvitation
    | MarkReceived
    | CancelInvitation
    | StartBinding
    | FollowBinding
    | SendBindingSms
    | CancelBinding
    | RetryLater
    | KeepPendingSignUp
    | ForgetPendingSignUp
    | LogOut
)

OFFLINE_RETRY_SECONDS = 5.0
# How far the counter's clock may run ahead of the backend's when a QR code runs out.
CLOCK_SKEW = timedelta(seconds=5)


PHONE_NEEDED = ApiError(
    "phone_needed", "Search by mobile number to send a sign-up SMS to this customer."
)


@dataclass
class CounterFlow:
    state: State = field(default_factory=Searching)
    # The number staff typed (the screen only ever shows it masked once found).
    searched_phone: str | None = None
    # The "Sign up" tap the screen is showing. Other taps (the screen moved on, or kept from
    # before a restart) still go out once in the background, but never take over the screen.
    sign_up_key: str | None = None

    # --- staff intents ---------------------------------------------------------------------

    def switch_search(self, by: SearchBy) -> list[Command]:
        self.state = Searching(by=by)
        return []

    def confirm_search(self, text: str) -> list[Command]:
        current = self.state if isinstance(self.state, Searching) else Searching()
        typed = text.strip()
        if not typed or current.busy:
            return []
        self.state = replace(current, text=typed, busy=True, error=None)
        if current.by is SearchBy.PHONE:
            return [Search(phone=typed)]
        if "@" in typed:
            return [Search(email=typed)]
        return [Search(name=typed)]

    def choose(self, customer: schemas.CustomerSummary) -> list[Command]:
        self.state = CustomerFound(customer)
        return []

    def sign_up(self) -> list[Command]:
        """ "Sign up" on a past buyer or on nobody: one key for this tap, kept until answered."""
        state = self.state
        if isinstance(state, CustomerFound | NobodyFound) and state.retry_at is not None:
            return []  # refused until the server's wait has passed (see wait_over)
        if isinstance(state, CustomerFound) and not state.customer.is_member and not state.busy:
            if self.searched_phone is None:
                self.state = replace(state, error=PHONE_NEEDED)
                return []
            phone = self.searched_phone
            self.state = replace(state, busy=True, error=None)
        elif isinstance(state, NobodyFound) and not state.busy and state.merged_into is None:
            phone = state.phone
            self.state = replace(state, busy=True, error=None)
        else:
            return []
        key = new_idempotency_key()
        self.sign_up_key = key
        return [KeepPendingSignUp(phone, key), SendInvitation(phone, key)]

    def sms_received(self) -> list[Command]:
        if not isinstance(self.state, SmsSent):
            return []
        invitation = self.state.invitation
        self.state = FollowingRegistration(invitation, self.state.phone)
        return [
            MarkReceived(invitation.id),
            FollowInvitation(invitation.id, invitation.status),
        ]

    def check_again(self) -> list[Command]:
        """Abandon this invitation and re-enter the number: nothing is re-sent by itself."""
        state = self.state
        commands: list[Command] = []
        if isinstance(state, SmsSent | FollowingRegistration):
            commands.append(CancelInvitation(state.invitation.id))
            phone = state.phone or self.searched_phone or ""
        elif isinstance(state, WaitingForBackend):
            commands.append(ForgetPendingSignUp(state.key))
            phone = state.phone
        else:
            return []
        self.state = Searching(by=SearchBy.PHONE, text=phone)
        self.sign_up_key = None
        return commands

    def send_again(self) -> list[Command]:
        """ "Send again" after an SMS that failed or a link that ended: a new invitation to the
        same number, with its own key (the old one is cancelled if it still runs)."""
        state = self.state
        if not isinstance(state, SmsSent | FollowingRegistration) or state.phone is None:
            return []
        if isinstance(state, SmsSent) and (state.busy or state.retry_at is not None):
            return []
        if not delivery.can_send_again(state.invitation):
            return []
        invitation = state.invitation
        key = new_idempotency_key()
        self.sign_up_key = key
        self.state = SmsSent(invitation, state.phone, busy=True)
        cancel: list[Command] = (
            [] if invitation.status.is_final else [CancelInvitation(invitation.id)]
        )
        return [*cancel, KeepPendingSignUp(state.phone, key), SendInvitation(state.phone, key)]

    def wait_over(self, now: datetime) -> list[Command]:
        """The server's Retry-After has passed: the refusal goes, the action is offered again."""
        state = self.state
        if (
            isinstance(state, CustomerFound | NobodyFound | SmsSent)
            and state.retry_at is not None
            and now >= state.retry_at
        ):
            self.state = replace(state, error=None, retry_at=None)
        return []

    def bind_now(self) -> list[Command]:
        state = self.state
        if isinstance(state, CustomerFound) and state.customer.is_member and not state.busy:
            self.state = replace(state, busy=True, error=None)
            return [StartBinding(state.customer.id)]
        return []

    def cant_scan(self) -> list[Command]:
        """ "Can't scan? Try SMS invitation": the same binding, by SMS, once per tap."""
        state = self.state
        if not isinstance(state, Binding) or state.sms_key is not None:
            return []
        key = new_idempotency_key()
        self.state = replace(state, sms_key=key, error=None)
        return [SendBindingSms(state.binding.id, key)]

    def new_code(self, now: datetime) -> list[Command]:
        """The QR code expired (or the binding was cancelled elsewhere): a fresh one.

        The counter's clock may reach the expiry a moment before the backend says so.
        """
        state = self.state
        if not isinstance(state, Binding):
            return []
        binding = state.binding
        ended = binding.status in (schemas.BindingStatus.EXPIRED, schemas.BindingStatus.CANCELLED)
        if not ended and binding.expires_at > now + CLOCK_SKEW:
            return []
        self.state = CustomerFound(state.customer, busy=True)
        commands: list[Command] = [] if ended else [CancelBinding(binding.id)]
        return [*commands, StartBinding(state.customer.id)]

    def back_to_search(self) -> list[Command]:
        """Cancel, Done, or the customer-idle timer: an empty search, no customer on screen."""
        commands: list[Command] = []
        state = self.state
        if isinstance(state, Binding) and not state.binding.status.is_final:
            commands.append(CancelBinding(state.binding.id))
        self.state = Searching()
        self.searched_phone = None
        self.sign_up_key = None
        return commands

    # --- backend answers -------------------------------------------------------------------

    def searched(self, result: schemas.CustomerSearchResult) -> list[Command]:
        if not isinstance(self.state, Searching):
            return []
        typed = self.state.text
        self.searched_phone = typed if self.state.by is SearchBy.PHONE else None
        if not result.items and self.state.by is SearchBy.PHONE:
            self.state = NobodyFound(phone=typed, merged_into=result.merged_into)
        elif len(result.items) == 1:
            self.state = CustomerFound(result.items[0], phone=self.searched_phone)
        else:
            self.state = Choosing(matches=tuple(result.items), text=typed)
        return []

    def invitation_sent(
        self, invitation: schemas.Invitation, key: str, phone: str | None = None
    ) -> list[Command]:
        """The prompt is followed too: a failed delivery, or a customer quicker than staff.

        ``phone``: the number the tap sent to, as typed (the prompt shows it in full).
        """
        if key != self.sign_up_key:
            return [ForgetPendingSignUp(key)]  # sent in the background: the screen moved on
        self.sign_up_key = None
        self.state = SmsSent(invitation, phone)
        return [ForgetPendingSignUp(key), FollowInvitation(invitation.id, invitation.status)]

    def invitation_changed(self, invitation: schemas.Invitation) -> list[Command]:
        state = self.state
        if not isinstance(state, SmsSent | FollowingRegistration):
            return []
        if state.invitation.id != invitation.id:
            return []
        if invitation.status is schemas.InvitationStatus.REGISTERED:
            self.state = Registered(invitation)
            return []
        self.state = replace(state, invitation=invitation)
        if invitation.status.is_final:
            return []
        return [FollowInvitation(invitation.id, invitation.status)]

    def binding_started(self, binding: schemas.Binding) -> list[Command]:
        state = self.state
        if not isinstance(state, CustomerFound) or binding.qr_url is None:
            return []
        self.state = Binding(state.customer, binding, binding.qr_url)
        return [FollowBinding(binding.id, binding.status, binding.line_outcome)]

    def binding_changed(self, binding: schemas.Binding) -> list[Command]:
        state = self.state
        if not isinstance(state, Binding) or state.binding.id != binding.id:
            return []
        if binding.status is schemas.BindingStatus.COMPLETED:
            self.state = Bound(state.customer, binding)
            return []
        self.state = replace(state, binding=binding)
        if binding.status.is_final:
            return []
        return [FollowBinding(binding.id, binding.status, binding.line_outcome)]

    def binding_sms_sent(self, binding: schemas.Binding) -> list[Command]:
        """The SMS went out; the follow already running reports the customer's progress."""
        state = self.state
        if isinstance(state, Binding) and state.binding.id == binding.id:
            self.state = replace(state, binding=binding)
        return []

    def failed(
        self, command: Command, error: ApiError, now: datetime | None = None
    ) -> list[Command]:
        """A command's call failed: say so in words, keep what was typed, lose nothing.

        ``now``: when the answer came (the controller's clock), from which a rate limit's
        Retry-After counts.
        """
        if isinstance(error, UnauthorizedError):
            self.state = Searching()
            return [LogOut()]
        state = self.state
        if isinstance(command, SendInvitation):
            return self._sign_up_failed(command, error, now or datetime.now(UTC))
        if isinstance(command, FollowInvitation | FollowBinding) and isinstance(
            error, OfflineError | ServerError
        ):
            return [command]  # keep following: the long-poll simply starts again
        if isinstance(state, Searching | CustomerFound | NobodyFound):
            self.state = replace(state, busy=False, error=error)
        elif isinstance(state, Binding):
            sms_key = None if isinstance(command, SendBindingSms) else state.sms_key
            self.state = replace(state, error=error, sms_key=sms_key)
        return []

    def _sign_up_failed(
        self, command: SendInvitation, error: ApiError, now: datetime
    ) -> list[Command]:
        if isinstance(error, OfflineError):
            # Kept and tried again until the backend answers, whatever the screen shows.
            if command.key == self.sign_up_key:
                self.state = WaitingForBackend(command.phone, command.key)
            return [RetryLater(command, OFFLINE_RETRY_SECONDS)]
        forget: list[Command] = [ForgetPendingSignUp(command.key)]
        if command.key != self.sign_up_key:
            return forget
        self.sign_up_key = None
        state = self.state
        if isinstance(error, AlreadyMemberError):
            # Someone registered meanwhile: search again to offer Bind now.
            self.state = Searching(by=SearchBy.PHONE, text=command.phone, busy=True)
            return [*forget, Search(phone=command.phone)]
        # A refusal (rate limited, invalid number…) is final for this tap: shown, not retried.
        retry_at = (
            now + timedelta(seconds=error.retry_after)
            if isinstance(error, RateLimitedError)
            else None
        )
        if isinstance(state, CustomerFound | NobodyFound | SmsSent):
            self.state = replace(state, busy=False, error=error, retry_at=retry_at)
        elif isinstance(state, WaitingForBackend):
            self.state = NobodyFound(command.phone, error=error, retry_at=retry_at)
        return forget

    def resume_pending(self, phone: str, key: str) -> list[Command]:
        """At start-up: a "Sign up" kept from before a restart is sent with its own key."""
        self.state = WaitingForBackend(phone, key)
        self.sign_up_key = key
        return [SendInvitation(phone, key)]
