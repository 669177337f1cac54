"""Staff: PIN log-in on an enrolled device, lockout, and the sessions that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from backend_client.schemas import Role
from omo_backend import audit, security
from omo_backend.actor import Actor
from omo_backend.errors import Conflict, DomainError, Forbidden, Unauthorized, ValidationFailed
from omo_backend.models import Device, Staff, StaffSession, Store, utcnow
from omo_backend.settings import Settings

# A session's last use is written at most this often: a long-poll every 25 s need not write.
_TOUCH_EVERY = timedelta(seconds=30)


def create(*, session: Session, store: Store, code: str, name: str, role: Role, pin: str) -> Staff:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValidationFailed("A PIN is 4 to 12 digits.", code="invalid_pin")
    exists = session.scalar(select(Staff.id).where(Staff.store_id == store.id, Staff.code == code))
    if exists is not None:
        raise Conflict(f"Staff code {code} is taken in {store.code}.", code="staff_exists")
    staff = Staff(
        store_id=store.id, code=code, name=name, role=role.value, pin_hash=security.hash_pin(pin)
    )
    session.add(staff)
    session.flush()
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
    staff = session.scalar(
        select(Staff)
        .where(Staff.store_id == device.store_id, Staff.code == staff_code, Staff.active)
        .with_for_update(of=Staff)
    )
    if staff is None:
        return Refused(Unauthorized("Wrong staff code or PIN.", code="invalid_credentials"))
    if staff.locked_until is not None and staff.locked_until > now:
        return Refused(_locked(staff.locked_until, now))
    if staff.locked_until is not None:
        staff.locked_until = None
        staff.failed_pins = 0
    if not security.verify_secret(staff.pin_hash, pin):
        staff.failed_pins += 1
        left = settings.pin_max_failures - staff.failed_pins
        audit.record(
            session=session,
            action="staff.pin_failed",
            store_id=device.store_id,
            staff_id=staff.id,
            device_id=device.id,
            details={"failures": staff.failed_pins},
        )
        if left <= 0:
            staff.locked_until = now + timedelta(seconds=settings.pin_lockout_seconds)
            return Refused(_locked(staff.locked_until, now))
        return Refused(
            Unauthorized(
                "Wrong staff code or PIN.",
                code="invalid_credentials",
                details={"attempts_left": left},
            )
        )
    staff.failed_pins = 0
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


def _locked(until: datetime, now: datetime) -> Forbidden:
    wait = int((until - now).total_seconds()) + 1
    return Forbidden(
        "Too many wrong PINs: this staff code is locked for a while.",
        code="staff_locked",
        details={"locked_until": until.isoformat(), "retry_after": wait},
        headers={"Retry-After": str(wait)},
    )


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
        Staff.name,
        Staff.role,
    )
    .join(Staff, Staff.id == StaffSession.staff_id)
    .where(StaffSession.token_hash == bindparam("h"))
)


def authenticate_or_raise(*, session: Session, token: str) -> tuple[Actor, bool]:
    """The actor behind a session token, and whether its last use is worth writing down."""
    now = utcnow()
    row = session.execute(_SESSION_BY_TOKEN, {"h": security.hash_token(token)}).one_or_none()
    if row is None:
        raise Unauthorized("Please log in.", code="invalid_session")
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
        .values(ended_at=utcnow(), end_reason="logout")
    )
    audit.by_actor(
        session=session,
        actor=actor,
        action="staff.logout",
    )
