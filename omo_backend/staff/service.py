"""Staff: PIN log-in on an enrolled device, lockout, and the sessions that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend_client.schemas import Role
from omo_backend import audit, security
from omo_backend.actor import Actor
from omo_backend.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from omo_backend.models import Device, PinGuard, Staff, StaffSession, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.settings import Settings

# A session's last use is written at most this often: a long-poll every 25 s need not write.
_TOUCH_EVERY = timedelta(seconds=30)


# New PINs: 6 digits at least (a million guesses against the day's 20 tries). PINs stored
# before this rule (4 or 5 digits) still verify at log-in: the log-in request takes 4 to 12.
NEW_PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12

# Why a staff session ended, kept on the session; revocation answers with its own code.
END_LOGOUT = "logout"
END_DEVICE_REVOKED = "device_revoked"
END_STAFF_DEACTIVATED = "staff_deactivated"


def create(
    *,
    session: Session,
    store: Store,
    code: str,
    name: str,
    role: Role,
    pin: str,
    pin_hash: str | None = None,
) -> Staff:
    """A new staff member; ``pin_hash`` is ``pin`` hashed ahead (the demo's printed PINs)."""
    if not (pin.isascii() and pin.isdigit() and NEW_PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise ValidationFailed(
            f"A PIN is {NEW_PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits.",
            code="invalid_pin",
            details={"field": "pin"},
        )
    exists = session.scalar(select(Staff.id).where(Staff.store_id == store.id, Staff.code == code))
    if exists is not None:
        raise Conflict(f"Staff code {code} is taken in {store.code}.", code="staff_exists")
    # Tries against the code before it was anybody's do not lock its new owner.
    _forget_guard(session=session, store_id=store.id, code=code)
    staff = Staff(
        store_id=store.id,
        code=code,
        name=name,
        role=role.value,
        pin_hash=pin_hash or security.hash_pin(pin),
    )
    session.add(staff)
    session.flush()
    return staff


def list_for_store(*, session: Session, store_id: int) -> list[tuple[Staff, PinGuard | None]]:
    """A store's staff, each with their code's locks."""
    rows = session.execute(
        select(Staff, PinGuard)
        .outerjoin(PinGuard, and_(PinGuard.store_id == Staff.store_id, PinGuard.code == Staff.code))
        .where(Staff.store_id == store_id)
        .order_by(Staff.code)
    )
    return [(staff, guard) for staff, guard in rows]


def _forget_guard(*, session: Session, store_id: int, code: str) -> None:
    session.execute(delete(PinGuard).where(PinGuard.store_id == store_id, PinGuard.code == code))


def get_by_code_or_raise(*, session: Session, store: Store, code: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.store_id == store.id, Staff.code == code))
    if staff is None:
        raise NotFound(f"No staff code {code} in {store.code}.", code="staff_not_found")
    return staff


def get_in_store_or_raise(*, session: Session, staff_id: int, store_id: int) -> Staff:
    """A staff member of ``store_id``: another store's is as unknown as a missing one."""
    staff = find_by_id(session, Staff, staff_id)
    if staff is None or staff.store_id != store_id:
        raise NotFound("No such staff member in this store.", code="staff_not_found")
    return staff


@dataclass(frozen=True)
class LoggedIn:
    staff_session: StaffSession
    token: str
    staff: Staff


@dataclass(frozen=True)
class Refused:
    """A refused log-in still has to commit (the failure count), so it is returned, not raised."""

    error: DomainError


def login(
    *, session: Session, settings: Settings, device: Device, staff_code: str, pin: str
) -> LoggedIn | Refused:
    now = utcnow()
    guard = _guard(session=session, store_id=device.store_id, code=staff_code)
    if guard is not None:
        locked = _lock_in_force(guard, now)
        if locked is not None:
            return Refused(locked)
    staff = session.scalar(
        select(Staff).where(
            Staff.store_id == device.store_id, Staff.code == staff_code, Staff.active
        )
    )
    # An unknown or deactivated code is checked against a dummy hash: the same work, and the
    # same count and locks below, as a wrong PIN for a known code.
    pin_hash = staff.pin_hash if staff is not None else security.dummy_pin_hash()
    right = security.verify_secret(pin_hash, pin)  # before the test of staff: always run
    if staff is None or not right:
        guard = guard or _new_guard(session=session, store_id=device.store_id, code=staff_code)
        return Refused(
            _count_failure(
                session=session, settings=settings, guard=guard, staff=staff, device=device, now=now
            )
        )
    if guard is not None:
        guard.failed_pins = 0  # the day's tally stays
    token = security.new_token()
    store = device.store
    idle = store.idle_timeout_seconds or settings.staff_idle_timeout_seconds
    staff_session = StaffSession(
        token_hash=security.hash_token(token),
        staff_id=staff.id,
        device_id=device.id,
        store_id=device.store_id,
        expires_at=now + timedelta(seconds=settings.staff_session_ttl_seconds),
        idle_timeout_seconds=idle,
        last_used_at=now,
    )
    session.add(staff_session)
    device.last_seen_at = now
    audit.record(
        session=session,
        action="staff.login",
        store_id=device.store_id,
        staff_id=staff.id,
        device_id=device.id,
    )
    session.flush()
    return LoggedIn(staff_session=staff_session, token=token, staff=staff)


def _guard(*, session: Session, store_id: int, code: str) -> PinGuard | None:
    """The code's tally, locked for this transaction: concurrent tries count one by one."""
    return session.scalar(
        select(PinGuard)
        .where(PinGuard.store_id == store_id, PinGuard.code == code)
        .with_for_update()
    )


def _new_guard(*, session: Session, store_id: int, code: str) -> PinGuard:
    # Two first tries of one code at once: one inserts, the other finds its row.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(PinGuard)
        .values(store_id=store_id, code=code)
        .on_conflict_do_nothing(index_elements=["store_id", "code"])
    )
    guard = _guard(session=session, store_id=store_id, code=code)
    assert guard is not None
    return guard


