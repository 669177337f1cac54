"""Recording who did what: every staff action leaves one audit row in its own transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omo_backend.actor import Actor
from omo_backend.models import AuditEvent


def record(
    *,
    session: Session,
    action: str,
    store_id: int | None,
    staff_id: int | None = None,
    device_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    details: dict[str, object] | None = None,
) -> None:
    session.add(
        AuditEvent(
            action=action,
            store_id=store_id,
            staff_id=staff_id,
            device_id=device_id,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details or {},
        )
    )


def by_actor(
    *,
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    details: dict[str, object] | None = None,
) -> None:
    record(
        session=session,
        action=action,
        store_id=actor.store_id,
        staff_id=actor.staff_id,
        device_id=actor.device_id,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )


def by_actor_or_operator(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    store_id: int,
    subject_type: str,
    subject_id: int,
    details: dict[str, object] | None = None,
) -> None:
    """A manager's action over the API, or the operator's (``actor`` None) from the CLI."""
    if actor is None:
        record(
            session=session,
            action=action,
            store_id=store_id,
            subject_type=subject_type,
            subject_id=subject_id,
            details={"by": "operator", **(details or {})},
        )
    else:
        by_actor(
            session=session,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
        )
