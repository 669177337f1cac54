"""Devices: enrolled once to a store with a one-time code, then known by their token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from omo_backend import audit, security
from omo_backend.actor import Actor
from omo_backend.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from omo_backend.models import Device, EnrollmentCode, StaffSession, Store, utcnow
from omo_backend.models.base import find_by_id
from omo_backend.staff import service as staff_service


def create_enrollment_code(*, session: Session, store: Store, ttl_seconds: int) -> str:
    """A code to type on a new device; only its hash is kept."""
    code = security.new_enrollment_code()
    session.add(
        EnrollmentCode(
            store_id=store.id,
            code_hash=security.hash_token(code),
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    return code


@dataclass(frozen=True)
class Enrolled:
    device: Device
    token: str


def enroll(*, session: Session, enrollment_code: str, device_name: str) -> Enrolled:
    code_hash = security.hash_token(security.normalise_enrollment_code(enrollment_code))
    code = session.scalar(
        select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash).with_for_update()
    )
    if code is None or code.used_at is not None or code.expires_at <= utcnow():
        raise ValidationFailed(
            "This enrollment code is unknown, used or expired. Ask a manager for a new one.",
            code="invalid_enrollment_code",
            details={"field": "enrollment_code"},
        )
    token = security.new_token()
    device = Device(
        store_id=code.store_id, name=device_name.strip(), token_hash=security.hash_token(token)
    )
    session.add(device)
    session.flush()
    code.used_at = utcnow()
    code.device_id = device.id
    audit.record(
        session=session,
        action="device.enrolled",
        store_id=code.store_id,
        device_id=device.id,
        subject_type="device",
        subject_id=device.id,
    )
    session.flush()
    session.refresh(device)
    return Enrolled(device=device, token=token)


def authenticate_or_raise(*, session: Session, token: str) -> Device:
    device = session.scalar(select(Device).where(Device.token_hash == security.hash_token(token)))
    if device is None or device.revoked_at is not None:
        raise Unauthorized("This device is not enrolled.", code="invalid_device_token")
    return device


def list_devices(*, session: Session, store_id: int | None = None) -> list[Device]:
    query = select(Device).order_by(Device.id)
    if store_id is not None:
        query = query.where(Device.store_id == store_id)
    return list(session.scalars(query))


def get_or_raise(*, session: Session, device_id: int) -> Device:
    device = find_by_id(session, Device, device_id)
    if device is None:
        raise NotFound(f"No device with id {device_id}.", code="device_not_found")
    return device


def get_in_store_or_raise(*, session: Session, device_id: int, store_id: int) -> Device:
    """A device of ``store_id``: another store's is as unknown as a missing one."""
    device = find_by_id(session, Device, device_id)
    if device is None or device.store_id != store_id:
        raise NotFound("No such device in this store.", code="device_not_found")
    return device


def revoke(*, session: Session, device: Device, by: Actor | None) -> list[int]:
    """The device's token stops working and its staff sessions end now; the ids of the ended
    sessions are returned for the session cache to forget. ``by`` None is the operator."""
    if by is not None and by.device_id == device.id:
        # The manager would be cut off mid-request on the device they hold; another device
        # or the CLI can do it.
        raise Conflict("You can't revoke the device you are using.", code="own_device")
    if device.revoked_at is not None:
        return []
    device.revoked_at = utcnow()
    ended = staff_service.end_sessions(
        session=session,
        where=StaffSession.device_id == device.id,
        reason=staff_service.END_DEVICE_REVOKED,
    )
    audit.by_actor_or_operator(
        session=session,
        actor=by,
        action="device.revoked",
        store_id=device.store_id,
        subject_type="device",
        subject_id=device.id,
        details={"sessions_ended": len(ended)},
    )
    session.flush()
    return ended