def guard_of(*, session: Session, staff: Staff) -> PinGuard | None:
    return session.scalar(
        select(PinGuard).where(PinGuard.store_id == staff.store_id, PinGuard.code == staff.code)
    )


def _wrong_code_or_pin() -> Unauthorized:
    # No attempts left in the reply: shown for known codes only, a count would name them.
    return Unauthorized("Wrong staff code or PIN.", code="invalid_credentials")


def _lock_in_force(guard: PinGuard, now: datetime) -> Forbidden | None:
    if guard.unlock_required:
        return _locked_until_unlocked()
    if guard.locked_until is not None and guard.locked_until > now:
        return _locked(guard.locked_until, now)
    if guard.locked_until is not None:
        # The lock ran out: a fresh round of tries, but the day's tally stays.
        guard.locked_until = None
        guard.failed_pins = 0
    return None


def _count_failure(
    *,
    session: Session,
    settings: Settings,
    guard: PinGuard,
    staff: Staff | None,
    device: Device,
    now: datetime,
) -> Forbidden | Unauthorized:
    day = timedelta(seconds=settings.pin_failure_day_seconds)
    if guard.day_started_at is None or guard.day_started_at + day <= now:
        guard.day_started_at = now
        guard.day_failures = 0
        guard.day_locks = 0
    guard.failed_pins += 1
    guard.day_failures += 1
    # A code that names nobody is not written down: it may be a PIN typed in the wrong box.
    staff_id = staff.id if staff is not None else None
    audit.record(
        session=session,
        action="staff.pin_failed",
        store_id=device.store_id,
        staff_id=staff_id,
        device_id=device.id,
        details={"failures": guard.failed_pins, "day_failures": guard.day_failures},
    )
    if guard.day_failures >= settings.pin_max_failures_per_day:
        guard.unlock_required = True
        guard.locked_until = None
        audit.record(
            session=session,
            action="staff.locked_until_unlocked",
            store_id=device.store_id,
            device_id=device.id,
            subject_type="staff" if staff_id is not None else None,
            subject_id=staff_id,
            details={"day_failures": guard.day_failures},
        )
        return _locked_until_unlocked()
    if guard.failed_pins < settings.pin_max_failures:
        return _wrong_code_or_pin()
    guard.day_locks += 1
    guard.locked_until = now + _lock_length(settings, guard.day_locks)
    return _locked(guard.locked_until, now)


def _lock_length(settings: Settings, nth: int) -> timedelta:
    """The ``nth`` lock of a day: each longer than the last, none longer than the day."""
    seconds = settings.pin_lockout_seconds * settings.pin_lockout_factor ** min(nth - 1, 32)
    return timedelta(seconds=min(seconds, settings.pin_failure_day_seconds))


def _locked(until: datetime, now: datetime) -> Forbidden:
    wait = int((until - now).total_seconds()) + 1
    return Forbidden(
        "Too many wrong PINs: this staff code is locked for a while.",
        code="staff_locked",
        details={"locked_until": until.isoformat(), "retry_after": wait},
        headers={"Retry-After": str(wait)},
    )


