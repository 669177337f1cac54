"""Who asks for a change that is audited: a staff session, an integration's key, or the
operator at the CLI (None). Orders and carts come from all three; members added by hand from a
manager, or from a POS's order with ``add_as_member``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.integrations.service import Integration

Caller = Actor | Integration | None


def audit_by(
    *,
    session: Session,
    caller: Caller,
    action: str,
    store_id: int | None,
    subject_type: str,
    subject_id: int,
    details: dict[str, object] | None = None,
) -> None:
    """An audit row naming the staff member and device, the integration's key or the operator."""
    if isinstance(caller, Actor):
        audit.by_actor(
            session=session,
            actor=caller,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
        )
        return
    who: dict[str, object] = (
        {"api_key_id": caller.api_key_id} if caller is not None else {"by": "operator"}
    )
    audit.record(
        session=session,
        action=action,
        store_id=store_id,
        subject_type=subject_type,
        subject_id=subject_id,
        details={**who, **(details or {})},
    )
