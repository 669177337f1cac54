"""Devices: enrolled once to a store with a one-time code, then known by their token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from omo_backend import audit, security
from omo_backend.errors import Unauthorized, ValidationFailed
from omo_backend.models import Device, EnrollmentCode, Store, utcnow


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