def _locked_until_unlocked() -> Forbidden:
    return Forbidden(
        "Too many wrong PINs today: this staff code is locked until a manager unlocks it.",
        code="staff_locked_until_unlocked",
    )


def unlock(*, session: Session, staff: Staff, by: Actor | None) -> None:
    """A manager (``by``) or the operator (``None``) lifts every lock and clears the day."""
    _forget_guard(session=session, store_id=staff.store_id, code=staff.code)
    audit.by_actor_or_operator(
        session=session,
        actor=by,
        action="staff.unlocked",
        store_id=staff.store_id,
        subject_type="staff",
        subject_id=staff.id,
    )


def deactivate(*, session: Session, staff: Staff, by: Actor | None) -> list[int]:
    """The staff member can no longer log in and their open sessions end now; the ids of the
    ended sessions are returned for the session cache to forget."""
    if by is not None and by.staff_id == staff.id:
        # A manager locking themselves out of the only screen that could undo it.
        raise Conflict("You can't deactivate yourself.", code="own_account")
    if not staff.active:
        return []
    staff.active = False
    ended = end_sessions(
        session=session, where=StaffSession.staff_id == staff.id, reason=END_STAFF_DEACTIVATED
    )
    audit.by_actor_or_operator(
        session=session,
        actor=by,
        action="staff.deactivated",
        store_id=staff.store_id,
        subject_type="staff",
        subject_id=staff.id,
        details={"sessions_ended": len(ended)},
    )
    return ended


def end_sessions(*, session: Session, where: ColumnElement[bool], reason: str) -> list[int]:
    """Ends the open sessions ``where`` selects, at once; returns their ids."""
    open_now = select(StaffSession.id).where(where, StaffSession.ended_at.is_(None))
    ids = list(session.scalars(open_now.with_for_update()))
    if ids:
        session.execute(
            update(StaffSession)
            .where(StaffSession.id.in_(ids))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    return ids


# Columns only, built once: this runs on every staff request.
_SESSION_BY_TOKEN = (
    select(
        StaffSession.id,
        StaffSession.ended_at,
        StaffSession.expires_at,
        StaffSession.last_used_at,
        StaffSession.idle_timeout_seconds,
        StaffSession.staff_id,
        StaffSession.store_id,
        StaffSession.device_id,
        StaffSession.end_reason,
        Staff.name,
        Staff.role,
        Staff.active,
        Device.revoked_at,
    )
    .join(Staff, Staff.id == StaffSession.staff_id)
    .join(Device, Device.id == StaffSession.device_id)
    .where(StaffSession.token_hash == bindparam("h"))
)


def authenticate_or_raise(*, session: Session, token: str) -> tuple[Actor, bool]:
    """The actor behind a session token, and whether its last use is worth writing down."""
    now = utcnow()
    row = session.execute(_SESSION_BY_TOKEN, {"h": security.hash_token(token)}).one_or_none()
    if row is None:
        raise Unauthorized("Please log in.", code="invalid_session")
    # Checked on the row as well as through ended_at: a log-in racing a revocation may have
    # opened a session the revocation did not see.
    if row.revoked_at is not None or row.end_reason == END_DEVICE_REVOKED:
        raise Unauthorized(
            "This device's enrollment was revoked: set it up again with a new enrollment code.",
            code="device_revoked",
        )
    if not row.active or row.end_reason == END_STAFF_DEACTIVATED:
        raise Unauthorized(
            "This staff member was deactivated: ask a manager.", code="staff_deactivated"
        )
    if row.ended_at is not None:
        raise Unauthorized("This session has ended: please log in again.", code="session_ended")
    if row.expires_at <= now:
        raise Unauthorized("This session has expired: please log in again.", code="session_expired")
    if row.last_used_at + timedelta(seconds=row.idle_timeout_seconds) <= now:
        raise Unauthorized("Logged out after being idle: please log in again.", code="session_idle")
    actor = Actor(
        session_id=row.id,
        staff_id=row.staff_id,
        staff_name=row.name,
        role=Role(row.role),
        store_id=row.store_id,
        device_id=row.device_id,
    )
    return actor, row.last_used_at + _TOUCH_EVERY <= now


def touch(*, session: Session, session_id: int) -> None:
    session.execute(
        update(StaffSession).where(StaffSession.id == session_id).values(last_used_at=utcnow())
    )


def logout(*, session: Session, actor: Actor) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.id == actor.session_id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=END_LOGOUT)
    )
    audit.by_actor(
        session=session,
        actor=actor,
        action="staff.logout",
    )
